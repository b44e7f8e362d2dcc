import Foundation

/// The shape of a delivered webhook event (issue 17): `{"type", "timestamp", "data"}` (a batch is a
/// JSON array of these), with `data` the message log item of the message (the same encoding as
/// `GET /api/v1/messages/{meta}` without `events`) plus `eventId`, `version` (the message's state
/// version: greater for a later change of the same message) and `occurredAt` (epoch seconds).
public enum WebhookPayload {
    /// A new unique event id: `evt_` + 32 lowercase hex digits (a random UUID). Sent as
    /// `webhook-id`; the same event delivered again (a retry, a crash) keeps it.
    public static func newEventId() -> String {
        "evt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// `timestamp`: RFC 3339 in UTC with seconds (`2026-12-07T16:20:00Z`).
    public static func rfc3339(_ epochSeconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    /// The extra `data` of a campaign event: `{"campaignId", "name", "completedAt"}` as JSON text.
    public static func campaign(_ c: Campaign) -> String {
        let object: [String: Any] = ["campaignId": c.id, "name": c.name, "completedAt": c.completedAt.map { $0 as Any } ?? NSNull()]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
