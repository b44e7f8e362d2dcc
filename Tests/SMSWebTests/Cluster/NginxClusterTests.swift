import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Debian's nginx on loopback, round-robin (the shipped `deploy/nginx/smsstats.conf`) in front of
/// three `smsstats serve` processes on one PostgreSQL. Skipped without nginx
/// (`scripts/setup/nginx.sh`) or without PostgreSQL (`scripts/setup/postgres.sh`).
@Suite("Cluster: nginx in front of three servers on one PostgreSQL", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SMSSTATS_TEST_CLUSTER"] == "1", "run alone by scripts/test.sh (SMSSTATS_TEST_CLUSTER=1)"))
struct NginxClusterTests {
    @Test(
        "rolling restart under callback load: each node SIGTERMed (exit 0) and restarted in turn; zero failed requests at nginx, every acknowledged callback stored, every message reached the sink once",
        .timeLimit(.minutes(6)))
    func rollingRestart() async throws {
        let recipients = 4_000
        let run = try await ClusterRun.make(kind: .postgres, nodes: 3, sinkDelayMs: 50, drainSeconds: 10)
        var nginx: NginxProxy?
        do {
            try await run.seed(recipients: recipients, batch: 20, concurrency: 2)
            for i in 0..<3 { try await run.startNode(i) }
            let proxy = try await NginxProxy(nodes: run.nodePorts, dir: run.dir)
            nginx = proxy
            let load = CallbackLoad()
            let url = proxy.url
            let loadTask = Task { await load.run(baseURL: { url }, refs: { run.received() }, batch: 20, workers: 4) }
            var exits: [(Int32?, Duration)] = []
            for i in 0..<3 {
                try await Task.sleep(for: .milliseconds(1_500))
                exits.append(try await run.terminateNode(i, timeout: .seconds(20)))
                try await run.startNode(i)
            }
            // Let the callbacks catch up with what the sink received, then stop the load.
            #expect(try await run.waitCompleted(timeout: .seconds(90)), "campaign did not complete; logs:\n\(run.logs())")
            let deadline = ContinuousClock.now + .seconds(30)
            while load.acked.count < Set(run.received()).count, load.failed.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            load.stop()
            await loadTask.value

            #expect(exits.map(\.0) == [0, 0, 0], "every SIGTERM ends with exit 0: \(exits)")
            #expect(exits.allSatisfy { $0.1 < .seconds(10) }, "drains: \(exits)")
            // Zero failed requests at nginx: every callback request was answered 2xx to the client,
            // and nginx logged no answer other than 2xx.
            #expect(load.failed.isEmpty, "failed requests: \(load.failed.prefix(5)); nginx errors:\n\(proxy.errorLog)")
            let statuses = proxy.accessStatuses
            #expect(statuses.count >= load.requestCount)
            #expect(statuses.filter { !(200..<300).contains($0) && $0 != 499 }.isEmpty, "non-2xx at nginx: \(statuses.filter { !(200..<300).contains($0) })")
            // Nothing lost: every acknowledged callback item is stored; every message reached the sink.
            let delivered = try await run.deliveredMetas()
            #expect(load.acked.count >= recipients / 2)
            #expect(load.acked.subtracting(delivered).isEmpty, "acknowledged, not stored: \(load.acked.subtracting(delivered).count)")
            let received = run.received()
            #expect(Set(received) == run.expected)
            #expect(received.count == recipients, "a drained node's claims are never sent twice: \(received.count - recipients) duplicates")
            #expect(try await run.claimed() == 0)
            print(
                "rolling restart: \(load.requestCount) callback requests through nginx (\(load.acked.count) items acknowledged, \(load.failed.count) failed); drains \(exits.map { "\($0.1)" }); sink received \(received.count) for \(Set(received).count) messages")
        } catch {
            nginx?.stop()
            await run.stop()
            throw error
        }
        nginx?.stop()
        await run.stop()
    }

    @Test(
        "a campaign scheduled a few seconds ahead with three servers running is published once and each message is sent once",
        .timeLimit(.minutes(2)))
    func scheduledOnce() async throws {
        let recipients = 1_500
        let run = try await ClusterRun.make(kind: .postgres, nodes: 3, sinkDelayMs: 20)
        do {
            for i in 0..<3 { try await run.startNode(i) }
            let sendAt = Int64(Date().timeIntervalSince1970) + 3
            try await run.seed(recipients: recipients, batch: 25, concurrency: 2, sendAt: sendAt)
            #expect(try await run.waitCompleted(timeout: .seconds(60)), "logs:\n\(run.logs())")
            let campaign = try await run.store.store.campaign(id: ClusterRun.campaignId)
            #expect((campaign?.publishedAt ?? 0) >= sendAt)
            let totals = try await run.totals()
            #expect(totals[RollupKey(.messages)] ?? 0 == Int64(recipients), "published once: one message per recipient")
            #expect(totals[RollupKey(.sent)] ?? 0 == Int64(recipients))
            let received = run.received()
            #expect(received.count == recipients, "each message sent once: \(received.count - Set(received).count) duplicates")
            #expect(Set(received).count == recipients)
            let rows = try await run.store.query("SELECT COUNT(*) AS n FROM messages")
            #expect(rows.map { $0["n"] } == [.int(Int64(recipients))])
        } catch {
            await run.stop()
            throw error
        }
        await run.stop()
    }
}
