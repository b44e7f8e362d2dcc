import Foundation

/// Adapter for Sinch's SMS REST API per-recipient delivery report callback (JSON object).
///
/// Sources: Sinch SMS REST API delivery report callback, type `recipient_delivery_report_sms`
/// (`https://developers.sinch.com/docs/sms/api-reference/sms/tag/Delivery-reports`; fields as in
/// the SDK model `RecipientDeliveryReport`,
/// `https://developers.sinch.com/sdk/sinch-sdk-node/1.5.0/interfaces/Sms.RecipientDeliveryReport.html`);
/// status mapping per `docs/DOMAIN.md` §3 "Other dialects".
///
/// Fields used: `type` (must be `recipient_delivery_report_sms`), `batch_id`, `status`, `code`
/// (detailed status code, number), `recipient`, `at` (ISO 8601, when Sinch created the report),
/// `operator_status_at` (ISO 8601, when the operator reported the status), `client_reference`.
/// `meta` is `client_reference` when present, else `batch_id` (also `providerMessageId`; one
/// recipient per batch). `ts` is `operator_status_at` when present (closest to the real event),
/// else `at`.
public enum SinchCallback {
    /// The only report type this adapter reads.
    public static let recipientReportType = "recipient_delivery_report_sms"

    /// Maps a report `status` (case-insensitive) to our event kind (`docs/DOMAIN.md` §3):
    /// `Queued`, `Dispatched` → `.submitted`; `Delivered` → `.delivered`; `Rejected`, `Deleted`,
    /// `Failed`, `Expired`, `Aborted`, `Cancelled` → `.failed`; anything else (e.g. `Unknown`) →
    /// `nil`, stored as an unknown status.
    ///
    /// **Decision:** `Aborted` and `Cancelled` (the batch was stopped before delivery) are final
    /// non-deliveries and count as failed; `docs/DOMAIN.md` §3's table does not list them.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        switch status.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "queued", "dispatched": return .submitted
        case "delivered": return .delivered
        case "rejected", "deleted", "failed", "expired", "aborted", "cancelled": return .failed
        default: return nil
        }
    }

    /// Parses a recipient delivery report body.
    ///
    /// - Returns: one item; or one invalid entry when `type` is another report type (reason
    ///   `"unsupported report type 'x'"`), when `batch_id`/`status` are missing, `batch_id` or
    ///   `client_reference` is refused by ``CallbackMeta``, `operator_status_at` or `at` is present
    ///   but not an ISO 8601 time from 1970 to 2100, when it holds a number beyond `Double` or a key
    ///   given twice (``JSONValueProblem``), or when the status is unknown. An invalid
    ///   report is kept as the body's bytes as received. `code` is the decimal `code` for failed items only; `toPhone` is `recipient`.
    /// - Throws: ``CallbackParseError/invalidUTF8``, ``CallbackParseError/malformedJSON(_:)``,
    ///   ``CallbackParseError/notAnObject``.
    public static func parse(json body: Data) throws(CallbackParseError) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let (object, valueProblems) = try support.decodeObject(body)
        let raw = Array(body)  // the body as received
        let params = support.flatten(object)
        if !valueProblems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(valueProblems, raw: raw, event: support.text(params["status"]))])
        }
        if let type = support.text(params["type"]), type != recipientReportType {
            return CallbackParseResult(invalid: [InvalidCallbackItem(
                raw: raw, event: support.text(params["status"]), reason: "unsupported report type '\(InputEcho.text(type))'",
                missingFields: [])])
        }
        let batchId = support.text(params["batch_id"])
        let status = support.text(params["status"])
        let missing = support.missing(["batch_id", "status"], in: params)
        guard let batchId, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let checked = support.check(
            ids: ["batch_id", "client_reference"], texts: ["code"], times: [("operator_status_at", .iso8601), ("at", .iso8601)], in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: status)])
        }
        guard let kind = kind(forStatus: status) else {
            return CallbackParseResult(invalid: [support.unknownStatus(status, raw: raw)])
        }
        let ts = checked.times["operator_status_at"] ?? checked.times["at"]
        let item = CallbackItem(
            kind: kind, meta: support.text(params["client_reference"]) ?? batchId, ts: ts,
            code: kind == .failed ? support.text(params["code"]) : nil,
            toPhone: support.text(params["recipient"]),
            providerStatus: status, providerMessageId: batchId)
        return CallbackParseResult(items: [item])
    }
}
