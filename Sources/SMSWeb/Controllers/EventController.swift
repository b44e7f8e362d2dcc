import Foundation
import Hummingbird
import SMSCore

/// `POST /api/v1/events`: conversion events (`docs/DOMAIN.md` §5).
///
/// Body: a JSON array of `{eventId, userId, name, ts, properties}` (`ts` in epoch seconds, a
/// number or a numeric string, 1970 to 2100; milliseconds above 1e12 are converted; the same rule
/// as a callback's `ts`, ``EpochTimestamp``; `properties` optional, an object). Idempotent by
/// `eventId`: a repeated id is counted in `duplicates` and changes nothing (the first one stored
/// wins). An unknown `userId` is stored all the same (the profile may arrive later; attribution is
/// keyed by user id).
///
/// Answers: 200 `{"stored":N,"duplicates":N,"invalid":[]}`; 400 with the same body when some
/// events are invalid (the valid ones are stored; each invalid one is listed by `index` with its
/// `reason` and kept as an ingestion error, source `events`, holding the event's own bytes as they
/// arrived in the body; an event holding a number beyond `Double` (`1e309`) or a key given twice is
/// invalid naming that field, ``JSONValueProblem``, and so is an event holding a key other than
/// its five fields, `unknown field 'props': the fields are eventId, name, properties, ts, userId`,
/// ``item(_:at:)``); 400 `body is not valid JSON:
/// <reason> at byte <n>` when the body is not JSON (truncated, say), 400 `body must be a JSON array
/// of …` when it is JSON but not an array (both bodies kept whole as an ingestion error); 413 over
/// ``maxEvents`` events.
struct EventController {
    let store: any SMSStore
    var maxEvents: Int = 10_000
    var metrics: AppMetrics = .shared

    struct Invalid: Encodable, Equatable {
        var index: Int
        var reason: String
    }

    struct Result: Encodable {
        var stored: Int
        var duplicates: Int
        var invalid: [Invalid]
    }

    /// Longest accepted `eventId`, `userId` and `name`, in characters.
    static let maxIdLength = InputLimits.identifierLength

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("events") { request, _ in
            let body = try await request.collectBody(upTo: 20_000_000, what: "events")
            let now = Int64(Date().timeIntervalSince1970)
            let data = Data(buffer: body)
            // The one strict reader (``JSONBody``); a number beyond `Double` or a key given twice is
            // a value error of the event holding it, not of the body (``JSONValueProblem``).
            let decoded = try? JSONBody.read(data)
            guard let decoded, let count = decoded.elementCount else {
                let message = decoded == nil ? Self.notJSONMessage(data) : Self.notAnArrayMessage
                try await store.recordIngestionErrors([
                    IngestionErrorInput(
                        source: "events", providerId: nil, reason: message, raw: Array(data), receivedAt: now)
                ])
                metrics.ingestionErrorsRecorded(1, source: .events)
                throw HTTPError(.badRequest, message: message)
            }
            guard count <= maxEvents else {
                throw HTTPError(.contentTooLarge, message: "\(count) events in one request; at most \(maxEvents)")
            }
            var valid: [ConversionEventInput] = []
            var invalid: [Invalid] = []
            var errors: [IngestionErrorInput] = []
            var ranges: [Range<Int>]?
            let goals = try await store.campaigns().compactMap(\.goal).filter { $0.revenueProperty != nil }
            for i in 0..<count {
                switch Self.check(at: i, of: decoded, now: now, revenueGoals: goals) {
                case .success(let e): valid.append(e)
                case .failure(let problem):
                    invalid.append(Invalid(index: i, reason: problem.message))
                    // The event's own bytes as they arrived (key order, number spelling, repeated keys kept).
                    if ranges == nil { ranges = JSONValue.elementRanges(json: data) }
                    let raw = ranges.map { Array(data[$0[i]]) } ?? Array(data)
                    errors.append(
                        IngestionErrorInput(source: "events", providerId: nil, reason: problem.message, raw: raw, receivedAt: now))
                }
            }
            try await store.recordIngestionErrors(errors)
            metrics.ingestionErrorsRecorded(errors.count, source: .events)
            let r = try await store.ingestConversionEvents(valid, receivedAt: now)
            metrics.conversionEvents(accepted: r.stored, duplicates: r.duplicates, invalid: invalid.count)
            return try JSON.response(
                Result(stored: r.stored, duplicates: r.duplicates, invalid: invalid), status: invalid.isEmpty ? .ok : .badRequest)
        }
    }

    /// One event of a body by the route's rules: the `index`th element of an array body (`nil`: the
    /// body itself, an event as an ingestion error keeps it); a number beyond `Double` or a key given
    /// twice in it (``JSONValueProblem``) names the field, else it is read by the strict decoder
    /// (``item(_:at:)``: an unknown key names it) and ``validate(_:now:revenueGoals:)``.
    static func check(at index: Int?, of body: JSONBody, now: Int64, revenueGoals: [ConversionGoal]) -> Swift.Result<ConversionEventInput, Problem> {
        let path: [JSONPathStep] = index.map { [.index($0)] } ?? []
        let refusedValues = body.problems(under: path) { $0 == "ts" ? EpochTimestamp.rangeText(field: $0) : nil }
        guard refusedValues.isEmpty else { return .failure(Problem(message: refusedValues.joined(separator: "; "))) }
        // A number as written where its `Double` would not echo it (``JSONNumberLiteral``): `ts`, a revenue property.
        return validate(item(body, at: index), now: now, revenueGoals: revenueGoals) { body.literal(at: path + $0) }
    }

    /// The events an ingestion error of source `events` holds, read again by this route's rules
    /// (for a replay, ``IngestionErrorController``): `raw` is one event's bytes as they arrived
    /// (a JSON object) or a whole body that was refused (a JSON array of events).
    /// - Returns: the events, or every reason one is still invalid (`event 2: …` in an array).
    static func reread(_ raw: [UInt8], now: Int64, revenueGoals: [ConversionGoal]) -> Swift.Result<[ConversionEventInput], Problem> {
        let data = Data(raw)
        guard let decoded = try? JSONBody.read(data) else { return .failure(Problem(message: notJSONMessage(data))) }
        let elements: [(Int?, String)]
        if let count = decoded.elementCount {
            elements = (0..<count).map { ($0, "event \($0): ") }
        } else if case .object = decoded.value {
            elements = [(nil, "")]
        } else {
            return .failure(Problem(message: "an event must be a JSON object (or a body a JSON array of them)"))
        }
        var events: [ConversionEventInput] = []
        var reasons: [String] = []
        for (index, label) in elements {
            switch check(at: index, of: decoded, now: now, revenueGoals: revenueGoals) {
            case .success(let e): events.append(e)
            case .failure(let p): reasons.append(label + p.message)
            }
        }
        return reasons.isEmpty ? .success(events) : .failure(Problem(message: reasons.joined(separator: "; ")))
    }

    /// The 400 message for a body that is JSON but not an array.
    static let notAnArrayMessage = "body must be a JSON array of {eventId, userId, name, ts, properties}"

    /// The 400 message for a body that is not JSON at all: `body is not valid JSON: <reason>`, the
    /// reason worded as on the callback route (``JSONSyntax/problem(in:)``, with the byte offset),
    /// e.g. `body is not valid JSON: unexpected end of input, expected a member name string at byte 2`.
    static func notJSONMessage(_ data: Data) -> String {
        // The body was read with the same strict reader (``JSONValue/init(json:)``), which names where.
        "body is not valid JSON: " + (JSONSyntax.problem(in: data) ?? "the JSON reader could not read it")
    }

    struct Problem: Error, Equatable {
        var message: String
    }

    /// One event as sent, each field as written: decoded by the one strict decoder
    /// (``JSONBody/decode(_:element:)``), which refuses any other key.
    struct Item: Decodable {
        var eventId: JSONValue?
        var userId: JSONValue?
        var name: JSONValue?
        var ts: JSONValue?
        var properties: JSONValue?

        /// The fields as an object (`null` members left out), for ``validate(_:now:revenueGoals:)``.
        var object: [String: JSONValue] {
            [("eventId", eventId), ("userId", userId), ("name", name), ("ts", ts), ("properties", properties)]
                .reduce(into: [:]) { o, member in if let value = member.1 { o[member.0] = value } }
        }
    }

    /// Where a number a `Double` does not hold is kept as its text: `properties` and `ts` (judged
    /// as text by its range); an `eventId`, `userId` or `name` so written is refused.
    static let keptAsText = JSONBody.InexactNumbers.keptAsText(under: ["properties", "ts"])

    /// The `index`th element of the body (`nil`: the body) as an object of the event's fields, or why it is not one:
    /// not an object (`event must be a JSON object`), an unknown key (`unknown field 'props': the
    /// fields are eventId, name, properties, ts, userId`). A number a `Double` does not hold as
    /// written (`123456789012345678901234567890`, `9007199254740993`, `0.12345678901234567891`)
    /// is read as its literal text, a string (**Decision**, `docs/DOMAIN.md` §5): the event is kept
    /// and the value exact; a `ts` so written is then judged as text (its range).
    static func item(_ body: JSONBody, at index: Int?) -> Swift.Result<[String: JSONValue], Problem> {
        do {
            // A number a `Double` does not hold as written (an order id beyond ±2^53) is kept as
            // its literal text (**Decision**, ``JSONBody/InexactNumbers/keptAsText``), never rounded.
            return .success(
                try (index.map { try body.decode(Item.self, element: $0, inexactNumbers: Self.keptAsText) }
                    ?? body.decode(Item.self, inexactNumbers: Self.keptAsText)).object)
        } catch let error as JSONBody.UnknownField {
            return .failure(Problem(message: error.message))
        } catch let error as DecodingError {
            if case .typeMismatch(_, let context) = error, context.codingPath.isEmpty {
                return .failure(Problem(message: "event must be a JSON object"))
            }
            return .failure(Problem(message: JSON.describe(error)))
        } catch {
            return .failure(Problem(message: "\(error)"))
        }
    }

    /// ``validate(_:now:revenueGoals:)`` of an element read by ``item(_:at:)``.
    static func validate(
        _ item: Swift.Result<[String: JSONValue], Problem>, now: Int64, revenueGoals: [ConversionGoal] = [],
        literal: ([JSONPathStep]) -> String? = { _ in nil }
    ) -> Swift.Result<ConversionEventInput, Problem> {
        switch item {
        case .success(let o): validate(.object(o), now: now, revenueGoals: revenueGoals, literal: literal)
        case .failure(let problem): .failure(problem)
        }
    }

    /// Validates one event (`docs/DOMAIN.md` §5).
    /// - Rules: an object; `eventId`, `userId`, `name` non-empty strings of at most
    ///   ``maxIdLength`` characters; `ts` epoch seconds or milliseconds, as a number or a numeric
    ///   string, by the same rule as a callback's `ts` (``EpochTimestamp``: 1970 to 2100, values
    ///   above 1e12 are milliseconds, fractions are truncated), at most 24 h (86,400 s) after `now`;
    ///   `properties` absent, `null` or an object; `eventId`, `userId` and `name` hold no control
    ///   character and no key or string of `properties` holds U+0000 (``TextInput``); for every goal in `revenueGoals` whose event is
    ///   this event's name, the revenue property is absent, `null`, or a valid amount of the goal's
    ///   unit (``ConversionGoal/revenueProblem(properties:literal:)``: anything else present, text
    ///   that is not a plain decimal too, is refused here, never stored as revenue 0).
    /// - Parameter literal: a number of the event as written, by its path inside the event
    ///   (``JSONNumberLiteral``), quoted by a refusal.
    /// - Returns: the event, or the reason it is invalid (every missing field named at once).
    static func validate(
        _ element: JSONValue, now: Int64, revenueGoals: [ConversionGoal] = [], literal: ([JSONPathStep]) -> String? = { _ in nil }
    ) -> Swift.Result<ConversionEventInput, Problem> {
        guard case .object(let o) = element else { return .failure(Problem(message: "event must be a JSON object")) }
        var missing: [String] = []
        var wrong: [String] = []
        func text(_ key: String) -> String? {
            switch o[key] {
            case nil, .null?: missing.append(key)
            case .string(let s)? where s.isEmpty: missing.append(key)
            case .string(let s)? where TextInput.lengthProblem(s, field: key, limit: maxIdLength) != nil:
                wrong.append(TextInput.lengthProblem(s, field: key, limit: maxIdLength) ?? key)
            case .string(let s)? where TextInput.problem(s, field: key, kind: .identifier) != nil:
                wrong.append(TextInput.problem(s, field: key, kind: .identifier)!)
            case .string(let s)?: return s
            default: wrong.append("\(key) must be a string")
            }
            return nil
        }
        let eventId = text("eventId")
        let userId = text("userId")
        let name = text("name")
        var ts: Int64?
        var tsRead: Swift.Result<Int64, EpochTimestamp.Problem>?
        switch o["ts"] {
        case nil, .null?: missing.append("ts")
        case .number(let d)?: tsRead = EpochTimestamp.seconds(d, literal: literal([.key("ts")]))
        case .string(let text)?: tsRead = EpochTimestamp.seconds(text: text)
        case .bool(let b)?: wrong.append(EpochTimestamp.wrongType(field: "ts", got: String(b)).message)
        case .array?: wrong.append(EpochTimestamp.wrongType(field: "ts", got: "an array").message)
        default: wrong.append(EpochTimestamp.wrongType(field: "ts", got: "an object").message)
        }
        switch tsRead {
        case .success(let seconds)?: ts = seconds
        case .failure(let problem)?: wrong.append(problem.message)
        case nil: break
        }
        var properties: [String: JSONValue] = [:]
        switch o["properties"] {
        case nil, .null?: break
        case .object(let p)?: properties = p
        default: wrong.append("properties must be an object")
        }
        if case .object(let p)? = o["properties"], let problem = TextInput.problem(in: .object(p), path: "properties") {
            wrong.append(problem)
        }
        if !missing.isEmpty { wrong.insert("missing fields: " + missing.joined(separator: ", "), at: 0) }
        for goal in revenueGoals where goal.event == name {
            let problem = goal.revenueProblem(properties: properties) { literal([.key("properties"), .key($0)]) }
            if let problem, !wrong.contains(problem) { wrong.append(problem) }
        }
        guard wrong.isEmpty, let eventId, let userId, let name, let ts else {
            return .failure(Problem(message: wrong.joined(separator: "; ")))
        }
        if let problem = EventTimeWindow.problem(ts, now: now) { return .failure(Problem(message: problem)) }
        return .success(ConversionEventInput(eventId: eventId, userId: userId, name: name, ts: ts, properties: properties))
    }
}
