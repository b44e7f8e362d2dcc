import Foundation

/// Chooses the parser of a provider's callback dialect (`docs/DOMAIN.md` §3 "Other dialects") and
/// defines how an invalid item is stored so that it can be parsed again (replayed) later.
///
/// How each kind's callback arrives:
/// | kind | input |
/// |---|---|
/// | generic | JSON body, array of groups (``GenericCallbackParser``) |
/// | sinch | JSON body, one report object (``SinchCallback``) |
/// | gupshup | JSON body, array of events (``GupshupCallback``) |
/// | vonage | JSON body on POST; query (GET) or form fields when the body is not JSON (``VonageCallback``) |
/// | twilio, plivo, jasmin | form fields (POST) or query parameters (GET) (``TwilioCallback``, ``PlivoCallback``, ``JasminCallback``) |
/// | kannel | query parameters of the `dlr-url` (GET), form fields accepted too (``KannelCallback``) |
///
/// Stored form of an invalid item (``storedRaw(_:kind:fields:)``), the bytes that arrived
/// (`docs/DOMAIN.md` §1 "Text from outside"), always re-parseable by ``reparse(_:kind:maxItems:)``
/// to the same outcome:
/// - generic: a one-group body made of the item's group exactly as received with its other items
///   left out (`[{"event":"delivered","data":[<the item's bytes>]}]`, keys, spacing inside the item
///   and number spelling as sent); a whole invalid group is `[<the group's bytes>]`;
/// - Gupshup: the batch element's bytes (a single-object body: the body); an element that is not
///   an object (`"operator"`) in a batch of one (`["operator"]`), since alone it is no batch;
/// - Sinch, Vonage by JSON: the body as received;
/// - field dialects (twilio, plivo, jasmin, kannel, vonage by fields): the text the fields were
///   read from (``FormFields/received(form:query:)``): the form body's bytes exactly as received
///   (a UTF-16 body stays UTF-16), or the query string without our `secret`, or both joined by `&`.
///   Rows written by earlier versions (the fields as a JSON object of strings) still replay.
/// A body that could not be read at all is stored as received, and re-parsed as a body.
public enum CallbackDialect {
    /// Whether `kind` reads form/query fields rather than a JSON body.
    public static func readsFields(_ kind: ProviderKind, bodyIsJSON: Bool) -> Bool {
        switch kind {
        case .generic, .sinch, .gupshup: false
        case .vonage: !bodyIsJSON
        case .twilio, .plivo, .jasmin, .kannel: true
        }
    }

    /// The part of a field's percent-decoded bytes that must be UTF-8 in a callback of `kind`
    /// (``FormFields/strictPairs(bytes:checkedPart:)``): the whole value, except the `text:` part of
    /// Kannel's `answer`, which carries the message's own bytes in its own coding and is never read
    /// (``KannelCallback/utf8CheckedPart(name:value:)``), and Jasmin's fields it does not read, its
    /// `text` (the same octets) above all (``JasminCallback/utf8CheckedPart(name:value:)``). The
    /// request is kept as received either way.
    public static func utf8CheckedPart(_ kind: ProviderKind) -> @Sendable (_ name: String, _ value: [UInt8]) -> ArraySlice<UInt8> {
        if kind == .kannel { return { name, value in KannelCallback.utf8CheckedPart(name: name, value: value) } }
        if kind == .jasmin { return { name, value in JasminCallback.utf8CheckedPart(name: name, value: value) } }
        return { _, value in value[...] }
    }

    /// Parses one callback request of `kind`.
    /// - Parameters:
    ///   - kind: the provider's dialect.
    ///   - body: the raw request body (JSON dialects); one leading byte order mark is skipped
    ///     (``ByteOrderMark``, by the JSON reader).
    ///   - fields: decoded query parameters merged with decoded form-body fields (field dialects);
    ///     the caller removes our own `secret` parameter first.
    ///   - bodyIsJSON: the body is meant as JSON (not form-encoded, not empty); only Vonage looks at it.
    ///   - maxItems: largest number of items accepted (generic and Gupshup batches).
    ///   - now: the server clock (epoch seconds): an item whose time is more than 24 h after it is
    ///     invalid naming the field and the allowed range (``EventTimeWindow``); `nil` = no window.
    /// - Returns: the valid items and the invalid ones with reasons.
    /// - Throws: the JSON parsers' ``CallbackParseError`` (malformed JSON, wrong top-level type,
    ///   too many items).
    public static func parse(
        kind: ProviderKind, body: Data, fields: [String: String], bodyIsJSON: Bool, maxItems: Int, now: Int64?
    ) throws(CallbackParseError) -> CallbackParseResult {
        try inWindow(now) { () throws(CallbackParseError) in
            try parse(kind: kind, body: body, fields: fields, bodyIsJSON: bodyIsJSON, maxItems: maxItems)
        }
    }

    /// `parse` run with `now` as the server clock of the time window (``EventTimeWindow``).
    private static func inWindow(
        _ now: Int64?, _ parse: () throws(CallbackParseError) -> CallbackParseResult
    ) throws(CallbackParseError) -> CallbackParseResult {
        let result = EventTimeWindow.$callbackNow.withValue(now) { Result { () throws(CallbackParseError) in try parse() } }
        return try result.get()
    }

    /// Parses one callback request of `kind` whose fields (field dialects) are given as the text
    /// they were read from (``FormFields/received(form:query:)``): the one place a callback's form
    /// and query pairs are decoded (``FormFields/pairs(_:)``), live and on replay. A field named
    /// more than once (`type=16&type=1`, `MessageStatus` twice, a name in both the form and the
    /// query) makes the callback one invalid item naming each such field and how often it appears
    /// (``FormFields/repeatedMessage(name:count:noun:)``), kept with the text as received like any
    /// invalid item: the same path as a JSON key given twice (``JSONValueProblem``).
    /// - Parameters: as ``parse(kind:body:fields:bodyIsJSON:maxItems:now:)``, with `fieldText` for `fields`
    ///   (read as UTF-8; invalid bytes become U+FFFD: the caller refuses them first, naming the field).
    public static func parse(
        kind: ProviderKind, body: Data, fieldText: [UInt8], bodyIsJSON: Bool, maxItems: Int, now: Int64?
    ) throws(CallbackParseError) -> CallbackParseResult {
        try inWindow(now) { () throws(CallbackParseError) in
            try parse(kind: kind, body: body, fieldText: fieldText, bodyIsJSON: bodyIsJSON, maxItems: maxItems)
        }
    }

    private static func parse(
        kind: ProviderKind, body: Data, fieldText: [UInt8], bodyIsJSON: Bool, maxItems: Int
    ) throws(CallbackParseError) -> CallbackParseResult {
        guard readsFields(kind, bodyIsJSON: bodyIsJSON) else {
            return try parse(kind: kind, body: body, fields: [:], bodyIsJSON: bodyIsJSON, maxItems: maxItems)
        }
        let text = String(decoding: fieldText, as: UTF8.self)
        let pairs = FormFields.pairs(text)
        let repeated = FormFields.repeatedNames(pairs)
        if !repeated.isEmpty {
            let reasons = repeated.map { FormFields.repeatedMessage(name: $0.name, count: $0.count) }
            return CallbackParseResult(invalid: [CallbackDialectSupport.refused(reasons, raw: fieldText, event: nil)])
        }
        var fields: [String: String] = [:]
        for (name, value) in pairs { fields[name] = value }
        return try parse(kind: kind, body: body, fields: fields, bodyIsJSON: bodyIsJSON, maxItems: maxItems)
    }

    /// ``parse(kind:body:fields:bodyIsJSON:maxItems:now:)`` with the window of the caller's parse (none
    /// when called on its own).
    public static func parse(
        kind: ProviderKind, body: Data, fields: [String: String], bodyIsJSON: Bool, maxItems: Int
    ) throws(CallbackParseError) -> CallbackParseResult {
        // The JSON reader skips one leading byte order mark (``ByteOrderMark``).
        let json = body
        switch kind {
        case .generic: return try GenericCallbackParser.parse(json, maxItems: maxItems)
        case .sinch: return try SinchCallback.parse(json: json)
        case .gupshup: return try GupshupCallback.parse(json: json, maxItems: maxItems)
        case .vonage: return bodyIsJSON ? try VonageCallback.parse(json: json) : VonageCallback.parse(params: fields)
        case .twilio: return TwilioCallback.parse(params: fields)
        case .plivo: return PlivoCallback.parse(params: fields)
        case .jasmin: return JasminCallback.parse(params: fields)
        case .kannel: return KannelCallback.parse(params: fields)
        }
    }

    /// The bytes an invalid item is stored as (see the type's documentation), re-parseable by
    /// ``reparse(_:kind:maxItems:)``.
    /// - Parameters:
    ///   - item: the invalid item as the parser gave it (its `raw` is the item's bytes as received).
    ///   - kind: the provider's dialect.
    ///   - fields: the text the fields were read from (``FormFields/received(form:query:)``) when the
    ///     dialect read form or query fields, `nil` when it read a JSON body.
    public static func storedRaw(_ item: InvalidCallbackItem, kind: ProviderKind, fields: [UInt8]?) -> [UInt8] {
        if let fields, readsFields(kind, bodyIsJSON: false) { return fields }
        if kind == .gupshup, item.raw.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) != UInt8(ascii: "{") {
            return [UInt8(ascii: "[")] + item.raw + [UInt8(ascii: "]")]
        }
        return item.raw
    }

    /// Parses a stored raw item (or a stored whole body) again, e.g. after a mapping was fixed or
    /// an operator corrected it.
    /// - Parameters:
    ///   - raw: the stored text (``storedRaw(_:kind:fields:)``, or a whole body as received).
    ///   - kind: the provider's dialect.
    ///   - maxItems: largest number of items accepted.
    /// - Returns: the parse result (its `invalid` is non-empty when the item is still invalid).
    /// - Throws: ``CallbackParseError`` when the text is not readable for that dialect.
    public static func reparse(_ raw: String, kind: ProviderKind, maxItems: Int = GenericCallbackParser.defaultMaxItems)
        throws(CallbackParseError) -> CallbackParseResult
    {
        try reparse(Array(raw.utf8), kind: kind, maxItems: maxItems)
    }

    /// ``reparse(_:kind:maxItems:)`` of stored bytes, byte for byte (an ingestion error's raw input:
    /// the same bytes parse as they did when they were received).
    /// - Parameter bodyKind: how the bytes were read when they arrived (stored with the error):
    ///   `.json` parses them as the dialect's JSON body, `.fields` as the text of form or query
    ///   fields, whatever they look like; `nil` (rows stored before it was kept) guesses from the
    ///   bytes as earlier versions did.
    /// - Parameter now: the server clock for the time window (``EventTimeWindow``), `nil` = none.
    public static func reparse(
        _ raw: [UInt8], kind: ProviderKind, bodyKind: CallbackBodyKind? = nil, maxItems: Int = GenericCallbackParser.defaultMaxItems,
        now: Int64? = nil
    ) throws(CallbackParseError) -> CallbackParseResult {
        try inWindow(now) { () throws(CallbackParseError) in try reparseBytes(raw, kind: kind, bodyKind: bodyKind, maxItems: maxItems) }
    }

    private static func reparseBytes(
        _ raw: [UInt8], kind: ProviderKind, bodyKind: CallbackBodyKind?, maxItems: Int
    ) throws(CallbackParseError) -> CallbackParseResult {
        let data = Data(raw)
        switch (kind, bodyKind) {
        case (.generic, _), (.sinch, _), (.gupshup, _):
            return try parse(kind: kind, body: data, fields: [:], bodyIsJSON: true, maxItems: maxItems)
        case (_, .json?):
            return try parse(kind: kind, body: data, fields: [:], bodyIsJSON: kind == .vonage, maxItems: maxItems)
        case (_, .fields?):
            return try parse(kind: kind, body: Data(), fieldText: raw, bodyIsJSON: false, maxItems: maxItems)
        case (.vonage, nil), (.twilio, nil), (.plivo, nil), (.jasmin, nil), (.kannel, nil):
            let json = try? CallbackJSONValue.decode(data)
            if kind == .vonage, json != nil || raw.first == UInt8(ascii: "{") || raw.first == UInt8(ascii: "[") {
                // Vonage's JSON body (a body it could not read was stored as received, and starts so).
                do {
                    return try parse(kind: kind, body: data, fields: [:], bodyIsJSON: true, maxItems: maxItems)
                } catch {
                    // Form text that starts with `{` or `[` but is not JSON (found by the
                    // callback-fields fuzzer: `[mm\xF2`, `[o\r\0\0\0u`): it was read as form
                    // fields, so it replays as form fields. (A Vonage JSON body refused whole
                    // replays as fields too: no item, a clear reason, never a crash.)
                }
            }
            if case .object(let object)? = json {
                // An earlier version stored the fields as a JSON object of strings.
                return try parse(
                    kind: kind, body: Data(), fields: CallbackDialectSupport.flatten(object), bodyIsJSON: false,
                    maxItems: maxItems)
            }
            return try parse(kind: kind, body: Data(), fieldText: raw, bodyIsJSON: false, maxItems: maxItems)
        }
    }
}
