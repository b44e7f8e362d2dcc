import Foundation

/// Adapter for Gupshup Enterprise SMS real-time delivery reports pushed by POST: a JSON array of up
/// to 20 events.
///
/// Source: Gupshup "Real Time Delivery Reports", section "Post Request"
/// (`https://docs.gupshup.io/docs/real-time-delivery-reports`). The page's sample is not valid JSON
/// (typographic quotes, unquoted ids); this adapter reads the same field names from valid JSON,
/// accepting strings or numbers for each.
///
/// Fields used: `externalId` (Gupshup's unique message id), `eventType` (`SENT`, `DELIVERED`,
/// `FAILED`, `READ`), `eventTs` (epoch **milliseconds**), `destAddr`, `cause` (e.g.
/// `UNKNOWN_SUBSCRIBER`), `errCode` (the page's name; `errorCode` is accepted too).
/// Gupshup only reports its own id, so `meta` and `providerMessageId` are both `externalId`.
public enum GupshupCallback {
    /// Maps an `eventType` (case-insensitive) to our event kind: `SENT` → `.submitted`;
    /// `DELIVERED`, `READ` → `.delivered` (a read receipt implies delivery, as Twilio `read` in
    /// `docs/DOMAIN.md` §3); `FAILED` → `.failed`; anything else → `nil`, stored as an unknown status.
    public static func kind(forEventType eventType: String) -> CallbackEventKind? {
        switch eventType.trimmingCharacters(in: .whitespacesAndNewlines).uppercased() {
        case "SENT": return .submitted
        case "DELIVERED", "READ": return .delivered
        case "FAILED": return .failed
        default: return nil
        }
    }

    /// Parses a batch of events. A single event object (not wrapped in an array) is read as a batch
    /// of one.
    ///
    /// - Parameters:
    ///   - body: the raw request body.
    ///   - maxItems: largest number of events accepted.
    /// - Returns: items in body order; invalid entries (with `index`, each kept as its own bytes as
    ///   received) for elements that are not objects, lack `externalId`/`eventType`, whose
    ///   `externalId` is refused by ``CallbackMeta``, whose `eventTs` is not epoch time from 1970 to
    ///   2100 (``EpochTimestamp``), hold a number beyond `Double` or a key given twice
    ///   (``JSONValueProblem``), or have an unknown `eventType`. `ts` is `eventTs`
    ///   converted to seconds (values at or below 1e12 are taken as seconds already); `code` is
    ///   `errCode`/`errorCode` and `description` is `cause`, both for failed items only; `toPhone`
    ///   is `destAddr`.
    ///   An event holding a string whose bytes are not UTF-8 is refused alone, naming the field and
    ///   the byte (the events are found on the bytes first, ``JSONValueProblem/Kind/invalidUTF8``).
    /// - Throws: ``CallbackParseError/invalidUTF8`` (a body that is not JSON and not UTF-8),
    ///   ``CallbackParseError/malformedJSON(_:)``, ``CallbackParseError/notAnArray`` (neither array nor object),
    ///   ``CallbackParseError/tooManyItems(_:)``.
    public static func parse(json body: Data, maxItems: Int = GenericCallbackParser.defaultMaxItems) throws(CallbackParseError) -> CallbackParseResult {
        let elements: [CallbackJSONValue]
        // Each invalid event is kept as its own bytes as received: the array element's, or the whole
        // body for a single object.
        let raws: [[UInt8]]
        // Where each event lies in the tree (numbers beyond `Double`, repeated keys: ``JSONValueProblem``).
        let prefixes: [[JSONPathStep]]
        let (root, span, bytes, valueProblems, literals) = try CallbackJSONValue.decodeWithSpans(body, levels: 1, batch: true)
        let literalsByPath = JSONNumberLiteral.byPath(literals)
        switch root {
        case .array(let values):
            elements = values
            raws = span.elements.map { Array(bytes[$0.range]) }
            prefixes = values.indices.map { [.index($0)] }
        case .object(let object):
            elements = [.object(object)]
            raws = [bytes]
            prefixes = [[]]
        default: throw .notAnArray
        }
        if elements.count > maxItems { throw .tooManyItems(elements.count) }

        let support = CallbackDialectSupport.self
        var result = CallbackParseResult()
        for (index, element) in elements.enumerated() {
            let raw = raws[index]
            guard case .object(let object) = element else {
                result.invalid.append(InvalidCallbackItem(
                    raw: raw, event: nil, reason: "event must be a JSON object, got \(element.typeName)",
                    missingFields: [], group: nil, index: index))
                continue
            }
            let params = support.flatten(object)
            let externalId = support.text(params["externalId"])
            let eventType = support.text(params["eventType"])
            let refusedValues = CallbackJSONValue.itemProblems(valueProblems, under: prefixes[index], timeField: "eventTs")
            if !refusedValues.isEmpty {
                result.invalid.append(support.refused(refusedValues, raw: raw, event: eventType, index: index))
                continue
            }
            let missing = support.missing(["externalId", "eventType"], in: params)
            guard let externalId, let eventType else {
                result.invalid.append(support.missingFields(missing, raw: raw, event: eventType, index: index))
                continue
            }
            var problems = support.check(ids: ["externalId"], texts: ["errCode", "errorCode", "cause"], times: [], in: params).problems
            let ts: Int64?
            switch support.epochTime(object["eventTs"], field: "eventTs", literal: literalsByPath[prefixes[index] + [.key("eventTs")]]) {
            case .success(let seconds): ts = seconds
            case .failure(let problem): ts = nil; problems.append(problem.message)
            }
            if !problems.isEmpty {
                result.invalid.append(support.refused(problems, raw: raw, event: eventType, index: index))
                continue
            }
            guard let kind = kind(forEventType: eventType) else {
                result.invalid.append(support.unknownStatus(eventType, raw: raw, index: index))
                continue
            }
            let failed = kind == .failed
            result.items.append(CallbackItem(
                kind: kind, meta: externalId, ts: ts,
                code: failed ? (support.text(params["errCode"]) ?? support.text(params["errorCode"])) : nil,
                description: failed ? support.text(params["cause"]) : nil,
                toPhone: support.text(params["destAddr"]),
                providerStatus: eventType, providerMessageId: externalId))
        }
        return result
    }
}
