import ArgumentParser
import Foundation
import SMSCore
import Logging
import SMSServer

/// `smsstats reconcile [<campaign>] [--repair]`: recounts campaigns from their raw records
/// (dispatch records, event log, clicks, conversion events) and reports drift of the stored
/// message states, link counters, conversions, error descriptions and rollups, per metric.
/// With `--repair` it rewrites them from the recount (one transaction per campaign).
/// Exit status: 0 when clean or repaired, 1 when drift was found and not repaired.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Recount campaigns from raw events and report (or --repair) drift.")

    @Argument(help: "Campaign id (default: every campaign).")
    var campaign: String?

    @Flag(help: "Rewrite states, counters and rollups from the recount.")
    var repair = false

    @Option(help: "SQLite database file or postgres://user:password@host:port/database URL (env SMSSTATS_DATABASE).")
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    func run() async throws {
        var logger = Logger(label: "smsstats")
        logger.logLevel = .warning
        try await SMSServer.withStore(database: database, logger: logger) { try await reconcileAll($0) }
    }

    func reconcileAll(_ opened: OpenedStore) async throws {
        let store = opened.store
        let ids: [String]
        if let campaign {
            guard try await store.campaign(id: campaign) != nil else {
                throw ValidationError("unknown campaign '\(campaign)' in \(opened.displayName)")
            }
            ids = [campaign]
        } else {
            ids = try await store.campaigns().map(\.id)
        }
        var drifted = false
        for id in ids {
            if let purged = try await store.campaign(id: id)?.rawPurgedAt {
                // Retention removed the raw rows a recount needs; its stats are what they were.
                print("\(id): raw history purged at \(purged) (epoch seconds); skipped (nothing to recount)")
                continue
            }
            let started = Date()
            let report = try await store.reconcile(campaignId: id, repair: repair)
            print(Self.describe(report, seconds: Date().timeIntervalSince(started)))
            drifted = drifted || !report.isClean
        }
        if drifted && !repair { throw ExitCode(1) }
    }

    static func describe(_ r: ReconcileReport, seconds: Double) -> String {
        var out = "\(r.campaignId): \(r.messages) messages recounted in \(String(format: "%.1f", seconds)) s: "
        guard !r.isClean else { return out + "no drift" }
        out += r.repaired ? "drift found and repaired\n" : "drift found (run with --repair to fix)\n"
        out += "  message states: \(r.stateDrifts), link counters: \(r.linkCounterDrifts), conversions: \(r.conversionDrifts), "
        out += "error descriptions: \(r.descriptionDrifts), rollup cells: \(r.cells.count)\n"
        if !r.metrics.isEmpty {
            out += TextTables.render(
                headers: ["metric", "stored", "recounted", "difference", "cells"],
                rows: r.metrics.map {
                    [$0.metric.rawValue, "\($0.stored)", "\($0.expected)", "\($0.expected - $0.stored)", "\($0.cells)"]
                })
        }
        return out
    }
}
