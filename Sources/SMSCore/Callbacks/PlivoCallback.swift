import Foundation

/// Adapter for Plivo's message status callback (form fields on POST, query parameters on GET).
///
/// Source: Plivo "Message Status Callbacks"
/// (`https://www.plivo.com/docs/messaging/api/message/message-status-callbacks`); status mapping per
/// `docs/DOMAIN.md` §3 "Other dialects".
///
/// Fields used: `MessageUUID`, `Status`, `ErrorCode` (only defined for failed/undelivered),
/// `Sequence` (order in which Plivo generated the callbacks for this message → `part`), `To`, and
/// the first present of `DeliveryReportTime`, `SentTime`, `QueuedTime`, `MessageTime`
/// (`YYYY-MM-DD HH:MM:SS.ffffff`) for `ts`. Plivo does not state the zone of these timestamps; they
/// are read as UTC and ``EventTime`` falls back to the receive time when that is implausible.
/// Plivo only knows its own id, so `meta` and `providerMessageId` are both the `MessageUUID`.
public enum PlivoCallback {
    /// Maps a `Status` word (case-insensitive) to our event kind (`docs/DOMAIN.md` §3):
    /// `queued`, `sent` → `.submitted`; `delivered` → `.delivered`; `undelivered`, `failed`,
    /// `rejected` → `.failed`; anything else (e.g. `read`) → `nil`, stored as an unknown status.
    ///
    /// **Decision:** `rejected` (Plivo refused the message, e.g. a blocked destination) is a final
    /// non-delivery and counts as failed; `docs/DOMAIN.md` §3's table does not list it.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        switch status.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "queued", "sent": return .submitted
        case "delivered": return .delivered
        case "undelivered", "failed", "rejected": return .failed
        default: return nil
        }
    }

    /// Parses one status callback.
    ///
    /// - Parameter params: the decoded form or query parameters.
    /// - Returns: one item, or one invalid entry when `MessageUUID`/`Status` are missing,
    ///   `MessageUUID` is refused by ``CallbackMeta``, a time field present is not a date from 1970
    ///   to 2100 (``EpochTimestamp/seconds(date:text:format:field:)``), or the status is unknown. `code` is `ErrorCode` for failed items only; `part` is `Sequence` when it
    ///   is an integer. Never throws.
    public static func parse(params: [String: String]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let raw = support.rawJSON(params)
        let uuid = support.text(params["MessageUUID"])
        let status = support.text(params["Status"])
        let missing = support.missing(["MessageUUID", "Status"], in: params)
        guard let uuid, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let timeFields = ["DeliveryReportTime", "SentTime", "QueuedTime", "MessageTime"]
        let checked = support.check(ids: ["MessageUUID"], texts: ["ErrorCode"], times: timeFields.map { ($0, .spaceSeparated) }, in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: status)])
        }
        guard let kind = kind(forStatus: status) else {
            return CallbackParseResult(invalid: [support.unknownStatus(status, raw: raw)])
        }
        let ts = timeFields.lazy.compactMap { checked.times[$0] }.first
        let item = CallbackItem(
            kind: kind, meta: uuid, ts: ts,
            code: kind == .failed ? support.text(params["ErrorCode"]) : nil,
            toPhone: support.text(params["To"]),
            providerStatus: status, providerMessageId: uuid,
            part: support.int(params["Sequence"]))
        return CallbackParseResult(items: [item])
    }
}
