import AsyncHTTPClient
import Foundation
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSStoreTestSupport
import SMSTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The export streams in bounded memory (issue 17): a real `smsstats serve` (a child process) over
/// a SQLite database of N messages; a client downloads `messages.csv` and counts its lines
/// without keeping them; the server's peak resident set (`VmHWM` of `/proc/<pid>/status`) may
/// grow by at most ``peakGrowthBound`` during the download, measured from the peak after a
/// warm-up export that reads every message (and fills SQLite's page cache) but emits none.
/// Holding the result (or the unsent body) would grow it by the body's size: ~14 MB at 100,000
/// messages, ~140 MB at 1,000,000.
///
/// N is 100,000 (always on, ~10 s here); `SMSSTATS_EXPORT_ROWS=1000000` runs the benchmark size
/// (BENCHMARKS.md records the figures). The figures go to `export-memory-<N>.txt` in `SMSSTATS_TEST_OUTPUT` (or the temporary
/// directory).
@Suite("Message log export: bounded memory in a real server", .serialized)
struct MessageLogExportMemoryTests {
    static let peakGrowthBound = 8 * 1024 * 1024

    static var rows: Int { Int(ProcessInfo.processInfo.environment["SMSSTATS_EXPORT_ROWS"] ?? "") ?? 100_000 }

    /// `VmHWM` / `VmRSS` of a process in bytes.
    static func memory(_ pid: pid_t, _ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first
            if let kb, let v = Int(kb) { return v * 1024 }
        }
        throw CrashTestError("no \(field) in /proc/\(pid)/status")
    }

    /// A campaign `big` of `count` messages (a third control, the rest dispatch errors with a
    /// reason, every one with a phone), written in batches of 10,000.
    static func seed(_ path: String, count: Int) async throws {
        let store = try SQLiteStore(path: path)
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "G", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbacksEnabled: true,
                callbackSecret: "s", createdAt: 0))
        try await store.insertCampaign(
            Campaign(id: "big", name: "Big", providerId: "p1", body: "x", links: [], audience: .all, timezone: "UTC", goal: nil, createdAt: 0))
        var i = 0
        while i < count {
            let n = min(10_000, count - i)
            try await store.insertMessages(
                (i..<(i + n)).map { k in
                    NewMessage(
                        campaignId: "big", userId: String(format: "user-%07d", k), phone: "+4915\(String(format: "%08d", k))",
                        meta: String(format: "m%07d", k), body: "x", segments: 1 + k % 3, variant: k % 2,
                        dispatch: k % 3 == 0 ? .control : .dispatchError,
                        dispatchErrorReason: k % 3 == 0 ? nil : "provider HTTP error 503, \"retry\" later", createdAt: 1_700_000_000,
                        links: [])
                })
            i += n
        }
    }

    /// Downloads `path`, counting bytes and line ends as they come.
    static func download(_ client: HTTPClient, _ url: String) async throws -> (status: UInt, bytes: Int, lines: Int) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer t")
        let response = try await client.execute(request, timeout: .seconds(600))
        var bytes = 0
        var lines = 0
        for try await buffer in response.body {
            bytes += buffer.readableBytes
            buffer.withUnsafeReadableBytes { raw in for b in raw where b == 0x0A { lines += 1 } }
        }
        return (response.status.code, bytes, lines)
    }

    @Test("a large CSV export grows the server's peak RSS by a bounded amount", .timeLimit(.minutes(20)))
    func boundedPeakRSS() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path))
        let count = Self.rows
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("s10e-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite").path
        let seedStart = ContinuousClock.now
        try await Self.seed(db, count: count)
        let seeded = ContinuousClock.now - seedStart

        let serve = try ChildProcess(
            DispatchCrashTests.binary, ["serve", "--database", db, "--port", "0", "--admin-token", "t"],
            log: dir.appendingPathComponent("serve.log"))
        defer { serve.kill(SIGTERM) }
        let port = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
        let pid = serve.process.pid
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let base = "http://127.0.0.1:\(port)/api/v1/campaigns/big/messages"
        do {
            // Warm-up: every message read, none matches.
            let warm = try await Self.download(client, base + ".csv?errorCode=none")
            #expect(warm.status == 200 && warm.lines == 1)
            let before = try Self.memory(pid, "VmHWM")
            let start = ContinuousClock.now
            let got = try await Self.download(client, base + ".csv")
            let elapsed = ContinuousClock.now - start
            let after = try Self.memory(pid, "VmHWM")
            #expect(got.status == 200)
            #expect(got.lines == count + 1, "a header and one line per message")
            let growth = after - before
            #expect(growth <= Self.peakGrowthBound, "peak RSS grew by \(growth) bytes during a \(got.bytes)-byte export")
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let report = """
                messages: \(count)
                seeded in: \(seeded)
                CSV bytes: \(got.bytes)
                export time: \(String(format: "%.2f", seconds)) s
                rows/s: \(Int(Double(count) / max(seconds, 0.001)))
                peak RSS before (after warm-up): \(before / 1024) KiB
                peak RSS after: \(after / 1024) KiB
                growth: \(growth / 1024) KiB (bound \(Self.peakGrowthBound / 1024) KiB)

                """
            print(report)
            let out = DispatchCrashTests.outputDirectory().appendingPathComponent("export-memory-\(count).txt")
            try? report.write(to: out, atomically: true, encoding: .utf8)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
