import Foundation
import Hummingbird
import SMSCore

/// `POST /api/v1/events`: conversion events, idempotent by `eventId` (`domain.md` §5).
struct EventController {
    let store: any SMSStore

    struct Input: Decodable {
        var eventId: String?
        var userId: String?
        var name: String?
        var ts: Double?
        var properties: [String: JSONValue]?
    }

    struct Invalid: Encodable {
        var index: Int
        var reason: String
    }

    struct Result: Encodable {
        var stored: Int
        var duplicates: Int
        var invalid: [Invalid]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("events") { request, _ in
            let body = try await request.body.collect(upTo: 10_000_000)
            let now = Int64(Date().timeIntervalSince1970)
            guard let raw = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [Any] else {
                try await store.recordIngestionErrors([
                    IngestionErrorInput(
                        source: "events", providerId: nil, reason: "body is not a JSON array",
                        raw: String(decoding: body.readableBytesView, as: UTF8.self), receivedAt: now)
                ])
                throw HTTPError(.badRequest, message: "body must be a JSON array of {eventId, userId, name, ts, properties}")
            }
            var valid: [ConversionEventInput] = []
            var invalid: [Invalid] = []
            var errors: [IngestionErrorInput] = []
            for (i, element) in raw.enumerated() {
                let text = (try? JSONSerialization.data(withJSONObject: element, options: [.sortedKeys]))
                    .map { String(decoding: $0, as: UTF8.self) } ?? "\(element)"
                switch Self.validate(text, now: now) {
                case .success(let e): valid.append(e)
                case .failure(let reason):
                    invalid.append(Invalid(index: i, reason: reason.message))
                    errors.append(IngestionErrorInput(source: "events", providerId: nil, reason: reason.message, raw: text, receivedAt: now))
                }
            }
            try await store.recordIngestionErrors(errors)
            let r = try await store.ingestConversionEvents(valid, receivedAt: now)
            return try JSON.response(
                Result(stored: r.stored, duplicates: r.duplicates, invalid: invalid), status: invalid.isEmpty ? .ok : .badRequest)
        }
    }

    struct Problem: Error {
        var message: String
    }

    /// Validates one event: required fields, ts in epoch seconds (milliseconds above 1e12 are
    /// converted), at most 24 h in the future (`domain.md` §5).
    static func validate(_ json: String, now: Int64) -> Swift.Result<ConversionEventInput, Problem> {
        guard let input = try? JSONDecoder().decode(Input.self, from: Data(json.utf8)) else {
            return .failure(Problem(message: "not an event object"))
        }
        var missing: [String] = []
        if (input.eventId ?? "").isEmpty { missing.append("eventId") }
        if (input.userId ?? "").isEmpty { missing.append("userId") }
        if (input.name ?? "").isEmpty { missing.append("name") }
        if input.ts == nil { missing.append("ts") }
        guard missing.isEmpty, let tsRaw = input.ts else {
            return .failure(Problem(message: "missing fields: " + missing.joined(separator: ", ")))
        }
        let ts = tsRaw > 1e12 ? Int64(tsRaw / 1000) : Int64(tsRaw)
        if ts > now + 86_400 {
            return .failure(Problem(message: "ts \(ts) is more than 24 h in the future"))
        }
        return .success(
            ConversionEventInput(
                eventId: input.eventId!, userId: input.userId!, name: input.name!, ts: ts, properties: input.properties ?? [:]))
    }
}
