import Foundation
import SMSCore

/// The Delivery tab's tables as CSV (issue 18): `GET /api/v1/campaigns/{id}/breakdown.csv?by=…`
/// (the `/breakdown` rows) and `GET /api/v1/campaigns/{id}/latency.csv` (the `/latency`
/// histogram). Same format as ``StatsCSVExport`` (RFC 4180 by CSV.swift, CRLF, UTF-8 with a
/// byte-order mark; text cells guarded against formula injection by
/// ``StatsCSVExport/safeText(_:)``, numbers plain, rates percent 0–100 at full precision): one
/// header line, then one line per row.
package enum DeliveryCSVExport {
    typealias Cell = StatsCSVExport.Cell

    /// Columns: the dimension's name (`country`, `provider`, `variant`, `carrier`), `sent`,
    /// `delivered`, `failed`, `pending`, `deliveryRate`, `uniqueClicks`, `ctr`, `errors`
    /// (`code:count` pairs joined by `; `, most first), rows in the API's order.
    package static func breakdown(_ b: CampaignBreakdown) throws -> Data {
        let int = StatsCSVExport.int, double = StatsCSVExport.double
        var rows: [[Cell]] = [
            [b.by.rawValue, "sent", "delivered", "failed", "pending", "deliveryRate", "uniqueClicks", "ctr", "errors"].map { .text($0) }
        ]
        for r in b.rows {
            rows.append([
                .text(r.key), int(r.sent), int(r.delivered), int(r.failed), int(r.pending), double(r.deliveryRate),
                int(r.uniqueClicks), double(r.ctr), .text(r.errors.map { "\($0.code):\($0.count)" }.joined(separator: "; ")),
            ])
        }
        return try StatsCSVExport.write(rows)
    }

    /// Columns: `overSeconds` and `upToSeconds` (the bucket holds latencies over the first, up to
    /// and including the second; bucket 0 holds everything up to 0 and has no lower bound; the
    /// open bucket has no upper bound), `count` (delivered messages), `percentOfDelivered`;
    /// non-empty buckets ascending, as `/latency`'s `histogram`.
    package static func latency(_ l: DeliveryLatencyReport) throws -> Data {
        let int = StatsCSVExport.int, double = StatsCSVExport.double
        var rows: [[Cell]] = [["overSeconds", "upToSeconds", "count", "percentOfDelivered"].map { .text($0) }]
        for b in l.histogram {
            let over: Cell
            if let up = b.upToSeconds, let width = b.widthSeconds {
                over = up <= 0 ? .text("") : int(up - width)
            } else {
                over = int(LatencyHistogram.bounds.last ?? 604_800)
            }
            rows.append([over, b.upToSeconds.map(int) ?? .text(""), int(b.count), double(CampaignStats.percent(b.count, l.delivered))])
        }
        return try StatsCSVExport.write(rows)
    }
}
