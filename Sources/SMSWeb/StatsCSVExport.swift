import CSV
import Foundation
import SMSCore

/// `GET /api/v1/campaigns/{id}/export.csv`: the summary, the trend and the split of clicks as one
/// CSV file a spreadsheet opens.
///
/// Format: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes doubled; lines end in
/// CRLF), written by CSV.swift's `CSVWriter`; UTF-8 with a byte-order mark so spreadsheet apps
/// read non-ASCII URLs right. Three sections, each a title line, a header line and rows,
/// separated by an empty line. Numbers are plain (`25.0`; rates are percent 0–100 at full
/// precision, money in major units); text cells are guarded against formula injection
/// (see ``safeText(_:)``).
package enum StatsCSVExport {
    /// A cell: a number is written as is; text is made spreadsheet-safe.
    package enum Cell: Equatable, Sendable {
        case text(String)
        case number(String)
    }

    /// Text that a spreadsheet will not run as a formula: a cell starting with `=`, `+`, `-`,
    /// `@`, tab or CR gets a leading `'` (OWASP "CSV injection").
    package static func safeText(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return s }
        return "'" + s
    }

    /// The export of a campaign.
    /// - Parameters:
    ///   - summary: the `/stats` body (variant columns are added when it has variants).
    ///   - trend: the `/trend` body for the chosen granularity and zone.
    ///   - links: the `/links` body.
    /// - Returns: the file's bytes (BOM + CSV).
    package static func render(campaign: Campaign, summary: StatsSummary, trend: TrendReport, links: [LinkStats]) throws
        -> Data
    {
        var rows: [[Cell]] = []
        rows.append([.text("Campaign"), .text(campaign.name)])
        rows.append([.text("Campaign ID"), .text(campaign.id)])
        rows.append([])
        rows.append([.text("Summary")])
        rows.append([.text("metric"), .text("all")] + summary.variants.map { .text("variant \($0.variant)") })
        let columns = [summary.all] + summary.variants.map(\.stats)
        for (name, value) in summaryFields {
            rows.append([.text(name)] + columns.map(value))
        }
        rows.append([])
        rows.append([
            .text("Trend (\(trend.granularity.rawValue), \(trend.timezone), CTR on \(trend.ctrDenominator))")
        ])
        if let note = trend.zoneNote { rows.append([.text(note)]) }
        rows.append(["start", "sent", "delivered", "clicked", "clicks", "ctr"].map { .text($0) })
        for p in trend.buckets {
            rows.append([
                .text(p.start), int(p.sent), int(p.delivered), int(p.clicked), int(p.clicks), double(p.ctr),
            ])
        }
        rows.append([])
        rows.append([.text("Links")])
        rows.append(["link", "url", "clicks", "uniqueClicks", "share", "botHits"].map { .text($0) })
        for l in links {
            rows.append([
                l.other ? .text(LinkStats.otherLabel) : .number(String(l.index + 1)), .text(l.url ?? ""), int(l.clicks),
                int(l.uniqueClicks), double(l.share), int(l.botHits),
            ])
        }
        return try write(rows)
    }

    /// The summary lines: field name (as in the stats API) and its value.
    static let summaryFields: [(String, @Sendable (CampaignStats) -> Cell)] = [
        ("sent", { int($0.sent) }), ("sentSegments", { int($0.sentSegments) }),
        ("delivered", { int($0.delivered) }), ("inferredDelivered", { int($0.inferredDelivered) }),
        ("failed", { int($0.failed) }), ("pending", { int($0.pending) }), ("queued", { int($0.queued) }),
        ("dispatchErrors", { int($0.dispatchErrors) }), ("controlGroup", { int($0.controlGroup) }),
        ("targeted", { int($0.targeted) }), ("clicks", { int($0.clicks) }), ("uniqueClicks", { int($0.uniqueClicks) }),
        ("botHits", { int($0.botHits) }), ("ctr", { double($0.ctr) }), ("ctrDenominator", { .text($0.ctrDenominator) }),
        ("deliveryRate", { double($0.deliveryRate) }), ("convertedUsers", { int($0.convertedUsers) }),
        ("convertedPercent", { double($0.convertedPercent) }),
        ("clickThroughConversions", { int($0.clickThroughConversions) }), ("revenue", { double($0.revenue) }),
        ("arpu", { double($0.arpu) }), ("controlConvertedUsers", { int($0.controlConvertedUsers) }),
        ("controlConvertedPercent", { double($0.controlConvertedPercent) }),
        ("lift", { $0.lift.map(double) ?? .text("") }),
        ("incrementalRevenue", { $0.incrementalRevenue.map(double) ?? .text("") }),
        ("replies", { int($0.replies) }), ("optOuts", { int($0.optOuts) }),
        ("callbacksEnabled", { .text($0.callbacksEnabled ? "true" : "false") }),
    ]

    static func int(_ v: Int64) -> Cell { .number(String(v)) }
    static func double(_ v: Double) -> Cell { .number(v.isFinite ? String(v) : "") }

    /// Writes rows with CSV.swift (RFC 4180, CRLF), after a UTF-8 byte-order mark.
    package static func write(_ rows: [[Cell]]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: .crlf)
        for row in rows {
            writer.beginNewRow()
            // An empty row is written as one empty field, i.e. an empty line.
            for cell in row.isEmpty ? [.text("")] : row {
                switch cell {
                case .text(let s): try writer.write(field: safeText(s))
                case .number(let s): try writer.write(field: s)
                }
            }
        }
        let body = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return Data([0xEF, 0xBB, 0xBF]) + body + Data("\r\n".utf8)
    }
}
