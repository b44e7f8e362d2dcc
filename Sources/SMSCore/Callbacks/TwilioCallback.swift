import Foundation

/// Adapter for Twilio's message status callback (form-encoded POST).
///
/// Sources: Twilio "Track the Message Status of Outbound Messages"
/// (`https://www.twilio.com/docs/messaging/guides/track-outbound-message-status`) for the fields,
/// Twilio "Secure webhooks" (`https://www.twilio.com/docs/usage/webhooks/webhooks-security`) for the
/// signature input; status mapping per `docs/DOMAIN.md` §3 "Other dialects".
///
/// Fields used: `MessageSid` (falls back to `SmsSid`), `MessageStatus` (falls back to `SmsStatus`),
/// `ErrorCode`, `ErrorMessage`, `To`. Twilio carries no event timestamp, so `ts` is `nil` (the
/// receive time is used, `docs/DOMAIN.md` §4) and callbacks may arrive out of order.
/// Twilio only knows its own id, so `meta` and `providerMessageId` are both the `MessageSid`.
public enum TwilioCallback {
    /// Maps a `MessageStatus` word (case-insensitive) to our event kind (`docs/DOMAIN.md` §3):
    /// `accepted`, `queued`, `sending`, `sent` → `.submitted`; `delivered`, `read` → `.delivered`;
    /// `undelivered`, `failed`, `canceled` → `.failed`; anything else (e.g. `scheduled`,
    /// `receiving`, `received`) → `nil`, stored as an unknown status.
    ///
    /// **Decision:** `canceled` (a scheduled message cancelled before it was sent, per Twilio's
    /// status list) is a final non-delivery, so it counts as failed (with no code) rather than
    /// staying pending forever; `docs/DOMAIN.md` §3's table does not list it.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        switch status.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "accepted", "queued", "sending", "sent": return .submitted
        case "delivered", "read": return .delivered
        case "undelivered", "failed", "canceled": return .failed
        default: return nil
        }
    }

    /// Parses one status callback from its form fields.
    ///
    /// - Parameter params: the decoded form fields (name → value).
    /// - Returns: one item, or one invalid entry when `MessageSid`/`MessageStatus` are missing
    ///   (`missingFields` uses Twilio's names), `MessageSid` or `SmsSid` is refused by ``CallbackMeta``,
    ///   or the status is unknown. `code` (from `ErrorCode`) is
    ///   set for failed items only; `description` is `ErrorMessage`; `toPhone` is `To`;
    ///   `providerStatus` is the status word as given. Never throws.
    public static func parse(params: [String: String]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let raw = support.rawJSON(params)
        let sid = support.text(params["MessageSid"]) ?? support.text(params["SmsSid"])
        let status = support.text(params["MessageStatus"]) ?? support.text(params["SmsStatus"])
        var missing: [String] = []
        if sid == nil { missing.append("MessageSid") }
        if status == nil { missing.append("MessageStatus") }
        guard let sid, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let checked = support.check(ids: ["MessageSid", "SmsSid"], texts: ["ErrorCode", "ErrorMessage"], times: [], in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: status)])
        }
        guard let kind = kind(forStatus: status) else {
            return CallbackParseResult(invalid: [support.unknownStatus(status, raw: raw)])
        }
        let item = CallbackItem(
            kind: kind, meta: sid, ts: nil,
            code: kind == .failed ? support.text(params["ErrorCode"]) : nil,
            description: support.text(params["ErrorMessage"]),
            toPhone: support.text(params["To"]),
            providerStatus: status, providerMessageId: sid)
        return CallbackParseResult(items: [item])
    }

    /// The string Twilio signs for `X-Twilio-Signature`: the full callback URL exactly as Twilio
    /// called it (scheme, host, path and query), followed by every POST parameter's name and value
    /// concatenated with no separators, names sorted by code point (case-sensitive), and a name
    /// given more than once once per distinct value, its values sorted by code point. That is what
    /// Twilio's own validator signs (the `twilio` library's `RequestValidator.compute_signature`:
    /// `for name in sorted(set(params)): for value in sorted(set(values)): s += name + value`), so
    /// a repeated field is authenticated like any other and then refused as an invalid item naming
    /// it, never as a 401. The web layer computes base64(HMAC-SHA1(auth token, this string)) and
    /// compares it in constant time. Source: Twilio "Secure webhooks",
    /// `https://www.twilio.com/docs/usage/webhooks/webhooks-security`.
    ///
    /// - Parameters:
    ///   - url: the public URL Twilio posted to, including any query string.
    ///   - params: the decoded POST body parameters in the order received, repeats included (not the query parameters).
    public static func signaturePayload(url: String, params: [(String, String)]) -> String {
        var payload = url
        for (name, values) in NativeSignaturePayload.groupedSorted(params) {
            var previous: String?
            for value in values where previous.map({ !$0.unicodeScalars.elementsEqual(value.unicodeScalars) }) ?? true {
                payload += name
                payload += value
                previous = value
            }
        }
        return payload
    }
}
