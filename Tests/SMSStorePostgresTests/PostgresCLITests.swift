import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// `smsstats stats` and `smsstats reconcile` with `--database postgres://…`, run as the real
/// executable against a campaign recorded through the PostgreSQL store.
@Suite("CLI on PostgreSQL: smsstats stats and reconcile", .serialized)
struct PostgresCLITests {
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SMSSTATS_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("smsstats").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("smsstats")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the smsstats executable first")
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "SMSSTATS_DATABASE")
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// The cells after the first of the table row whose first cell is `name`.
    static func row(_ out: String, _ name: String) -> [String]? {
        for line in out.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count > 2, cells[1] == name { return Array(cells[2..<(cells.count - 1)]) }
        }
        return nil
    }

    /// 4 messages sent, 3 delivered, 1 failed.
    static func seed(_ ts: TestStore) async throws {
        let t0: Int64 = 1_700_000_000
        let store = ts.store
        try await store.insertProvider(
            ProviderConfig(id: "p1", name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"to":"$$To"}"#, callbackSecret: "s", createdAt: t0))
        try await store.insertCampaign(
            Campaign(id: "c1", name: "Spring", providerId: "p1", body: "Hi", links: [], audience: .all, timezone: "UTC", goal: nil,
                     createdAt: t0))
        try await store.insertMessages((0..<4).map {
            NewMessage(campaignId: "c1", userId: "u\($0)", phone: "+4915123456789", meta: "m\($0)", body: "Hi", segments: 1,
                       dispatch: .queued, createdAt: t0, links: [])
        })
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 10)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: t0 + 1) })
        _ = try await store.applyCallbacks(
            providerId: "p1",
            items: (0..<3).map { CallbackItem(kind: .delivered, meta: "m\($0)", ts: t0 + 5) }
                + [CallbackItem(kind: .failed, meta: "m3", ts: t0 + 5, code: "30003")],
            receivedAt: t0 + 10)
    }

    @Test func statsAndReconcileTakeAPostgresURL() async throws {
        let ts = try await TestStore.make(.postgres)
        try await Self.seed(ts)
        let url = ts.databaseURL

        let stats = try Self.run(["stats", "c1", "--database", url])
        #expect(stats.status == 0, "\(stats.err)")
        #expect(stats.out.contains("Spring (c1)"))
        #expect(Self.row(stats.out, "Sent") == ["4"], "\(stats.out)")
        #expect(Self.row(stats.out, "Delivered") == ["3"], "\(stats.out)")
        #expect(Self.row(stats.out, "Failed") == ["1"], "\(stats.out)")

        let unknown = try Self.run(["stats", "nope", "--database", url])
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("unknown campaign 'nope' in postgres://"), "\(unknown.err)")
        if let password = URLComponents(string: url)?.password { #expect(!unknown.err.contains(password), "password printed") }

        #expect(try Self.run(["reconcile", "--database", url]).status == 0)
        try await ts.query("UPDATE rollups SET value = value + 2 WHERE metric = 'delivered' AND bucket = -1")
        let drift = try Self.run(["reconcile", "c1", "--database", url])
        #expect(drift.status == 1)
        #expect(drift.out.contains("drift found (run with --repair to fix)"), "\(drift.out)")
        #expect(Self.row(drift.out, "delivered") == ["5", "3", "-2", "1"], "\(drift.out)")
        #expect(try Self.run(["reconcile", "c1", "--repair", "--database", url]).status == 0)
        let after = try Self.run(["reconcile", "c1", "--database", url])
        #expect(after.status == 0)
        #expect(after.out.contains("no drift"), "\(after.out)")
        await ts.close()
    }
}
