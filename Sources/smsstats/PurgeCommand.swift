import ArgumentParser
import Foundation
import Logging
import SMSCore
import SMSServer

/// `smsstats purge --older-than <N>d|<N>h|<N>s [--dry-run]`: removes the raw history
/// (``RawRetention``: receipts, replies, clicks, message texts and phone numbers) of campaigns
/// that finished more than that long ago, in batches of 1,000 rows per transaction; every stat
/// stays as it was and the campaign records when (`rawPurgedAt`). `--dry-run` counts and changes
/// nothing. Exit status 0, or 64 for a malformed age.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Remove the raw history of campaigns that finished long ago (stats are kept).")

    /// Read whatever follows the option (`.unconditional`), so a value that looks like an option
    /// (`-5d`) reaches ``validate()`` and is refused naming the form, not with the parser's
    /// "missing value" text.
    @Option(parsing: .unconditional, help: "Age since the campaign finished: <N>d, <N>h or <N>s (e.g. 90d).")
    var olderThan: String

    @Flag(help: "Count what would be removed; change nothing.")
    var dryRun = false

    @Option(help: "SQLite database file or postgres://user:password@host:port/database URL (env SMSSTATS_DATABASE).")
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    func validate() throws {
        do { _ = try RawRetention.parseAge(olderThan) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        let age = try RawRetention.parseAge(olderThan)
        var logger = Logger(label: "smsstats")
        logger.logLevel = .warning
        let dry = dryRun
        try await SMSServer.withStore(database: database, logger: logger) { opened in
            let report = try await RawHistoryPurge(store: opened.store, retention: RawRetention(olderThanSeconds: age))
                .run(now: Int64(Date().timeIntervalSince1970), dryRun: dry)
            print(Self.describe(report, dryRun: dry))
        }
    }

    static func describe(_ r: RawHistoryPurge.Report, dryRun: Bool) -> String {
        let verb = dryRun ? "would remove" : "removed"
        let late = r.late.map { c in
            "\(c.id) (purged before): \(verb) \(c.counts.events) late receipts/replies, \(c.counts.clicks) late clicks"
        }
        guard !r.campaigns.isEmpty else {
            return (late + ["no campaign's raw history is due"] + (late.isEmpty || !dryRun ? [] : ["dry run: nothing changed"]))
                .joined(separator: "\n")
        }
        var lines = late + r.campaigns.map { c in
            "\(c.id): \(verb) \(c.counts.events) receipts/replies, \(c.counts.clicks) clicks, \(c.counts.messages) message texts"
        }
        if !r.droppedPartitions.isEmpty { lines.append("dropped partitions: " + r.droppedPartitions.joined(separator: ", ")) }
        lines.append(dryRun ? "dry run: nothing changed" : "\(r.campaigns.count) campaign(s) purged; their stats are kept")
        return lines.joined(separator: "\n")
    }
}
