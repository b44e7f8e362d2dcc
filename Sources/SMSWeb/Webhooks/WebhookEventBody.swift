import Foundation
import SMSCore

/// The body of a delivery request (issue 17): one event as the JSON object
/// `{"type", "timestamp", "data"}`, several as a JSON array of them. `timestamp` is when the event
/// happened (RFC 3339, UTC); `data` is the message log item of the message (the encoding of
/// `GET /api/v1/messages/{meta}` without `events`, the phone masked) as it is when sent, plus
/// `eventId`, `version` (``WebhookEventRule``: greater for a later change of the same message) and
/// `occurredAt` (epoch seconds). An event whose message no longer exists (erased) has only
/// these three and `campaignId`.
enum WebhookEventBody {
    /// The JSON body of `events`; `entries`: the log items of their messages by message id, read
    /// in one go for the batch (``MessageLogStore/messageLogEntries(messageIds:)``).
    static func encode(_ events: [WebhookOutboxEvent], entries: [Int64: MessageLogEntry]) throws -> Data {
        var objects: [[String: Any]] = []
        for e in events {
            var data: [String: Any] = [:]
            if e.meta != nil, let id = e.messageId, let found = entries[id] {
                let item = try JSONSerialization.jsonObject(with: try JSON.encoder.encode(MessageLogItem(found, unmask: false)))
                data = item as? [String: Any] ?? [:]
                data.removeValue(forKey: "events")
            } else {
                data["campaignId"] = e.campaignId ?? NSNull()
            }
            if let extra = try? JSONSerialization.jsonObject(with: Data(e.payload.utf8)) as? [String: Any] {
                for (k, v) in extra { data[k] = v }
            }
            data["eventId"] = e.eventId
            data["version"] = e.version
            data["occurredAt"] = e.occurredAt
            objects.append(["type": e.type.rawValue, "timestamp": WebhookPayload.rfc3339(e.occurredAt), "data": data])
        }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        if objects.count == 1 { return try JSONSerialization.data(withJSONObject: objects[0], options: options) }
        return try JSONSerialization.data(withJSONObject: objects, options: options)
    }
}
