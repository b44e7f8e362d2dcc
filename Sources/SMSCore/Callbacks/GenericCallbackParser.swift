import Foundation

/// Parses the generic provider's callback body (`docs/DOMAIN.md` §3 "The callback contract").
///
/// Shape: a JSON array of groups `[{"event": "<name>", "data": [<item>, ...]}, ...]`.
/// Events: `delivered`, `failed`, `clicked`, `replied` (matched case-insensitively; there is no
/// "sent" event). Item fields:
/// - every item: `meta` (non-empty string without control characters, ``CallbackMeta``), `ts` (epoch seconds as a number or a numeric string;
///   values above 1e12 are milliseconds and are divided by 1000; fractions are dropped; 1970 to
///   2100 only, see ``EpochTimestamp``),
///   optional `description`, optional `network` (the carrier's MCC-MNC, a string or number kept
///   as its text in ``CallbackItem/network``; a value that is not 5–6 digits is ignored by
///   ``NetworkCode``, never a refused item);
/// - `failed`: `code` (string, or number turned into its decimal string);
/// - `clicked`: `url` (non-empty string), optional `shorturl`;
/// - `replied`: `incomingText` (string, may be empty; cut to its first 512 Characters, i.e.
///   grapheme clusters, never bytes), optional `toPhone`.
/// `code`, `description`, `url` and `shorturl` hold no control character and no U+FFFD;
/// `incomingText` may hold line feed, carriage return and tab but no other control character and
/// no U+FFFD (``CallbackMeta/Field``): otherwise the item is invalid, naming the field.
/// Unknown keys are ignored. Optional fields given as numbers are kept as their decimal text;
/// optional fields of other JSON types are dropped.
///
/// Invalid items (missing or ill-typed required fields, unknown event, item not an object, group
/// without a `data` array, a number literal beyond `Double` or a key given twice anywhere in the
/// item, a string whose bytes are not UTF-8, ``JSONValueProblem``: that item alone, naming the field
/// and the byte) do not stop the batch: they come back in
/// ``CallbackParseResult/invalid`` with the reason. A group without a `data` array or whose `event`
/// is not a string is one invalid entry for the whole group (`index` nil).
public enum GenericCallbackParser {
    /// Default largest number of items accepted in one body.
    public static let defaultMaxItems = 10_000
    /// `incomingText` is cut to this many Characters (`docs/DOMAIN.md` §3).
    public static let maxIncomingTextLength = 512
    /// A `ts` above this value is read as milliseconds (`docs/DOMAIN.md` §3 Decision; ``EpochTimestamp``).
    public static let millisecondsThreshold: Int64 = EpochTimestamp.millisecondsThreshold

    /// Parses a raw generic callback body.
    ///
    /// - Parameters:
    ///   - body: the raw request body bytes, UTF-8 JSON. The items are found on the bytes first: a
    ///     string that is not UTF-8 refuses the item (or group) holding it, naming the field and the
    ///     byte (``JSONValueProblem/Kind/invalidUTF8``); the other items are read.
    ///   - maxItems: largest number of items (summed over all groups' `data`) accepted.
    /// - Returns: the valid items in body order and the invalid ones with reasons.
    /// - Throws: ``CallbackParseError/invalidUTF8`` (a body that is not JSON and not UTF-8),
    ///   ``CallbackParseError/malformedJSON(_:)``, ``CallbackParseError/notAnArray`` (top level is not an array),
    ///   ``CallbackParseError/groupNotAnObject(index:)`` (a top-level element is not an object),
    ///   ``CallbackParseError/tooManyItems(_:)``.
    public static func parse(_ body: Data, maxItems: Int = defaultMaxItems) throws(CallbackParseError) -> CallbackParseResult {
        let (root, rootSpan, bytes, problems, literals) = try CallbackJSONValue.decodeWithSpans(body, levels: 3, batch: true)
        let literalsByPath = JSONNumberLiteral.byPath(literals)
        guard case .array(let elements) = root else { throw .notAnArray }

        var groups: [[String: CallbackJSONValue]] = []
        groups.reserveCapacity(elements.count)
        var total = 0
        for (index, element) in elements.enumerated() {
            guard case .object(let group) = element else { throw .groupNotAnObject(index: index) }
            groups.append(group)
            if case .array(let data)? = group["data"] { total += data.count } else { total += 1 }
        }
        if total > maxItems { throw .tooManyItems(total) }

        var result = CallbackParseResult()
        result.items.reserveCapacity(total)
        for (groupIndex, group) in groups.enumerated() {
            let excerpt = GroupExcerpt(bytes: bytes, span: rootSpan.elements[groupIndex])
            let groupProblems = problems.filter { $0.isUnder([.index(groupIndex)]) }
            parseGroup(group, groupIndex: groupIndex, excerpt: excerpt, problems: groupProblems, literals: literalsByPath, into: &result)
        }
        return result
    }

    /// The event kind for a generic event name (`delivered`, `failed`, `clicked`, `replied`,
    /// compared case-insensitively after trimming), or `nil` for any other name.
    public static func eventKind(for name: String) -> CallbackEventKind? {
        switch name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "delivered": return .delivered
        case "failed": return .failed
        case "clicked": return .clicked
        case "replied": return .replied
        default: return nil
        }
    }

    // MARK: - Groups

    /// The bytes an invalid entry of one group is kept as (`docs/DOMAIN.md` §1 "Text from outside"):
    /// a one-group body made of the group's own bytes as received, its other items left out, so the
    /// item's bytes (key order, number spelling, repeated keys) are kept exactly and replay with the
    /// group's event to the same outcome.
    struct GroupExcerpt {
        let bytes: [UInt8]
        let span: CallbackJSONSpan

        /// `[<the group as received>]`.
        var wholeGroup: [UInt8] { [UInt8(ascii: "[")] + bytes[span.range] + [UInt8(ascii: "]")] }

        /// `[<the group as received, its data array holding only item index>]`.
        func item(_ index: Int) -> [UInt8] {
            guard let data = span.members["data"], index < data.elements.count else { return wholeGroup }
            let item = data.elements[index].range
            return [UInt8(ascii: "[")] + bytes[span.range.lowerBound..<(data.range.lowerBound + 1)]
                + bytes[item]
                + bytes[(data.range.upperBound - 1)..<span.range.upperBound] + [UInt8(ascii: "]")]
        }
    }

    private static func parseGroup(
        _ group: [String: CallbackJSONValue], groupIndex: Int, excerpt: GroupExcerpt, problems: [JSONValueProblem],
        literals: [[JSONPathStep]: String], into result: inout CallbackParseResult
    ) {
        // A number beyond `Double` or a repeated key in the group itself (not inside an item of
        // its `data`): the group is one invalid entry, kept whole (``JSONValueProblem``).
        let inItem: (JSONValueProblem) -> Bool = { problem in
            guard problem.path.count >= 3, problem.path[1] == .key("data"), case .index = problem.path[2] else { return false }
            return true
        }
        let ownProblems = problems.filter { !inItem($0) }
        if !ownProblems.isEmpty {
            let eventName: String? = if case .string(let s)? = group["event"] { s } else { nil }
            result.invalid.append(InvalidCallbackItem(
                raw: excerpt.wholeGroup, event: eventName,
                reason: CallbackJSONValue.itemProblems(ownProblems, under: [.index(groupIndex)], whole: "group").joined(separator: "; "),
                missingFields: [], group: groupIndex, index: nil))
            return
        }
        // Resolve the group's event: a kind, or the problem every item of the group inherits.
        let eventName: String?
        let resolved: Result<CallbackEventKind, GroupProblem>
        var eventIsIllTyped = false
        switch group["event"] {
        case .string(let s)? where s.contains(where: { !$0.isWhitespace }):
            eventName = s
            resolved = eventKind(for: s).map { .success($0) } ?? .failure(GroupProblem(reason: "unknown event '\(InputEcho.text(s))'", missing: []))
        case nil, .null?, .string?:
            eventName = nil
            resolved = .failure(GroupProblem(reason: "missing required fields: event", missing: ["event"]))
        case let other?:
            eventName = nil
            eventIsIllTyped = true
            resolved = .failure(GroupProblem(reason: "event must be a string, got \(other.typeName)", missing: []))
        }

        let data: [CallbackJSONValue]
        switch group["data"] {
        case .array(let values)?:
            data = values
        case let other:
            let missing = other == nil || other == .null
            let dataReason = missing ? "group has no 'data' array" : "'data' must be an array, got \(other?.typeName ?? "null")"
            var reasons: [String] = []
            var missingFields: [String] = []
            if case .failure(let problem) = resolved {
                reasons.append(problem.reason)
                missingFields += problem.missing
            }
            reasons.append(dataReason)
            if missing { missingFields.append("data") }
            result.invalid.append(InvalidCallbackItem(
                raw: excerpt.wholeGroup, event: eventName,
                reason: reasons.joined(separator: "; "), missingFields: missingFields, group: groupIndex, index: nil))
            return
        }

        // A group whose event is not a string is one invalid entry, kept whole.
        if eventIsIllTyped, case .failure(let problem) = resolved {
            result.invalid.append(InvalidCallbackItem(
                raw: excerpt.wholeGroup, event: nil, reason: problem.reason,
                missingFields: problem.missing, group: groupIndex, index: nil))
            return
        }

        for (index, element) in data.enumerated() {
            let outcome: ItemOutcome
            let valueProblems = CallbackJSONValue.itemProblems(
                problems, under: [.index(groupIndex), .key("data"), .index(index)], timeField: "ts")
            switch resolved {
            case _ where !valueProblems.isEmpty: outcome = .invalid(reason: valueProblems.joined(separator: "; "), missing: [])
            case .success(let kind):
                let itemPath: [JSONPathStep] = [.index(groupIndex), .key("data"), .index(index)]
                outcome = parseItem(element, kind: kind) { literals.isEmpty ? nil : literals[itemPath + [.key($0)]] }
            case .failure(let problem): outcome = .invalid(reason: problem.reason, missing: problem.missing)
            }
            switch outcome {
            case .valid(let item):
                result.items.append(item)
            case .invalid(let reason, let missing):
                result.invalid.append(InvalidCallbackItem(
                    raw: excerpt.item(index), event: eventName, reason: reason,
                    missingFields: missing, group: groupIndex, index: index))
            }
        }
    }

    /// A group-level problem inherited by each of the group's items.
    private struct GroupProblem: Error {
        let reason: String
        let missing: [String]
    }

    // MARK: - Items

    private enum ItemOutcome {
        case valid(CallbackItem)
        case invalid(reason: String, missing: [String])
    }

    private enum Field<T> {
        case missing
        case wrong(String)
        case value(T)
    }

    /// - Parameter literal: a member's number literal as written, when a `Double` would not echo it
    ///   (``JSONNumberLiteral``), for messages and kept text.
    private static func parseItem(_ value: CallbackJSONValue, kind: CallbackEventKind, literal: (String) -> String?) -> ItemOutcome {
        guard case .object(let obj) = value else {
            return .invalid(reason: "item must be a JSON object, got \(value.typeName)", missing: [])
        }
        var missing: [String] = []
        var problems: [String] = []

        func take<T>(_ name: String, _ field: Field<T>) -> T? {
            switch field {
            case .missing: missing.append(name); return nil
            case .wrong(let problem): problems.append(problem); return nil
            case .value(let v): return v
            }
        }

        let meta = take("meta", metaString(obj["meta"]))
        let ts = take("ts", timestamp(obj["ts"], literal: literal("ts")))
        var code: String?
        var url: String?
        var incomingText: String?
        switch kind {
        case .failed:
            code = take("code", checked(codeString(obj["code"], literal: literal("code")), "code", .text))
        case .clicked:
            url = take("url", checked(nonEmptyString(obj["url"], name: "url"), "url", .text))
        case .replied:
            incomingText = take("incomingText", checked(anyString(obj["incomingText"], name: "incomingText"), "incomingText", .messageText))
                .map { String($0.prefix(maxIncomingTextLength)) }
        case .delivered, .submitted:
            break
        }
        // Optional text fields by the same rule (``CallbackMeta/Field``): refused, never altered.
        let description = optionalText(obj["description"], literal: literal("description"))
        if let description, let problem = CallbackMeta.problem(description, field: "description", rule: .text) { problems.append(problem) }
        let shortURL = kind == .clicked ? optionalText(obj["shorturl"], literal: literal("shorturl")) : nil
        if let shortURL, let problem = CallbackMeta.problem(shortURL, field: "shorturl", rule: .text) { problems.append(problem) }

        if !missing.isEmpty || !problems.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("missing required fields: " + missing.joined(separator: ", ")) }
            parts.append(contentsOf: problems)
            return .invalid(reason: parts.joined(separator: "; "), missing: missing)
        }

        return .valid(CallbackItem(
            kind: kind, meta: meta ?? "", ts: ts, code: code,
            description: description,
            url: url,
            shortURL: shortURL,
            incomingText: incomingText,
            toPhone: kind == .replied ? optionalText(obj["toPhone"], literal: literal("toPhone")) : nil,
            network: optionalText(obj["network"], literal: literal("network"))))
    }

    private static func nonEmptyString(_ value: CallbackJSONValue?, name: String) -> Field<String> {
        switch value {
        case nil, .null?: return .missing
        case .string(let s)?:
            return s.contains(where: { !$0.isWhitespace }) ? .value(s) : .missing
        case let other?: return .wrong("\(name) must be a string, got \(other.typeName)")
        }
    }

    /// `field` refused by ``CallbackMeta``'s `rule` when it holds a character the rule refuses.
    private static func checked(_ field: Field<String>, _ name: String, _ rule: CallbackMeta.Field) -> Field<String> {
        if case .value(let text) = field, let problem = CallbackMeta.problem(text, field: name, rule: rule) { return .wrong(problem) }
        return field
    }

    /// A non-empty `meta` without control characters (``CallbackMeta``).
    private static func metaString(_ value: CallbackJSONValue?) -> Field<String> {
        let field = nonEmptyString(value, name: "meta")
        if case .value(let meta) = field, let problem = CallbackMeta.problem(meta) { return .wrong(problem) }
        return field
    }

    private static func anyString(_ value: CallbackJSONValue?, name: String) -> Field<String> {
        switch value {
        case nil, .null?: return .missing
        case .string(let s)?: return .value(s)
        case let other?: return .wrong("\(name) must be a string, got \(other.typeName)")
        }
    }

    private static func codeString(_ value: CallbackJSONValue?, literal: String?) -> Field<String> {
        switch value {
        case nil, .null?: return .missing
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? .missing : .value(t)
        case .integer(let i)?: return .value(String(i))
        case .double(let d)?:
            if let i = Int64(exactly: d) { return .value(String(i)) }
            return .wrong("code must be a string or an integer, got \(literal.map { "'\(InputEcho.text($0))'" } ?? "\(d)")")
        case let other?: return .wrong("code must be a string or a number, got \(other.typeName)")
        }
    }

    /// `ts` by the one rule of callbacks and events (``CallbackDialectSupport/epochTime(_:field:)``).
    private static func timestamp(_ value: CallbackJSONValue?, literal: String?) -> Field<Int64> {
        switch CallbackDialectSupport.epochTime(value, field: "ts", literal: literal) {
        case .success(nil): return .missing
        case .success(let seconds?): return .value(seconds)
        case .failure(let problem): return .wrong(problem.message)
        }
    }

    /// Optional text fields: strings as given, numbers as decimal text, anything else dropped.
    private static func optionalText(_ value: CallbackJSONValue?, literal: String?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .integer(let i)?: return String(i)
        case .double(let d)?: return literal ?? Int64(exactly: d).map { String($0) } ?? "\(d)"
        default: return nil
        }
    }
}
