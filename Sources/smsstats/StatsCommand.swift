import ArgumentParser
import Foundation
import SMSCore
import Logging
import SMSServer

/// `smsstats stats <campaign>`: the campaign's Stats-tab summary as a table (all variants, and one
/// column per variant when there are several). Reads the maintained rollups only.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print a campaign's stats summary as a table.")

    @Argument(help: "Campaign id.")
    var campaign: String

    @Option(help: "SQLite database file or postgres://user:password@host:port/database URL (env SMSSTATS_DATABASE).")
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    func run() async throws {
        var logger = Logger(label: "smsstats")
        logger.logLevel = .warning
        try await SMSServer.withStore(database: database, logger: logger) { try await printSummary($0) }
    }

    func printSummary(_ opened: OpenedStore) async throws {
        let store = opened.store
        guard let c = try await store.campaign(id: campaign) else {
            throw ValidationError("unknown campaign '\(campaign)' in \(opened.displayName)")
        }
        let summary = try await CampaignStatsQueries(store: store).summary(c)
        print("\(c.name) (\(c.id)), status \(c.status.rawValue), time zone \(c.timezone)")
        if !summary.all.callbacksEnabled {
            print("Delivery callbacks are not configured: Delivered counts only deliveries inferred from clicks; CTR is on Sent.")
        }
        print(Self.table(summary))
    }

    /// The summary table: one line per metric, a column for all variants and one per variant.
    static func table(_ summary: StatsSummary) -> String {
        let columns = [summary.all] + summary.variants.map(\.stats)
        let headers = ["metric", "all"] + summary.variants.map { "variant \($0.variant)" }
        let rows = lines.map { name, value in [name] + columns.map(value) }
        return TextTables.render(headers: headers, rows: rows)
    }

    static func pct(_ v: Double) -> String { String(format: "%.2f %%", v) }
    static func money(_ v: Double) -> String { String(format: "%.2f", v) }

    static let lines: [(String, @Sendable (CampaignStats) -> String)] = [
        ("Targeted", { "\($0.targeted)" }),
        ("Sent", { "\($0.sent)" }),
        ("Sent (segments)", { "\($0.sentSegments)" }),
        ("Delivered", { $0.callbacksEnabled ? "\($0.delivered)" : "not tracked (\($0.delivered) inferred)" }),
        ("  inferred from clicks", { "\($0.inferredDelivered)" }),
        ("Failed", { "\($0.failed)" }),
        ("Pending", { "\($0.pending)" }),
        ("Queued", { "\($0.queued)" }),
        ("Dispatch errors", { "\($0.dispatchErrors)" }),
        ("Control group", { "\($0.controlGroup)" }),
        ("Clicks", { "\($0.clicks)" }),
        ("Unique clicks", { "\($0.uniqueClicks)" }),
        ("Bot / preview hits", { "\($0.botHits)" }),
        ("CTR", { "\(pct($0.ctr)) of \($0.ctrDenominator)" }),
        ("Delivery rate", { $0.callbacksEnabled ? pct($0.deliveryRate) : "not tracked" }),
        ("Converted users", { "\($0.convertedUsers)" }),
        ("Converted %", { pct($0.convertedPercent) }),
        ("Click-through conversions", { "\($0.clickThroughConversions)" }),
        ("Revenue", { money($0.revenue) }),
        ("ARPU", { String(format: "%.4f", $0.arpu) }),
        ("Control converted %", { pct($0.controlConvertedPercent) }),
        ("Lift", { $0.lift.map(pct) ?? "-" }),
        ("Incremental revenue", { $0.incrementalRevenue.map(money) ?? "-" }),
        ("Replies", { "\($0.replies)" }),
        ("Opt-outs", { "\($0.optOuts)" }),
    ]
}
