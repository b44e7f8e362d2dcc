import Foundation

/// The shape of a delivered webhook event (issue 17): `{"type", "timestamp", "data"}` (a batch is a
/// JSON array of these), with `data` the message log item of the message (the same encoding as
/// `GET /api/v1/messages/{meta}` without `events`) plus `eventId`, `version` (the message's state
/// version: greater for a later change of the same message) and `occurredAt` (epoch seconds).
public enum WebhookPayload {
    /// A new unique event id: `evt_` + 32 lowercase hex digits, the first 12 the milliseconds
    /// since 1970 (`now`), the other 20 random (80 bits): ids made later sort later, so the
    /// outbox's `(subscription_id, event_id)` index grows at its end instead of at a random page
    /// per row (BENCHMARKS.md "webhooks"). Sent as `webhook-id`; the same event delivered again (a
    /// retry, a crash) keeps it.
    public static func newEventId(now: Date = Date()) -> String {
        let ms = UInt64(max(0, min(now.timeIntervalSince1970 * 1_000, 0xFFFF_FFFF_FFFF)))
        var random = SystemRandomNumberGenerator()
        let (high, low) = (random.next() as UInt64, random.next() as UInt16)
        var bytes = [UInt8](repeating: 0, count: 36)
        bytes[0] = UInt8(ascii: "e")
        bytes[1] = UInt8(ascii: "v")
        bytes[2] = UInt8(ascii: "t")
        bytes[3] = UInt8(ascii: "_")
        for i in 0..<12 { bytes[4 + i] = hexDigit(ms >> UInt64(4 * (11 - i))) }
        for i in 0..<16 { bytes[16 + i] = hexDigit(high >> UInt64(4 * (15 - i))) }
        for i in 0..<4 { bytes[32 + i] = hexDigit(UInt64(low) >> UInt64(4 * (3 - i))) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The lowercase hex digit of `value`'s low 4 bits.
    private static func hexDigit(_ value: UInt64) -> UInt8 {
        let d = UInt8(value & 0xF)
        return d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10
    }

    /// `timestamp`: RFC 3339 in UTC with seconds (`2026-12-07T16:20:00Z`; Foundation's ISO 8601
    /// style, a value made once, instead of a formatter per call).
    public static func rfc3339(_ epochSeconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(epochSeconds)).formatted(iso8601)
    }

    private static let iso8601 = Date.ISO8601FormatStyle()

    /// The extra `data` of a `conversion` event: `{"clickThrough", "revenueCents"}` (revenue in
    /// **cents**, over the user's qualifying events when the conversion was written) as JSON text.
    public static func conversion(_ c: UserConversion) -> String {
        #"{"clickThrough":\#(c.clickThrough),"revenueCents":\#(c.revenueCents)}"#
    }

    /// The extra `data` of a campaign event: `{"campaignId", "name", "completedAt"}` as JSON text.
    public static func campaign(_ c: Campaign) -> String {
        let object: [String: Any] = ["campaignId": c.id, "name": c.name, "completedAt": c.completedAt.map { $0 as Any } ?? NSNull()]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
