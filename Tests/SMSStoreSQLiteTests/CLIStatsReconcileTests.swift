import Foundation
import GRDB
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSStoreSQLite

/// `smsstats stats` and `smsstats reconcile` run as the real executable (a child process) against a
/// SQLite database file holding ``StatsFixture/busyHistory(_:)``: the printed numbers, the exit
/// statuses (reconcile: 0 clean or repaired, 1 drift left) and the error for an unknown campaign.
@Suite("CLI: smsstats stats and smsstats reconcile", .serialized)
struct CLIStatsReconcileTests {
    static func databaseFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-cli-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    @Test("stats prints the campaign's numbers, all variants and one column per variant")
    func statsTable() async throws {
        let f = try await StatsFixture.busyHistory(.sqlite)
        let path = f.testStore.databaseURL
        let r = try await SMSStatsCLI.runOnOwnThread(["stats", "c1", "--database", path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasPrefix("Spring (c1), status draft, time zone Europe/Berlin"), "\(r.out)")
        // Six sent: even users in variant 0, odd users in variant 1 (busyHistory).
        #expect(r.row("Sent") == ["6", "3", "3"], "\(r.out)")
        #expect(r.row("Delivered") == ["2", "1", "1"])  // u0 receipt (variant 0), u5 provider click (variant 1)
        #expect(r.row("inferred from clicks") == ["1", "0", "1"])
        #expect(r.row("Failed") == ["1", "0", "1"])
        #expect(r.row("Pending") == ["3", "2", "1"])
        #expect(r.row("Targeted") == ["8", "5", "3"])  // with the control and the dispatch error (variant 0)
        #expect(r.row("Dispatch errors") == ["1", "1", "0"])
        #expect(r.row("Control group") == ["1", "1", "0"])
        #expect(r.row("Clicks") == ["3", "2", "1"])
        #expect(r.row("Unique clicks") == ["2", "1", "1"])
        #expect(r.row("Bot / preview hits") == ["1", "1", "0"])
        #expect(r.row("CTR") == ["100.00 % of delivered", "100.00 % of delivered", "100.00 % of delivered"])
        #expect(r.row("Delivery rate") == ["33.33 %", "33.33 %", "33.33 %"])
        #expect(r.row("Converted %") == ["16.67 %", "33.33 %", "0.00 %"])
        #expect(r.row("Revenue") == ["30.00", "30.00", "0.00"])
        #expect(r.row("Opt-outs") == ["1", "1", "0"])
        #expect(r.row("Replies") == ["2", "1", "1"])
    }

    @Test("stats of an unknown campaign exits non-zero and names the campaign")
    func statsUnknownCampaign() async throws {
        let f = try await StatsFixture.busyHistory(.sqlite)
        let path = f.testStore.databaseURL
        let r = try await SMSStatsCLI.runOnOwnThread(["stats", "nope", "--database", path])
        #expect(r.status != 0)
        #expect(r.err.contains("unknown campaign 'nope'"), "\(r.err)")
    }

    @Test("stats and reconcile on a path with no database fail and create nothing")
    func missingDatabase() async throws {
        let path = Self.databaseFile()
        defer { Self.remove(path) }
        for args in [["stats", "c1", "--database", path], ["reconcile", "--database", path]] {
            let r = try await SMSStatsCLI.runOnOwnThread(args)
            #expect(r.status != 0)
            #expect(r.err.contains("no database at \(path)"), "\(r.err)")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("reconcile: clean exits 0; drift exits 1 with a per-metric table; --repair fixes it")
    func reconcileDriftAndRepair() async throws {
        let f = try await StatsFixture.busyHistory(.sqlite)
        let path = f.testStore.databaseURL

        let clean = try await SMSStatsCLI.runOnOwnThread(["reconcile", "--database", path])
        #expect(clean.status == 0, "\(clean.out)\(clean.err)")
        #expect(clean.out.contains("c1: 8 messages recounted in"))
        #expect(clean.out.contains("no drift"))

        try await f.sqlite.db.write { db in
            try db.execute(sql: "UPDATE rollups SET value = value + 5 WHERE metric = 'sent' AND bucket = -1 AND variant = 1")
            try db.execute(sql: "UPDATE short_links SET human_clicks = 9 WHERE code = 'c0x0'")
        }
        let drift = try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--database", path])
        #expect(drift.status == 1)
        #expect(drift.out.contains("drift found (run with --repair to fix)"), "\(drift.out)")
        #expect(drift.out.contains("message states: 0, link counters: 1, conversions: 0, error descriptions: 0, rollup cells: 1"))
        #expect(drift.row("sent") == ["11", "6", "-5", "1"], "\(drift.out)")
        let before = try await SMSStatsCLI.runOnOwnThread(["stats", "c1", "--database", path])
        #expect(before.row("Sent") == ["11", "3", "8"])

        let repair = try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--repair", "--database", path])
        #expect(repair.status == 0)
        #expect(repair.out.contains("drift found and repaired"))
        let after = try await SMSStatsCLI.runOnOwnThread(["reconcile", "c1", "--database", path])
        #expect(after.status == 0)
        #expect(after.out.contains("no drift"), "\(after.out)")
        #expect(try await SMSStatsCLI.runOnOwnThread(["stats", "c1", "--database", path]).row("Sent") == ["6", "3", "3"])
    }
}
