import AsyncHTTPClient
import Foundation
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The cluster test of issue 14: Debian's nginx round-robin in front of three `smsstats serve`
/// nodes on one PostgreSQL; a campaign of 20,000 messages to `smsstats sink`; delivery callbacks,
/// clicks and conversion events sent through nginx while it sends; one node SIGKILLed mid-dispatch
/// and restarted. Skipped without nginx or PostgreSQL.
@Suite("Cluster: 20,000 messages, three servers behind nginx, one SIGKILLed", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SMSSTATS_TEST_CLUSTER"] == "1", "run alone by scripts/test.sh (SMSSTATS_TEST_CLUSTER=1)"))
struct ClusterEndToEndTests {
    static let link = "https://shop.example/p?a=1"

    @Test(
        "every message reached the sink, duplicates ≤ the killed node's leased claims, every acknowledged callback, click and event stored, stats equal the ground truth, reconcile clean",
        .timeLimit(.minutes(5)))
    func killOneNodeUnderLoad() async throws {
        let recipients = 20_000
        let run = try await ClusterRun.make(kind: .postgres, nodes: 3, sinkDelayMs: 20)
        var nginx: NginxProxy?
        var loads: [() -> Void] = []
        do {
            try await run.seed(recipients: recipients, batch: 100, concurrency: 4, body: "Sale \(Self.link)", links: [Self.link])
            // Ground truth for the loads: each message's short code and user.
            var code: [String: String] = [:]
            var user: [String: String] = [:]
            for row in try await run.store.query(
                "SELECT m.meta AS meta, m.user_id AS user_id, s.code AS code FROM messages m JOIN short_links s ON s.message_id = m.id")
            {
                guard case .text(let meta) = row["meta"], case .text(let c) = row["code"], case .text(let u) = row["user_id"] else { continue }
                code[meta] = c
                user[meta] = u
            }
            #expect(code.count == recipients)
            for i in 0..<3 { try await run.startNode(i, extra: ["--node-id", "n\(i)", "--lease-seconds", "10"]) }
            let proxy = try await NginxProxy(nodes: run.nodePorts, dir: run.dir)
            nginx = proxy
            let url = proxy.url

            // Callbacks (batches of 100), clicks (every 8th message, one per request), events (every
            // 5th message, batches of 50), all through nginx, following what the sink received.
            let callbacks = CallbackLoad()
            let callbackTask = Task { await callbacks.run(baseURL: { url }, refs: { run.receivedRecently() }, batch: 100, workers: 2) }
            let codes = code
            let users = user
            let clicks = RequestLoad()
            let clickTask = Task {
                await clicks.run(
                    items: { run.receivedRecently().enumerated().filter { $0.offset % 8 == 0 }.compactMap { codes[$0.element] } },
                    batch: 1, workers: 4, expected: { $0 == 302 }
                ) { slice in
                    var r = HTTPClientRequest(url: url + "/l/" + slice[0])
                    r.headers.add(name: "User-Agent", value: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
                    return r
                }
            }
            let events = RequestLoad()
            let eventTask = Task {
                await events.run(
                    items: { run.receivedRecently().enumerated().filter { $0.offset % 5 == 0 }.map(\.element) },
                    batch: 50, workers: 1, expected: { $0 == 200 }
                ) { slice in
                    let now = Int64(Date().timeIntervalSince1970)
                    let items = slice.map {
                        #"{"eventId":"ev-\#($0)","userId":"\#(users[$0] ?? "")","name":"purchase","ts":\#(now),"properties":{"amount":10}}"#
                    }
                    var r = HTTPClientRequest(url: url + "/api/v1/events")
                    r.method = .POST
                    r.headers.add(name: "Authorization", value: "Bearer t")
                    r.headers.add(name: "Content-Type", value: "application/json")
                    r.body = .bytes(ByteBuffer(string: "[" + items.joined(separator: ",") + "]"))
                    return r
                }
            }
            loads = [callbacks.stop, clicks.stop, events.stop]

            // Kill node 1 mid-dispatch, at a moment it holds claims; count them at once.
            let started = ContinuousClock.now
            while run.received().count < recipients / 4, ContinuousClock.now - started < .seconds(120) {
                try await Task.sleep(for: .milliseconds(20))
            }
            // The node to kill: the first one seen holding claims (on a loaded machine one node can
            // go a while without any, and the test must kill a node mid-dispatch).
            var holders: [String] = []
            for i in 0..<3 {
                holders.append(
                    try #require(
                        try await run.nodeLog(i).flatMap { Self.capture(#"leaseHolder=(n\#(i)@[0-9a-f]+)"#, in: $0) },
                        "node \(i) logs its lease holder"))
            }
            var victim = 1
            let holding = ContinuousClock.now + .seconds(20)
            search: while ContinuousClock.now < holding {
                for i in [1, 0, 2] where try await Self.claims(run, holder: holders[i]) > 0 {
                    victim = i
                    break search
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            let holder = holders[victim]
            run.killNode(victim)
            let receivedAtKill = run.received().count
            let killedClaims = try await Self.claims(run, holder: holder)
            try await Task.sleep(for: .seconds(1))
            try await run.startNode(victim, extra: ["--node-id", "n\(victim)", "--lease-seconds", "10"])
            #expect(try await run.waitCompleted(timeout: .seconds(150)), "campaign did not complete; logs:\n\(run.logs().suffix(4_000))")
            let sendingTook = ContinuousClock.now - started

            // Let the loads catch up with everything the sink received, then stop them.
            let unique = Set(run.received())
            let catchUp = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < catchUp,
                callbacks.acked.count + callbacks.failed.count * 100 < unique.count
                    || clicks.acked.count + clicks.failed.count < recipients / 8
                    || events.acked.count + events.failed.count * 50 < recipients / 5
            {
                try await Task.sleep(for: .milliseconds(100))
            }
            for stop in loads { stop() }
            await callbackTask.value
            await clickTask.value
            await eventTask.value
            // Acknowledged clicks are in each node's journal; applied within a batch interval.
            #expect(try await run.journalsApplied(timeout: .seconds(30)), "click journals not applied")

            // Every message reached the sink; duplicates only from the killed node's leased claims.
            let received = run.received()
            #expect(unique == run.expected)
            #expect(receivedAtKill < recipients, "the kill came after the end of sending")
            let duplicates = received.count - unique.count
            #expect(duplicates <= killedClaims, "\(duplicates) duplicates, the killed node held \(killedClaims)")
            #expect(try await run.claimed() == 0)
            // No acknowledged callback, click or event missing.
            let delivered = try await run.deliveredMetas()
            #expect(callbacks.acked.count >= recipients * 9 / 10, "callbacks acknowledged: \(callbacks.acked.count); failures \(callbacks.failed.prefix(3))")
            #expect(callbacks.acked.subtracting(delivered).isEmpty, "acknowledged callbacks not stored: \(callbacks.acked.subtracting(delivered).count)")
            let clickedCodes = Set(try await run.store.query("SELECT DISTINCT code FROM clicks WHERE NOT is_bot").compactMap {
                if case .text(let c) = $0["code"] { c } else { nil }
            })
            #expect(clicks.acked.count >= recipients / 10)
            #expect(clicks.acked.subtracting(clickedCodes).isEmpty, "acknowledged clicks not stored: \(clicks.acked.subtracting(clickedCodes).count)")
            let storedEvents = Set(try await run.store.query("SELECT event_id FROM conversion_events").compactMap {
                if case .text(let e) = $0["event_id"] { e } else { nil }
            })
            #expect(events.acked.count >= recipients / 10)
            #expect(Set(events.acked.map { "ev-" + $0 }).subtracting(storedEvents).isEmpty)
            // Stats equal the ground truth (the raw rows), and reconcile finds no drift.
            let totals = try await run.totals()
            func v(_ m: RollupMetric) -> Int64 { totals[RollupKey(m)] ?? 0 }
            #expect(v(.messages) == Int64(recipients))
            #expect(v(.sent) == Int64(recipients))
            #expect(v(.queued) == 0)
            #expect(v(.delivered) == Int64(delivered.count))
            let humanClicks = try await run.store.query("SELECT COUNT(*) AS n FROM clicks WHERE NOT is_bot").first?["n"]
            #expect(humanClicks == .int(v(.clicks)))
            #expect(v(.uniqueClicks) == Int64(clickedCodes.count))
            let reconcile = try SMSStatsCLI.run(["reconcile", "--database", run.store.databaseURL])
            #expect(reconcile.status == 0, "reconcile: \(reconcile.out) \(reconcile.err)")
            #expect(reconcile.out.contains("no drift"))
            let line =
                "cluster end to end: \(recipients) messages by 3 nodes behind nginx in \(sendingTook); node n\(victim) SIGKILLed at \(receivedAtKill) received holding \(killedClaims) leased claims → \(duplicates) duplicates; "
                + "through nginx: \(callbacks.requestCount) callback requests (\(callbacks.acked.count) items acknowledged, \(callbacks.failed.count) failed), \(clicks.requestCount) clicks (\(clicks.failed.count) failed), \(events.requestCount) event requests (\(events.failed.count) failed)"
            print(line)
            try? (line + "\n").write(
                to: DispatchCrashTests.outputDirectory().appendingPathComponent("cluster-end-to-end.txt"), atomically: true, encoding: .utf8)
        } catch {
            for stop in loads { stop() }
            nginx?.stop()
            await run.stop()
            throw error
        }
        nginx?.stop()
        await run.stop()
    }

    static func claims(_ run: ClusterRun, holder: String) async throws -> Int {
        let rows = try await run.store.query(
            "SELECT COUNT(*) AS n FROM messages WHERE claim_node = ? AND send_attempt IS NOT NULL", [.text(holder)])
        if case .int(let n) = rows.first?["n"] { return Int(n) }
        return -1
    }

    static func capture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text)
        else { return nil }
        return String(text[r])
    }
}
