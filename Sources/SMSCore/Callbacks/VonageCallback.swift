import Foundation

/// Adapter for Vonage's SMS API delivery receipt (DLR) webhook, sent as a JSON object (POST) or
/// as query/form parameters (GET).
///
/// Sources: Vonage "Delivery receipts"
/// (`https://developer.vonage.com/messaging/sms/building-blocks/receive-a-delivery-receipt`) and the
/// example DLR body on "Messaging Opted-out Numbers"
/// (`https://developer.vonage.com/en/opt-out-assist/guides/messaging-opted-out-numbers`); status
/// mapping per `docs/DOMAIN.md` §3 "Other dialects".
///
/// Fields used: `messageId`, `status`, `err-code`, `message-timestamp` (`YYYY-MM-DD HH:MM:SS`,
/// UTC; falls back to `scts` `YYMMDDHHMM`), `client-ref` (carries our `meta` when we set it on
/// send), `msisdn` (the recipient), `network-code` (the MCC-MNC of the recipient's network, kept
/// as received in ``CallbackItem/network``; a value that is not 5–6 digits is ignored by
/// ``NetworkCode``, never a refused receipt).
/// `meta` is `client-ref` when present, else the Vonage `messageId` (which is also
/// `providerMessageId`). Each part of a multipart SMS has its own `messageId`.
public enum VonageCallback {
    /// Maps a DLR `status` (case-insensitive) to our event kind (`docs/DOMAIN.md` §3):
    /// `accepted`, `buffered` → `.submitted`; `delivered` → `.delivered`; `failed`, `rejected`,
    /// `expired` → `.failed`; anything else (e.g. `unknown`) → `nil`, stored as an unknown status.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        switch status.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "accepted", "buffered": return .submitted
        case "delivered": return .delivered
        case "failed", "rejected", "expired": return .failed
        default: return nil
        }
    }

    /// Parses a JSON DLR body (one object; numbers are read as their decimal text).
    /// - Returns: see ``parse(params:)``; also one invalid entry when the body holds a number beyond
    ///   `Double` or a key given twice (``JSONValueProblem``), naming the field.
    /// - Throws: ``CallbackParseError/invalidUTF8``, ``CallbackParseError/malformedJSON(_:)``,
    ///   ``CallbackParseError/notAnObject``.
    public static func parse(json body: Data) throws(CallbackParseError) -> CallbackParseResult {
        let (object, valueProblems) = try CallbackDialectSupport.decodeObject(body)
        // An invalid report is kept as the body as received (checked UTF-8).
        let raw = Array(body), params = CallbackDialectSupport.flatten(object)
        if !valueProblems.isEmpty {
            // A number beyond `Double` or a key given twice (``JSONValueProblem``): the report names it.
            return CallbackParseResult(invalid: [CallbackDialectSupport.refused(
                valueProblems, raw: raw, event: CallbackDialectSupport.text(params["status"]))])
        }
        return parse(params: params, raw: raw)
    }

    /// Parses a DLR given as query/form parameters (same field names as the JSON body).
    ///
    /// - Returns: one item, or one invalid entry when `messageId`/`status` are missing, `messageId` or
    ///   `client-ref` is refused by ``CallbackMeta``, `message-timestamp` or `scts` is present but not
    ///   a date from 1970 to 2100, or the status is unknown. `ts` is epoch seconds from
    ///   `message-timestamp` (or `scts`), `nil` if neither is given; `code` is `err-code` for failed items only; `toPhone` is `msisdn`. Never throws.
    public static func parse(params: [String: String]) -> CallbackParseResult {
        parse(params: params, raw: CallbackDialectSupport.rawJSON(params))
    }

    private static func parse(params: [String: String], raw: [UInt8]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let messageId = support.text(params["messageId"])
        let status = support.text(params["status"])
        let missing = support.missing(["messageId", "status"], in: params)
        guard let messageId, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let checked = support.check(
            ids: ["messageId", "client-ref"], texts: ["err-code"], times: [("message-timestamp", .spaceSeparated), ("scts", .smpp)], in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: status)])
        }
        guard let kind = kind(forStatus: status) else {
            return CallbackParseResult(invalid: [support.unknownStatus(status, raw: raw)])
        }
        let ts = checked.times["message-timestamp"] ?? checked.times["scts"]
        let item = CallbackItem(
            kind: kind, meta: support.text(params["client-ref"]) ?? messageId, ts: ts,
            code: kind == .failed ? support.text(params["err-code"]) : nil,
            toPhone: support.text(params["msisdn"]),
            providerStatus: status, providerMessageId: messageId, network: support.text(params["network-code"]))
        return CallbackParseResult(items: [item])
    }
}
