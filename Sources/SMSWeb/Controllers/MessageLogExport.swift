import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The streaming export of a campaign's message log (issue 17):
/// `GET /api/v1/campaigns/{id}/messages.csv` and `GET /api/v1/campaigns/{id}/messages.ndjson`,
/// the same filters, `cursor` and `unmask` as the JSON route (``MessageLogController``), every
/// matching message in message id order, no `limit`.
///
/// Constant memory: the body is written while the store is read, ``batchSize`` messages per read
/// (``MessageLogFilter/stream(after:batchSize:fetch:emit:)``, keyset on the message id, each read
/// its own read transaction, on SQLite and PostgreSQL alike); each batch is encoded and handed to
/// the connection, which waits for the client to take it (back-pressure) before the next read.
/// A failure after the first bytes cuts the connection (the status is already sent), so a
/// truncated file never looks complete: CSV and NDJSON files end with a line end.
///
/// - NDJSON (`application/x-ndjson`): one message log item per line, exactly the JSON route's
///   item (``MessageLogItem``, keys sorted), `\n` after each.
/// - CSV (`text/csv; charset=utf-8`, RFC 4180 by ``CSVRecordWriter``: fields with a comma,
///   quote, CR or LF quoted, quotes doubled, CRLF after every line, no byte-order mark): a header
///   line of ``csvColumns`` (the item's keys), then one line per message; `null` is an empty cell;
///   numbers plain (times in epoch seconds); `clicks` flattened as `link:clicks` pairs joined by
///   `;` in link order (`0:2;1:1`, links counted from 0 as in the JSON `link`; empty for none).
///   Text cells from outside (meta, campaign and user ids, error code and description, dispatch
///   reason, provider message id) are guarded against formula injection
///   (``StatsCSVExport/safeText(_:)``: a leading `=`, `+`, `-`, `@`, tab or CR gets a `'`);
///   `phone` is written as is: it is E.164 (`+` and digits, masked with `*`), which a spreadsheet
///   reads as a number at most, never as a formula, and scripts get the value the JSON route gives.
enum MessageLogExport {
    enum Format: String, CaseIterable {
        case csv
        case ndjson

        var contentType: String {
            switch self {
            case .csv: "text/csv; charset=utf-8"
            case .ndjson: "application/x-ndjson"
            }
        }
    }

    /// Messages per store read (the stores' `IN (…)` lists stay within their 1,000-id limit).
    static let batchSize = 1_000

    /// The CSV header: the item's keys in the JSON route's order (without `events`).
    static let csvColumns = [
        "meta", "campaignId", "userId", "phone", "outcome", "variant", "sentAt", "deliveredAt", "firstClickAt", "convertedAt",
        "segments", "errorCode", "errorDescription", "dispatchReason", "providerMessageId", "clicks",
    ]

    /// The streaming response: status 200, the format's content type, `Content-Disposition:
    /// attachment; filename="<campaign id>-messages.<csv|ndjson>"`, the body written batch by batch.
    static func response(
        store: any SMSStore, campaignId: String, filter: MessageLogFilter, after cursor: MessageLogCursor?, unmask: Bool,
        format: Format
    ) -> Response {
        let body = ResponseBody { writer in
            if format == .csv { try await writer.write(ByteBuffer(bytes: csv(header: true, []))) }
            try await filter.stream(
                after: cursor, batchSize: batchSize,
                fetch: { after, count in try await store.messageLog(campaignId: campaignId, afterId: after, limit: count) },
                emit: { entries in
                    let items = entries.map { MessageLogItem($0, unmask: unmask) }
                    let buffer = format == .csv ? ByteBuffer(bytes: csv(header: false, items)) : ByteBuffer(bytes: try ndjson(items))
                    try await writer.write(buffer)
                })
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: format.contentType,
                .contentDisposition: DownloadName.attachment(campaignId: campaignId, suffix: "messages.\(format.rawValue)"),
                .cacheControl: "no-store",
            ],
            body: body)
    }

    /// NDJSON lines of `items`.
    static func ndjson(_ items: [MessageLogItem]) throws -> Data {
        var out = Data()
        for item in items {
            out += try JSON.encoder.encode(item)
            out.append(0x0A)
        }
        return out
    }

    /// CSV lines (each ending in CRLF, ``CSVRecordWriter``): the header when `header`, then one line per item.
    static func csv(header: Bool, _ items: [MessageLogItem]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.count * 160 + 200)
        if header { CSVRecordWriter.append(csvColumns, to: &out) }
        for item in items { CSVRecordWriter.append(cells(item), to: &out) }
        return out
    }

    /// One item's cells in ``csvColumns`` order.
    static func cells(_ i: MessageLogItem) -> [String] {
        func text(_ s: String?) -> String { s.map(StatsCSVExport.safeText) ?? "" }
        func number(_ n: Int64?) -> String { n.map(String.init) ?? "" }
        return [
            text(i.meta), text(i.campaignId), text(i.userId), i.phone ?? "", i.outcome, String(i.variant), number(i.sentAt),
            number(i.deliveredAt), number(i.firstClickAt), number(i.convertedAt), String(i.segments), text(i.errorCode),
            text(i.errorDescription), text(i.dispatchReason), text(i.providerMessageId), clicks(i.clicks),
        ]
    }

    /// `clicks` as one cell: `link:clicks` pairs in link order joined by `;` (`0:2;1:1`), empty for none.
    static func clicks(_ clicks: [MessageLogItem.LinkClicks]) -> String {
        clicks.map { "\($0.link):\($0.clicks)" }.joined(separator: ";")
    }
}
