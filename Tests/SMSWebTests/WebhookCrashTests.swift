import AsyncHTTPClient
import Foundation
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The outbox's crash test (issue 17): `smsstats serve` (a child process) takes delivery callbacks
/// from 8 concurrent senders and is killed with SIGKILL in the middle; afterwards every message the
/// database holds as delivered has exactly one `message.delivered` outbox event row (none lost,
/// none invented; the worker's per-subscription copies, ``WebhookFanout``, aside), and every callback answered 200 is among them. The subscription's URL is a closed
/// port, so nothing is delivered and the rows stay as the transactions left them.
@Suite("Crash safety: SIGKILL loses no webhook event", .serialized)
struct WebhookCrashTests {
    final class Tally: Sendable {
        let ok = Mutex<Set<Int>>([])
    }

    @Test("SIGKILL during callbacks: each delivered message has its one outbox event", .timeLimit(.minutes(8)), arguments: StoreKind.allCases)
    func killDuringCallbacks(kind: StoreKind) async throws {
        let bin = DispatchCrashTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let messages = 2_000
        let f = try await StatsFixture(kind: kind)
        try await f.sendMessages(messages)
        let sub = try await f.store.insertWebhook(
            .init(url: "http://127.0.0.1:1/hook", events: [.messageDelivered]), secret: WebhookSecret.generate(), at: StatsFixture.t)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-webhookcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ChildProcess(
            bin, ["serve", "--database", f.testStore.databaseURL, "--port", "0", "--admin-token", "t", "--dispatch-interval-ms", "1000", "--log-level", "info"],
            log: dir.appendingPathComponent("serve.log"))
        let port = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let tally = Tally()
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var i = worker
                        while i < messages, !Task.isCancelled {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/callbacks/p1?secret=s")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: #"[{"event":"delivered","data":[{"meta":"m\#(i)","ts":\#(StatsFixture.t + 60)}]}]"#))
                            do {
                                let response = try await http.execute(request, timeout: .seconds(10))
                                _ = try await response.body.collect(upTo: 1 << 16)
                                if response.status == .ok { _ = tally.ok.withLock { $0.insert(i) } }
                            } catch {
                                return  // the server is gone
                            }
                            i += 8
                        }
                    }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while tally.ok.withLock({ $0.count }) < messages / 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        serve.kill(SIGKILL)
        load.cancel()
        await load.value
        try await http.shutdown()
        let ok = tally.ok.withLock { $0 }

        // A COMMIT the killed server had sent is still applied by PostgreSQL: let it land, then read
        // the two counts in one statement (one snapshot).
        try await Task.sleep(for: .seconds(1))
        let store = f.store
        let events = try await store.webhookEvents(subscriptionId: sub.id, status: "pending", limit: 100_000)
            + store.webhookEvents(subscriptionId: sub.id, status: "failed", limit: 100_000)
        let delivered = try await f.testStore.int("SELECT count(*) FROM messages WHERE delivered_at IS NOT NULL") ?? -1
        let missing = try await f.testStore.int(
            "SELECT (SELECT count(*) FROM messages WHERE delivered_at IS NOT NULL) - (SELECT count(*) FROM webhook_outbox WHERE type = 'message.delivered' AND subscription_id = 0)")
        #expect(missing == 0, "delivered messages without their event (one snapshot)")
        let metas = events.compactMap(\.meta)
        print("webhook crash test (\(kind)): \(ok.count) callbacks answered 200 before the kill, \(delivered) messages delivered, \(events.count) events")
        #expect(ok.count >= messages / 3)
        #expect(Int64(events.count) == delivered, "one event per delivered message: none lost, none invented")
        #expect(Set(metas).count == metas.count)
        #expect(Set(ok.map { "m\($0)" }).isSubset(of: Set(metas)), "every callback answered 200 has its event")
        #expect(events.allSatisfy { $0.type == .messageDelivered })
        await f.testStore.close()
    }
}
