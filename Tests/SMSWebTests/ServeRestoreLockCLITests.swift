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
                    == "smsstats restore: \(db) is in use by a running server (smsstats serve pid \(serve.process.pid) on 127.0.0.1:0; "
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

    /// Issue 15: `backup --to` the live database (itself, or of a running server) and `restore`
    /// through a symlink or a hard link to it were accepted and wrote under the server.
    @Test("backup onto the live database and restore through a symlink or hard link are refused while serve runs", .timeLimit(.minutes(3)))
    func linksAndBackupTargetRefused() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path))
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("smsstats-restore-lock-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let db = dir.appendingPathComponent("c.sqlite").path
        let other = dir.appendingPathComponent("other.sqlite").path
        let backup = dir.appendingPathComponent("bk.sqlite").path
        let symlink = dir.appendingPathComponent("link.sqlite").path
        let hardlink = dir.appendingPathComponent("hard.sqlite").path
        _ = try SQLiteStore(path: db)
        _ = try SQLiteStore(path: other)
        #expect(try await SMSStatsCLI.runOnOwnThread(["backup", "--database", db, "--to", backup]).status == 0)
        try fm.createSymbolicLink(atPath: symlink, withDestinationPath: db)
        try fm.linkItem(atPath: db, toPath: hardlink)
        // The same file, no server: refused too (replacing it would delete its -wal).
        let selfCopy = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", db, "--to", symlink, "--force"])
        #expect(selfCopy.status == 1)
        #expect(selfCopy.err == "smsstats backup: \(symlink) is the database itself (\(db)); choose another backup file\n")

        let serve = try ChildProcess(
            DispatchCrashTests.binary, ["serve", "--database", db, "--port", "0", "--admin-token", "t"],
            log: dir.appendingPathComponent("serve.log"))
        defer { serve.kill(SIGTERM) }
        _ = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
        let pid = serve.process.pid
        #expect(fm.fileExists(atPath: db + "-wal"))

        let onItself = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", db, "--to", db, "--force"])
        #expect(onItself.status == 1)
        #expect(onItself.err == "smsstats backup: \(db) is the database itself (\(db)); choose another backup file\n")
        let onServed = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", other, "--to", db, "--force"])
        #expect(onServed.status == 1)
        #expect(
            onServed.err == "smsstats backup: \(db) is in use by a running server (smsstats serve pid \(pid) on 127.0.0.1:0; "
                + "it holds \(db)-serve.lock): choose another backup file\n")
        let viaSymlink = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", symlink, "--force"])
        #expect(viaSymlink.status == 1)
        #expect(
            viaSymlink.err == "smsstats restore: \(symlink) is in use by a running server (smsstats serve pid \(pid) on 127.0.0.1:0; "
                + "it holds \(db)-serve.lock): stop it first, then restore\n")
        let viaHardlink = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", hardlink, "--force"])
        #expect(viaHardlink.status == 1)
        #expect(
            viaHardlink.err == "smsstats restore: \(hardlink) is in use by a running server (smsstats serve; it holds \(hardlink)): "
                + "stop it first, then restore\n")
        let backupToHardlink = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", other, "--to", hardlink, "--force"])
        #expect(backupToHardlink.status == 1)
        // Nothing under the server was touched.
        #expect(serve.process.isRunning)
        #expect(fm.fileExists(atPath: db + "-wal"))
        #expect(fm.fileExists(atPath: db + "-shm"))
        serve.kill(SIGTERM)
        serve.process.waitUntilExit()
        let restored = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", hardlink, "--force"])
        #expect(restored.status == 0, "\(restored.err)")
    }
}
