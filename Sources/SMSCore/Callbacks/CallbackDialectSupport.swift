import Foundation

/// Shared helpers of the provider dialect adapters (internal).
enum CallbackDialectSupport {
    /// The parameters as a canonical JSON object of strings (sorted keys): how a form/query callback
    /// is stored whole when it is invalid.
    static func rawJSON(_ params: [String: String]) -> [UInt8] {
        Array(CallbackJSONValue.object(params.mapValues { .string($0) }).canonicalJSON.utf8)
    }

    /// `value` trimmed of surrounding whitespace, or `nil` when absent or blank.
    static func text(_ value: String?) -> String? {
        guard let value else { return nil }
        let t = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// Names of the required parameters that are absent or blank, in the given order.
    static func missing(_ names: [String], in params: [String: String]) -> [String] {
        names.filter { text(params[$0]) == nil }
    }

    /// The invalid-item record for missing required fields.
    static func missingFields(_ missing: [String], raw: [UInt8], event: String?, index: Int? = nil) -> InvalidCallbackItem {
        InvalidCallbackItem(
            raw: raw, event: event, reason: "missing required fields: " + missing.joined(separator: ", "),
            missingFields: missing, group: nil, index: index)
    }

    /// The invalid-item record for a status word the dialect table does not list
    /// (`docs/DOMAIN.md` §3: "Unknown statuses are stored, not guessed").
    static func unknownStatus(_ status: String, raw: [UInt8], index: Int? = nil) -> InvalidCallbackItem {
        InvalidCallbackItem(
            raw: raw, event: status, reason: "unknown status '\(InputEcho.text(status))'", missingFields: [], group: nil, index: index)
    }

    /// A JSON object's scalar members as strings (numbers in decimal, booleans as `true`/`false`);
    /// `null`, arrays and objects are left out. Lets JSON dialects share the form-field logic.
    static func flatten(_ object: [String: CallbackJSONValue]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let s): out[key] = s
            case .integer(let i): out[key] = String(i)
            case .double(let d): out[key] = Int64(exactly: d).map { String($0) } ?? "\(d)"
            case .bool(let b): out[key] = b ? "true" : "false"
            case .null, .array, .object: break
            }
        }
        return out
    }

    /// Decodes a body that must be one JSON object (one report), with the sentences for its values
    /// not taken as written (``JSONValueProblem``: a number beyond `Double`, a key given twice;
    /// non-empty: the report is one invalid item naming the field).
    /// - Throws: ``CallbackParseError/invalidUTF8``, ``CallbackParseError/malformedJSON(_:)``,
    ///   ``CallbackParseError/notAnObject``.
    static func decodeObject(_ body: Data) throws(CallbackParseError)
        -> (object: [String: CallbackJSONValue], problems: [String])
    {
        let (value, _, _, problems, _) = try CallbackJSONValue.decodeWithSpans(body, levels: 0)
        guard case .object(let object) = value else { throw .notAnObject }
        return (object, JSONValueProblem.messages(problems, under: [], whole: "report"))
    }

    /// How a dialect writes an event time.
    enum TimeFormat {
        /// Epoch seconds or milliseconds as a decimal number (``EpochTimestamp/seconds(text:field:)``).
        case epoch
        /// `YYYY-MM-DD HH:MM:SS[.fraction]`, UTC.
        case spaceSeparated
        /// ISO 8601 with a zone.
        case iso8601
        /// SMPP `YYMMDDhhmm[ss]`, UTC.
        case smpp
    }

    /// A time field by the one rule of every `ts` (``EpochTimestamp``: 1970 to 2100; at most 24 h
    /// ahead of the server clock while a route parses, ``EventTimeWindow``): `nil` when
    /// absent or blank; the reason naming the field and its allowed range when present but not
    /// readable or out of range (`docs/DOMAIN.md` §3 "Decisions": never ignored).
    static func time(_ params: [String: String], _ field: String, _ format: TimeFormat) -> Result<Int64?, EpochTimestamp.Problem> {
        guard let raw = params[field], let value = text(raw) else { return .success(nil) }
        let read: Result<Int64, EpochTimestamp.Problem>
        switch format {
        case .epoch: read = EpochTimestamp.seconds(text: raw, field: field)
        case .spaceSeparated:
            read = EpochTimestamp.seconds(
                date: CallbackTimeParsing.parseSpaceSeparated(value), text: raw, format: "YYYY-MM-DD HH:MM:SS", field: field)
        case .iso8601:
            read = EpochTimestamp.seconds(
                date: CallbackTimeParsing.parseISO8601(value), text: raw, format: "YYYY-MM-DDTHH:MM:SS with a zone (ISO 8601)",
                field: field)
        case .smpp:
            read = EpochTimestamp.seconds(date: CallbackTimeParsing.parseSMPPDate(value), text: raw, format: "YYMMDDhhmm[ss]", field: field)
        }
        return EventTimeWindow.checked(read, field: field).map { Optional($0) }
    }

    /// A time field of a JSON dialect by the one rule of every `ts` (``EpochTimestamp``): a number
    /// (integers exactly) or a numeric string; `nil` when absent, `null` or a blank string; the
    /// reason naming `field` and its range otherwise (the generic `ts`, Gupshup's `eventTs`), quoting
    /// `literal` (the number as written, ``JSONNumberLiteral``) when there is one.
    static func epochTime(_ value: CallbackJSONValue?, field: String, literal: String? = nil) -> Result<Int64?, EpochTimestamp.Problem> {
        let read: Result<Int64, EpochTimestamp.Problem>
        switch value {
        case nil, .null?:
            return .success(nil)
        case .integer(let i)?:
            read = EpochTimestamp.seconds(i, field: field)
        case .double(let d)?:
            read = EpochTimestamp.seconds(d, field: field, literal: literal)
        case .string(let raw)?:
            if raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .success(nil) }
            read = EpochTimestamp.seconds(text: raw, field: field)
        case .bool(let b)?:
            return .failure(EpochTimestamp.wrongType(field: field, got: String(b)))
        case let other?:
            return .failure(EpochTimestamp.wrongType(field: field, got: other.typeName))
        }
        return EventTimeWindow.checked(read, field: field).map { Optional($0) }
    }

    /// The reasons a dialect's fields with a rule are refused, in the given order: each id field
    /// present by ``CallbackMeta`` (on the value as received), each text field (a code, a
    /// description) by ``CallbackMeta/Field/text``, each time field by ``time(_:_:_:)``; also gives
    /// the times read (by field name).
    static func check(
        ids: [String], texts: [String] = [], times: [(String, TimeFormat)], in params: [String: String]
    ) -> (problems: [String], times: [String: Int64]) {
        var problems = ids.compactMap { name in params[name].flatMap { CallbackMeta.problem($0, field: name) } }
        problems += texts.compactMap { name in params[name].flatMap { CallbackMeta.problem($0, field: name, rule: .text) } }
        var read: [String: Int64] = [:]
        for (name, format) in times {
            switch time(params, name, format) {
            case .success(let seconds?): read[name] = seconds
            case .success(nil): break
            case .failure(let problem): problems.append(problem.message)
            }
        }
        return (problems, read)
    }

    /// The invalid-item record for fields refused by ``check(ids:times:in:)``.
    static func refused(_ problems: [String], raw: [UInt8], event: String?, index: Int? = nil) -> InvalidCallbackItem {
        InvalidCallbackItem(raw: raw, event: event, reason: problems.joined(separator: "; "), missingFields: [], group: nil, index: index)
    }

    /// A decimal integer (optionally signed), or `nil`.
    static func int(_ value: String?) -> Int? {
        text(value).flatMap { Int($0) }
    }
}
