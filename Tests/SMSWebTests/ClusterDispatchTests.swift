import Foundation
import Logging
import SMSCore
import SMSServer
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 14 with real processes: three `smsstats serve` nodes on one PostgreSQL database dispatch
/// one campaign to `smsstats sink` through a provider limited to 100 msg/s; one node is SIGKILLed
/// mid-dispatch and restarted under its node id. Then: every recipient received, the duplicates at
/// the sink are at most the killed node's leased claims (counted in the database right after the
/// kill), exactly those claims were queued again (the nodes' logs), and the sink's rate stayed at
/// most 110 messages in every 1 s window (the shared bucket; three nodes must not send 300/s).
@Suite("Several nodes: 3 serve processes on one PostgreSQL", .serialized)
struct ClusterDispatchTests {
    @Test("3 nodes, 1 SIGKILLed and restarted: everyone received, duplicates ≤ the killed node's leased claims, ≤ 110 msg/s", .timeLimit(.minutes(6)))
    func threeNodes() async throws {
        guard StoreKind.postgresURL != nil else { return }
        let bin = DispatchCrashTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: bin.path), "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ts = try await TestStore.make(.postgres)
        let refsFile = dir.appendingPathComponent("refs.txt")
        let sink = try ChildProcess(bin, ["sink", "--port", "0", "--out", refsFile.path], log: dir.appendingPathComponent("sink.log"))
        defer { sink.kill(SIGTERM) }
        let port = try await sink.waitForLine(#"sink listening on port (\d+)"#, timeout: .seconds(30))
        // 1,500 recipients at 100 msg/s (requests of 5, 2 in flight per node): about 14 s of sending.
        let recipients = 1_500
        let (campaignId, expected) = try await DispatchCrashTests.seed(
            dbPath: ts.databaseURL, sinkPort: port, recipients: recipients, rate: 100, batch: 5, concurrency: 2)

        var logs: [ChildProcess] = []
        func serve(_ node: Int) throws -> ChildProcess {
            let p = try ChildProcess(
                bin,
                [
                    "serve", "--database", ts.databaseURL, "--port", "0", "--admin-token", "t", "--dispatch-interval-ms", "20",
                    "--node-id", "n\(node)", "--lease-seconds", "3", "--log-level", "info",
                ],
                log: dir.appendingPathComponent("serve-n\(node)-\(logs.count).log"))
            logs.append(p)
            return p
        }
        var nodes = try (0..<3).map(serve)
        defer { for n in nodes { n.kill(SIGTERM) } }

        // The sink's count, sampled every 50 ms, for the rate.
        let sampler = Task { () -> [(Double, Int)] in
            var samples: [(Double, Int)] = []
            while !Task.isCancelled {
                samples.append((Date().timeIntervalSince1970, DispatchCrashTests.lines(refsFile).count))
                try? await Task.sleep(for: .milliseconds(50))
            }
            return samples
        }
        // Kill node 1 once sending is well under way; its leased claims are counted at once (dead, it renews nothing).
        let deadline = ContinuousClock.now + .seconds(60)
        while DispatchCrashTests.lines(refsFile).count < 300, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let holder = try await nodes[1].waitForLine(#"leaseHolder=(n1@[0-9a-f]+)"#, timeout: .seconds(5))
        // ... at a moment when it holds claims (it may hold none: the 2 requests in flight are shared by the 3 nodes).
        let holding = ContinuousClock.now + .seconds(20)
        while try await ts.int("SELECT COUNT(*) FROM messages WHERE claim_node = ? AND send_attempt IS NOT NULL", [.text(holder)]) == 0,
            ContinuousClock.now < holding
        {
            try await Task.sleep(for: .milliseconds(2))
        }
        nodes[1].kill(SIGKILL)
        let receivedAtKill = DispatchCrashTests.lines(refsFile).count
        let killedClaims = Int(try await ts.int(
            "SELECT COUNT(*) FROM messages WHERE claim_node = ? AND send_attempt IS NOT NULL", [.text(holder)]) ?? -1)
        let liveClaims = Int(try await ts.int(
            "SELECT COUNT(*) FROM messages WHERE claim_node <> ? AND send_attempt IS NOT NULL", [.text(holder)]) ?? -1)
        try await Task.sleep(for: .seconds(1))
        nodes[1] = try serve(1)
        let finished = try await DispatchCrashTests.waitCompleted(dbPath: ts.databaseURL, campaignId: campaignId, timeout: .seconds(90))
        sampler.cancel()
        let samples = await sampler.value
        for n in nodes { n.kill(SIGTERM) }
        #expect(finished, "campaign did not complete")

        let received = DispatchCrashTests.lines(refsFile)
        var perRef: [String: Int] = [:]
        for ref in received { perRef[ref, default: 0] += 1 }
        let duplicates = received.count - perRef.count
        let requeued = logs.flatMap { DispatchCrashTests.recoveredCounts($0.log) }.reduce(0, +)
        // Everyone received; the killed node's claims (at most 2 requests × 5) are the whole window.
        #expect(Set(perRef.keys) == expected)
        #expect(receivedAtKill < expected.count, "the kill came after the end of sending")
        // maxConcurrency 2 × 5 per request holds for the 3 nodes together.
        #expect(killedClaims >= 0 && killedClaims + liveClaims <= 10)
        #expect(duplicates <= killedClaims)
        #expect(requeued == killedClaims, "re-queued \(requeued), the killed node held \(killedClaims)")
        // Rate: the most messages in any window of at most 1 s between two samples.
        var worst = 0
        var j = 0
        for i in samples.indices {
            while samples[i].0 - samples[j].0 > 1.0 { j += 1 }
            worst = max(worst, samples[i].1 - samples[j].1)
        }
        #expect(worst <= 110, "the sink received \(worst) messages in one second")
        let seconds = (samples.last?.0 ?? 0) - (samples.first?.0 ?? 0)
        let line =
            "cluster test: 3 nodes, node n1 SIGKILLed at \(receivedAtKill) received, holding \(killedClaims) leased claims (live nodes: \(liveClaims)); "
            + "re-queued \(requeued); received \(received.count) for \(perRef.count) recipients → \(duplicates) duplicates; "
            + "most in any 1 s window \(worst) (limit 100/s), \(received.count) in \(String(format: "%.1f", seconds)) s"
        print(line)
        try? (line + "\n").write(
            to: DispatchCrashTests.outputDirectory().appendingPathComponent("cluster-dispatch.txt"), atomically: true, encoding: .utf8)
        await ts.close()
    }
}
