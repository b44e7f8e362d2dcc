import ArgumentParser
import Foundation
import SMSBenchLoad
import SMSCore
import SMSStoreSQLite

/// The overview across campaigns (issue 18, ``OverviewQueries``) at two installation sizes:
/// `--baseline-campaigns` (10) vs `--campaigns` (1,000) campaigns of `--messages-per-campaign`
/// messages each (``StatsBenchData``'s history, sent over the same 48 hours), generated straight
/// into two SQLite files. Samples `overview` (period 2024-03-29..2024-04-27, Europe/Berlin) and
/// `breakdown?by=provider` and `by=variant` at both sizes, interleaved sample by sample, and prints
/// p50/p95 and the per-campaign cost (p50 / campaigns): the read is O(campaigns × buckets), so the
/// per-campaign cost should stay about flat.
struct OverviewBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview", abstract: "The overview across campaigns at 10 vs 1,000 campaigns (issue 18).")

    @Option(help: "Campaigns of the large installation.") var campaigns = 1_000
    @Option(help: "Campaigns of the baseline installation.") var baselineCampaigns = 10
    @Option(help: "Messages per campaign.") var messagesPerCampaign = 200
    @Option(help: "Folder for the database files.") var directory = "/tmp/smsstats-bench"
    @Option(help: "Samples per view and size.") var iterations = 50

    func run() async throws {
        printMachine()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sizes = [baselineCampaigns, campaigns]
        var stores: [SQLiteStore] = []
        for n in sizes { stores.append(try await prepare(campaigns: n)) }
        let period = try OverviewPeriod(from: "2024-03-29", to: "2024-04-27", tz: "Europe/Berlin", now: 0)
        for (n, store) in zip(sizes, stores) {
            let o = try await OverviewQueries(store: store).overview(period, minSent: 100)
            say("\(n) campaigns: overview holds \(o.totals.campaigns) campaigns, \(o.totals.sent) sent, \(o.trend.count) days")
            guard o.totals.campaigns == n else { throw ValidationError("expected \(n) active campaigns, got \(o.totals.campaigns)") }
        }
        let views: [(String, @Sendable (SQLiteStore) async throws -> Void)] = [
            ("overview", { _ = try await OverviewQueries(store: $0).overview(period, minSent: 100) }),
            ("breakdown?by=provider", { _ = try await OverviewQueries(store: $0).breakdown(by: .provider, period: period) }),
            ("breakdown?by=variant", { _ = try await OverviewQueries(store: $0).breakdown(by: .variant, period: period) }),
        ]
        say("")
        say("direct (OverviewQueries, as the routes run it), \(iterations) samples per view:")
        let header = ["view", "p50 @\(sizes[0])", "p95 @\(sizes[0])", "p50 @\(sizes[1])", "p95 @\(sizes[1])", "p50 per campaign ratio"]
        say(header.map { $0.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
        for (name, call) in views {
            for _ in 0..<3 { for s in stores { try await call(s) } }
            var stats = [BenchStats(), BenchStats()]
            for _ in 0..<iterations {
                for (k, s) in stores.enumerated() { stats[k].add(try await measureAsync { try await call(s) }) }
            }
            let perCampaign = (stats[1].percentile(50) / Double(sizes[1])) / max(stats[0].percentile(50) / Double(sizes[0]), 1e-12)
            let cells = [name, stats[0].ms50, stats[0].ms95, stats[1].ms50, stats[1].ms95, String(format: "%.2f", perCampaign)]
            say(cells.map { $0.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
        }
    }

    /// Opens (generating if needed) the database of `n` campaigns.
    func prepare(campaigns n: Int) async throws -> SQLiteStore {
        let path = "\(directory)/overview-\(n)x\(messagesPerCampaign).sqlite"
        if FileManager.default.fileExists(atPath: path) {
            let store = try SQLiteStore(path: path)
            if try await store.campaigns().count == n {
                say("reusing \(path)")
                return store
            }
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try SQLiteStore(path: path)
        let started = DispatchTime.now().uptimeNanoseconds
        for k in 0..<n {
            let data = StatsBenchData(campaignId: "cmp_ov_\(k)", count: messagesPerCampaign)
            if k == 0 { try await store.insertProvider(data.provider) }
            try await store.insertCampaign(data.campaign)
            // Metas and short codes are unique per installation: prefix them with the campaign.
            let messages = data.messages(0..<messagesPerCampaign).map { m -> BulkMessage in
                var m = m
                m.meta = "k\(k)-" + m.meta
                m.links = m.links.map { NewShortLink(code: "k\(k)" + $0.code, linkIndex: $0.linkIndex, url: $0.url, expiresAt: $0.expiresAt) }
                return m
            }
            try await store.bulkLoad(campaign: data.campaign, chunk: BulkChunk(campaign: data.campaign, messages: messages))
        }
        try await store.bulkLoadFinished()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        say(String(format: "generated %d campaigns x %d messages in %.1f s: %@", n, messagesPerCampaign, seconds, path))
        return store
    }
}
