import Hummingbird
import SMSCore

/// The one reader of single-valued query parameters (`?limit=50`, `?region=DE`, `?tz=…`, a
/// callback's `?secret=…`): a parameter given more than once (`?region=DE&region=US`) is a 400
/// naming it, never one of its values picked silently, and one that is not UTF-8 once
/// percent-decoded (`?q=%ff`) is a 400 naming it, never read with U+FFFD (`docs/DOMAIN.md` §1
/// "Text from outside").
enum QueryParameter {
    /// The value of `name` in the request's query (decoded as Hummingbird decodes it), `nil` when absent.
    /// - Throws: ``repeated(_:times:)`` when it is given more than once.
    static func single(_ name: String, in request: Request) throws -> String? {
        try checkUTF8(in: request)
        return try single(name, values: request.uri.queryParameters.getAll(name))
    }

    /// The one value of `name` among `values` (every value the query gave it), `nil` for none.
    /// - Throws: ``repeated(_:times:)`` for more than one.
    static func single(_ name: String, values: [String]) throws -> String? {
        guard values.count <= 1 else { throw repeated(name, times: values.count) }
        return values.first
    }

    /// The `true` / `false` parameter `name` (``single(_:in:)``), `nil` when absent: the one reader
    /// of boolean query flags (the message log's `clicked`, `converted`, `unmask`; the profile
    /// list's `optedOut`; the campaign list's `archived`).
    /// - Throws: 400 naming it, `clicked must be true or false (got 'yes')`; ``repeated(_:times:)``.
    static func bool(_ name: String, in request: Request) throws -> Bool? {
        try single(name, in: request).map { try bool(name, value: $0) }
    }

    /// `value` of the boolean parameter `name`: exactly `true` or `false`.
    /// - Throws: 400 `optedOut must be true or false (got 'yes')` (the value echoed by ``InputEcho``).
    static func bool(_ name: String, value: String) throws -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default: throw HTTPError(.badRequest, message: "\(InputEcho.text(name)) must be true or false (got '\(InputEcho.text(value))')")
        }
    }

    /// Every parameter of the request's query in order, each name at most once: for routes that
    /// read names they do not know in advance (`property.<name>` filters).
    /// - Throws: ``repeated(_:times:)`` for the first name given more than once.
    static func all(in request: Request) throws -> [(String, String)] {
        try checkUTF8(in: request)
        let pairs = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if let (name, times) = firstRepeated(pairs) { throw repeated(name, times: times) }
        return pairs
    }

    /// The first name (in order) that `pairs` give more than once, with how many times: one rule
    /// for query parameters and dashboard form fields (``Dashboard/form(_:_:limit:)``).
    static func firstRepeated(_ pairs: [(String, String)]) -> (name: String, times: Int)? {
        // The rule of callback fields too (``FormFields/repeatedNames(_:)``).
        FormFields.repeatedNames(pairs).first.map { ($0.name, $0.count) }
    }

    /// Refuses a query whose parameters do not all decode (percent-decoding first) to UTF-8: read
    /// lossily they would be compared and stored with U+FFFD (`?q=%ff`).
    /// - Throws: `HTTPError(.badRequest)` naming each such parameter:
    ///   `the query parameter 'q' is not valid UTF-8 (byte 0xFF at byte 0 of its value)`.
    static func checkUTF8(in request: Request) throws {
        guard let query = request.uri.query, query.contains("%") else { return }
        if case .failure(let invalid) = FormFields.strictPairs(bytes: Array(query.utf8)) {
            throw HTTPError(.badRequest, message: invalid.message(noun: "query parameter"))
        }
    }

    /// The 400 for a parameter given `times` times: `query parameter 'region' is given 2 times; give it once`.
    static func repeated(_ name: String, times: Int) -> HTTPError {
        HTTPError(.badRequest, message: "query parameter '\(InputEcho.text(name))' is given \(times) times; give it once")
    }
}
