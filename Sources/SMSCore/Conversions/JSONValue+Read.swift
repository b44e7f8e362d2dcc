import Foundation

extension JSONValue {
    /// Reads a request body (`POST /api/v1/events`) with the strict RFC 8259 reader behind the
    /// callback parsers, so a body is JSON exactly when ``JSONSyntax/problem(in:)`` says so.
    ///
    /// Foundation's `JSONDecoder` is not used for bodies: it refuses some valid numbers (swift-foundation
    /// on Linux refuses `0e3` while reading `0E0` and `1e3`; found by the `json` fuzzer), and the events
    /// route then answered "not valid JSON" without a position. Numbers become ``number(_:)``
    /// (integers beyond 2^53 lose precision, as with `JSONDecoder`).
    /// - Parameter body: the raw request body.
    /// - Throws: ``CallbackParseError/invalidUTF8`` or ``CallbackParseError/malformedJSON(_:)``
    ///   (reason with the 0-based byte offset).
    public init(json body: Data) throws(CallbackParseError) {
        self.init(try CallbackJSONValue.decode(body))
    }

    /// Where each element of a JSON array body lies (0-based byte ranges, end exclusive, without
    /// surrounding white space), in order; `nil` when `body` is not a JSON array. How an invalid
    /// event of a batch is kept as the bytes that arrived (`docs/DOMAIN.md` §1 "Text from outside").
    public static func elementRanges(json body: Data) -> [Range<Int>]? {
        guard let (value, span, _, _, _) = try? CallbackJSONValue.decodeWithSpans(body, levels: 1), case .array = value else { return nil }
        return span.elements.map(\.range)
    }

    init(_ value: CallbackJSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let values): self = .array(values.map(JSONValue.init))
        case .object(let members): self = .object(members.mapValues(JSONValue.init))
        }
    }
}
