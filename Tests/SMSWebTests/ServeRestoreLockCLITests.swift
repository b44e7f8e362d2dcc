import Foundation
import SMSStoreSQLite
import SMSStoreTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `smsstats restore --force` onto the database of a running `smsstats serve` (a child process)
/// is refused, naming the server (issue 15, a new-user tester's finding), with the click journal
/// beside the database and without one; once the server stopped, the same restore succeeds. A
/// server does not start while a restore holds the database.
@Suite("smsstats restore: refused while serve runs on the database", .serialized)
struct ServeRestoreLockCLITests {
    @Test("restore --force is refused while serve runs (journal on and off), succeeds once it stopped", .timeLimit(.minutes(3)))
    func refusedWhileServing() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path),
            "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-restore-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite").path
        let backup = dir.appendingPathComponent("db.backup").path
        _ = try SQLiteStore(path: db)
        #expect(try await SMSStatsCLI.runOnOwnThread(["backup", "--database", db, "--to", backup]).status == 0)

        for (round, extra) in [[String](), ["--no-click-journal"]].enumerated() {
            let serve = try ChildProcess(
                DispatchCrashTests.binary, ["serve", "--database", db, "--port", "0", "--admin-token", "t"] + extra,
                log: dir.appendingPathComponent("serve-\(round).log"))
            defer { serve.kill(SIGTERM) }
            _ = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
            let refused = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", db, "--force"])
            #expect(refused.status == 1)
            #expect(
                refused.err
                    == "smsstats restore: \(db) is in use by a running server (smsstats serve pid \(serve.process.processIdentifier) on 127.0.0.1:0; "
                    + "it holds \(db)-serve.lock): stop it first, then restore\n", "\(extra)")
            // The server was not disturbed.
            #expect(serve.process.isRunning)
            serve.kill(SIGTERM)
        }
        let restored = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", db, "--force"])
        #expect(restored.status == 0, "\(restored.err)")
    }

    @Test("serve refuses to start while a restore holds the database", .timeLimit(.minutes(2)))
    func serveWaitsForRestore() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-restore-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("db.sqlite").path
        _ = try SQLiteStore(path: db)
        let lock = try SQLiteServeLock.restore(database: db, holder: "smsstats restore pid 4242")
        let run = try await SMSStatsCLI.runOnOwnThread(["serve", "--database", db, "--port", "0", "--admin-token", "t"])
        lock.release()
        #expect(run.status == 1)
        #expect(run.err.contains("\(db) is being restored (smsstats restore pid 4242 holds \(db)-serve.lock); start the server once it is done"), "\(run.err)")
    }
}
