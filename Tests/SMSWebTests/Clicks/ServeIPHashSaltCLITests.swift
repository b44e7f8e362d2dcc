import AsyncHTTPClient
import Crypto
import Foundation
import SMSCore
import SMSStoreSQLite
import SMSStoreTestSupport
import Testing


/// `smsstats serve` (a child process) started twice over one database hashes the same visitor IP
/// to the same value (the salt stored at the first start is read at the second), never prints
/// the salt, and takes `--ip-hash-salt` instead when given.
@Suite("smsstats serve: the IP-hash salt across restarts", .serialized)
struct ServeIPHashSaltCLITests {
    /// Starts `smsstats serve` on `dbPath` with `extra` arguments, clicks `code` once from
    /// 127.0.0.1, stops the server (SIGTERM) and returns its log.
    static func serveAndClick(dbPath: String, code: String, extra: [String] = [], log: URL, http: HTTPClient) async throws -> String {
        let serve = try ChildProcess(
            DispatchCrashTests.binary,
            ["serve", "--database", dbPath, "--port", "0", "--admin-token", "t", "--no-click-journal", "--log-level", "debug"] + extra,
            log: log)
        defer { serve.kill(SIGTERM) }
        let port = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/l/\(code)")
        request.headers.add(name: "User-Agent", value: RedirectRouteTests.iPhone)
        let response = try await http.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 302)
        serve.kill(SIGTERM)
        return serve.log
    }

    static func expectedHash(salt: String) -> String {
        SHA256.hash(data: Data("\(salt)|127.0.0.1".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test("two serve runs over one database: one stored salt, the same hash twice, the salt in no log", .timeLimit(.minutes(3)))
    func sameHashAcrossRestarts() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path),
            "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-salt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dbPath = dir.appendingPathComponent("db.sqlite").path
        let code = try #require(try await ClickJournalCrashTests.seed(store: try SQLiteStore(path: dbPath), messages: 1).first)
        var config = HTTPClient.Configuration()
        config.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        var logs: [String] = []
        do {
            for round in 0..<2 {
                logs.append(
                    try await Self.serveAndClick(dbPath: dbPath, code: code, log: dir.appendingPathComponent("serve-\(round).log"), http: http))
            }
            // A third run with an operator salt: that one is used, the stored one is kept.
            logs.append(
                try await Self.serveAndClick(
                    dbPath: dbPath, code: code, extra: ["--ip-hash-salt", "operator-salt-0123456789"],
                    log: dir.appendingPathComponent("serve-2.log"), http: http))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()

        let store = try SQLiteStore(path: dbPath)
        let salt = try await store.setting(key: IPHashSalt.settingKey, insertingIfAbsent: "not-stored")
        #expect(salt.count == 64)
        let hits = try await store.clickHits(campaignId: "crash", filter: .all, limit: 10)
        // Newest first.
        #expect(
            hits.map(\.ipHash) == [
                Self.expectedHash(salt: "operator-salt-0123456789"), Self.expectedHash(salt: salt), Self.expectedHash(salt: salt),
            ])
        for log in logs {
            #expect(!log.contains(salt))
            #expect(!log.contains("operator-salt-0123456789"))
        }
        // Only the first start (no salt yet, none configured) says it generated one.
        #expect(logs.map { $0.contains("generated the IP-hash salt and stored it in the database") } == [true, false, false])
    }

    @Test("a salt shorter than 16 characters is refused before anything starts")
    func shortSaltRefused() throws {
        let run = try SMSStatsCLI.run(["serve", "--database", "/nonexistent/dir/db.sqlite", "--ip-hash-salt", "short"])
        #expect(run.status != 0)
        #expect(run.err.contains("--ip-hash-salt (or SMSSTATS_IP_HASH_SALT) must be at least 16 characters"))
    }
}
