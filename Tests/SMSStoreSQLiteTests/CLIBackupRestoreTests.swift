import Foundation
import GRDB
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSStoreSQLite

/// `smsstats backup` and `smsstats restore` run as the real executable against a SQLite file that
/// the test process keeps writing callbacks to (WAL mode, as `serve` opens it): the backup is one
/// consistent commit of the source, whose stats are a recount of its own raw rows and a prefix of
/// the callbacks applied.
@Suite("CLI: smsstats backup and restore (SQLite online backup)", .serialized)
struct CLIBackupRestoreTests {
    static func file(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-\(name)-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("a backup taken while callbacks are applied restores to a consistent prefix: stats = recount, receipts = the first k applied")
    func backupUnderLoad() async throws {
        let f = try await StatsFixture(kind: .sqlite)
        let total = 400
        try await f.sendMessages(total)
        let source = f.testStore.databaseURL
        let backup = Self.file("backup")
        let restored = Self.file("restored")
        defer { Self.remove(backup); Self.remove(restored) }

        let applied = Counter()
        let writer = Task {
            for i in 0..<total {
                try await f.callback(.delivered, i, at: StatsFixture.t + 10 + Int64(i))
                applied.add()
            }
        }
        while applied.value < 40 { try await Task.sleep(nanoseconds: 2_000_000) }
        let before = applied.value
        let run = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", source, "--to", backup])
        let after = applied.value
        try await writer.value
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.hasPrefix("backed up \(source) to \(backup): "), "\(run.out)")

        let restore = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", restored])
        #expect(restore.status == 0, "\(restore.err)")
        #expect(restore.out.contains("1 campaigns"), "\(restore.out)")

        let copy = try SQLiteStore(path: restored)
        let k = try await DatabaseQueue(path: restored).read { db in
            try String.fetchAll(db, sql: "SELECT m.meta FROM message_events e JOIN messages m ON m.id = e.message_id ORDER BY e.id")
        }
        // Callbacks were applied one transaction each, in order: the copy holds exactly the first k.
        #expect(k.count >= before && k.count <= max(after, before) + 1 && k.count <= total, "k \(k.count), before \(before), after \(after)")
        #expect(k == (0..<k.count).map { "m\($0)" })
        let stats = try await CampaignStatsQueries(store: copy).summary(f.campaign).all
        #expect(stats.delivered == Int64(k.count))
        #expect(stats.sent == Int64(total))
        #expect(stats.pending == Int64(total - k.count))
        // The stats are a recount of the copy's own raw rows.
        let report = try await copy.reconcile(campaignId: "c1", repair: false)
        #expect(report.isClean, "\(report)")
        // The source went on: all receipts.
        #expect(try await f.queries.summary(f.campaign).all.delivered == Int64(total))
    }

    @Test("backup and restore refuse an existing target without --force, a missing source, a file that is no SMSStats database and a PostgreSQL URL")
    func refusals() async throws {
        let f = try await StatsFixture(kind: .sqlite)
        try await f.sendMessages(3)
        let source = f.testStore.databaseURL
        let backup = Self.file("backup")
        let other = Self.file("other")
        defer { Self.remove(backup); Self.remove(other) }
        #expect(try await SMSStatsCLI.runOnOwnThread(["backup", "--database", source, "--to", backup]).status == 0)

        let again = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", source, "--to", backup])
        #expect(again.status == 1)
        #expect(again.err == "smsstats backup: \(backup) exists; pass --force to replace it\n")
        #expect(try await SMSStatsCLI.runOnOwnThread(["backup", "--database", source, "--to", backup, "--force"]).status == 0)

        let missing = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", other, "--to", other + ".bak"])
        #expect(missing.err == "smsstats backup: no database at \(other)\n")
        #expect(!FileManager.default.fileExists(atPath: other))

        let over = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", source])
        #expect(over.status == 1)
        #expect(over.err == "smsstats restore: \(source) exists; pass --force to replace it (stop serve on it first)\n")

        try await DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        let foreign = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", other, "--database", other + ".db"])
        #expect(foreign.err == "smsstats restore: \(other) is not an SMSStats database (no campaigns, messages and rollups tables)\n")
        #expect(!FileManager.default.fileExists(atPath: other + ".db"))

        // A file that is no SQLite database at all (SQLite's error 26 is not shown raw).
        let text = Self.file("text")
        defer { Self.remove(text) }
        try Data("name,phone\nAnna,+4915112345678\n".utf8).write(to: URL(fileURLWithPath: text))
        let notSQLite = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", text, "--database", other + ".db"])
        #expect(notSQLite.status == 1)
        #expect(notSQLite.err == "smsstats restore: \(text) is not an SMSStats backup (not a SQLite database)\n")
        #expect(!FileManager.default.fileExists(atPath: other + ".db"))
        let backupText = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", text, "--to", other + ".bak"])
        #expect(backupText.err == "smsstats backup: \(text) is not an SMSStats database (not a SQLite database)\n")

        let pg = try await SMSStatsCLI.runOnOwnThread(["backup", "--database", "postgres://u:p@127.0.0.1:5432/db", "--to", other + ".dump"])
        #expect(pg.status == 1)
        #expect(pg.err.contains("--database is a PostgreSQL URL: back it up with the standard tools (pg_dump --format=custom --file=FILE"), "\(pg.err)")

        // --force replaces a database with the backup's contents (3 messages, not 5).
        try await f.store.insertMessages([StatsFixture.message(3), StatsFixture.message(4)])
        let forced = try await SMSStatsCLI.runOnOwnThread(["restore", "--from", backup, "--database", other, "--force"])
        #expect(forced.status == 0, "\(forced.err)")
        let count = try await DatabaseQueue(path: other).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM messages") }
        #expect(count == 3)
    }

    @Test("a directory or a missing directory given for a file is refused in words (not SQLite's error 10 or 14), nothing written")
    func directories() async throws {
        let f = try await StatsFixture(kind: .sqlite)
        try await f.sendMessages(2)
        let source = f.testStore.databaseURL
        let dir = Self.file("dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let backup = Self.file("backup")
        defer { Self.remove(backup); try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await SMSStatsCLI.runOnOwnThread(["backup", "--database", source, "--to", backup]).status == 0)
        let cases: [([String], String)] = [
            (["restore", "--from", dir, "--database", dir + "/x.db"],
             "smsstats restore: \(dir) is a directory; give the backup file to read (made by smsstats backup), e.g. \(dir)/smsstats.sqlite\n"),
            (["restore", "--from", backup, "--database", dir, "--force"],
             "smsstats restore: \(dir) is a directory; give the SQLite database file to write, e.g. \(dir)/smsstats.sqlite\n"),
            (["restore", "--from", backup, "--database", dir + "/no/such/x.db"],
             "smsstats restore: \(dir)/no/such/x.db: the directory \(dir)/no/such does not exist; give the SQLite database file to write in an existing directory\n"),
            (["backup", "--database", source, "--to", dir, "--force"],
             "smsstats backup: \(dir) is a directory; give the backup file to write, e.g. \(dir)/smsstats.sqlite\n"),
            (["backup", "--database", dir, "--to", dir + "/b.bak"],
             "smsstats backup: \(dir) is a directory; give the SQLite database file to copy, e.g. \(dir)/smsstats.sqlite\n"),
        ]
        for (args, expected) in cases {
            let run = try await SMSStatsCLI.runOnOwnThread(args)
            #expect(run.status == 1, "\(args)")
            #expect(run.err == expected, "\(args)")
            #expect(!run.err.contains("SQLite error"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}

/// A counter shared with the writer task.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
