import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smsstats serve` drains on SIGTERM (``NodeDrain``, `--drain-seconds`): a real process, stopped
/// while provider requests (a slow sink: 0.5 s per request) and callbacks are in flight.
@Suite("Cluster: SIGTERM drains a node", .serialized)
struct DrainTests {
    @Test(
        "SIGTERM during sends: exit 0 within the drain time, no claim left, each message the sink got recorded sent once, every acknowledged callback stored; a restart sends the rest",
        .timeLimit(.minutes(6)), arguments: StoreKind.allCases)
    func sigtermDuringSends(kind: StoreKind) async throws {
        let recipients = 2_000
        let run = try await ClusterRun.make(kind: kind, nodes: 1, sinkDelayMs: 500, drainSeconds: 15)
        try await run.seed(recipients: recipients, batch: 25, concurrency: 4)
        try await run.startNode(0)
        let load = CallbackLoad()
        let url = "http://127.0.0.1:\(run.nodePorts[0])"
        let loadTask = Task { await load.run(baseURL: { url }, refs: { run.received() }, batch: 10, workers: 2) }
        // Sending (about 200 messages a second), callbacks acknowledged: then stop the node.
        let deadline = ContinuousClock.now + .seconds(30)
        while run.received().count < 300 || load.acked.count < 50, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let (status, took) = try await run.terminateNode(0, timeout: .seconds(25))
        load.stop()
        await loadTask.value
        let log = run.logs()
        #expect(status == 0, "serve did not exit 0 on SIGTERM; logs:\n\(log)")
        #expect(took < .seconds(5), "the drain took \(took) with 0.5 s provider requests")
        #expect(log.contains("draining"))
        #expect(log.contains("drained: dispatcher stopped"))

        // Nothing left claimed; what the sink received is recorded as sent, once; the rest is queued.
        #expect(try await run.claimed() == 0)
        let received = run.received()
        let unique = Set(received)
        #expect(received.count == unique.count, "a drain must not resend")
        #expect(unique.count < recipients, "the node was stopped mid-campaign")
        let totals = try await run.totals()
        #expect(totals[RollupKey(.sent)] ?? 0 == Int64(unique.count))
        #expect(totals[RollupKey(.queued)] ?? 0 == Int64(recipients - unique.count))
        // Every acknowledged callback item is stored.
        let delivered = try await run.deliveredMetas()
        #expect(!load.acked.isEmpty)
        #expect(load.acked.subtracting(delivered).isEmpty, "acknowledged but not stored: \(load.acked.subtracting(delivered).count)")

        // Another start sends the rest, each message once.
        try await run.startNode(0)
        #expect(try await run.waitCompleted(timeout: .seconds(60)))
        _ = try await run.terminateNode(0, timeout: .seconds(25))
        let all = run.received()
        #expect(Set(all) == run.expected)
        #expect(all.count == recipients, "duplicates: \(all.count - Set(all).count)")
        print("drain test (\(kind)): drained in \(took) with \(unique.count) of \(recipients) sent; \(load.acked.count) callback items acknowledged, \(load.failed.count) requests refused after the drain")
        await run.stop()
    }

    @Test(
        "provider requests longer than --drain-seconds: exit 0 soon after the deadline, the cut-off claims queued again (not failed)",
        .timeLimit(.minutes(2)), arguments: StoreKind.allCases)
    func drainDeadline(kind: StoreKind) async throws {
        let recipients = 100
        let run = try await ClusterRun.make(kind: kind, nodes: 1, sinkDelayMs: 4_000, drainSeconds: 1)
        try await run.seed(recipients: recipients, batch: 10, concurrency: 2)
        try await run.startNode(0)
        let deadline = ContinuousClock.now + .seconds(30)
        while run.received().count < 20, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let (status, took) = try await run.terminateNode(0, timeout: .seconds(15))
        let log = run.logs()
        #expect(status == 0, "logs:\n\(log)")
        #expect(took < .seconds(4), "the drain deadline is 1 s; took \(took)")
        // The two requests in flight were cut off: their 20 claims are queued again, nothing is failed.
        #expect(try await run.claimed() == 0)
        let totals = try await run.totals()
        #expect(totals[RollupKey(.sent)] ?? 0 == 0)
        #expect(totals[RollupKey(.dispatchErrors)] ?? 0 == 0)
        #expect(totals[RollupKey(.queued)] ?? 0 == Int64(recipients))
        #expect(log.contains("released=20"), "logs:\n\(log)")
        await run.stop()
    }
}
