import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// JSON helpers of the web adapter.
enum JSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// A JSON response with the given status.
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return raw(data, status: status)
    }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json") -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Decodes a request body, answering 400 with what is wrong. The body is read once by the
    /// one body rule of every JSON route (``JSONBody``: UTF-8 only, strict RFC 8259; `body is not
    /// valid JSON: the body is not valid UTF-8` for a UTF-16 body), then decoded from that tree by
    /// the strict decoder (``JSONBody/decode(_:)``), naming the field's path and, for a number
    /// outside its range, the range (``InputRangeError``; a literal beyond `Double`'s range such as
    /// `1e309` too: `variants[0].percent must be a number above 0 and at most 100 percent (got
    /// '1e309')`); for a key the type does not take, the key and the fields its object takes
    /// (``JSONBody/UnknownField``: `unknown field 'ratePerSec': the fields are …`); for a key given
    /// twice in one object, its path (`controlGroupPercent is given more than once: …`); for a
    /// string or key holding U+0000, its path (``TextInput``: no text field may hold it,
    /// `docs/DOMAIN.md` §1).
    /// - Parameter refusingNUL: `false` only for a body whose text is callback input under its own
    ///   rules (a replay's corrected `raw`, `docs/DOMAIN.md` §3).
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, what: String, refusingNUL: Bool = true) throws -> T {
        let body: JSONBody
        do {
            body = try JSONBody.read(Data(buffer: buffer))
        } catch {
            throw HTTPError(.badRequest, message: "invalid \(what): \(error.message)")
        }
        let nul = refusingNUL && TextInput.mayHoldNUL(json: buffer.readableBytesView)
        return try decode(type, from: body, what: what, refusingNUL: nul)
    }

    /// ``decode(_:from:what:refusingNUL:)`` of a body already read (a PATCH merged over the
    /// stored entity, ``JSONBody/mergePatch(over:keeping:)``).
    static func decode<T: Decodable>(_ type: T.Type, from body: JSONBody, what: String, refusingNUL: Bool = true) throws -> T {
        // A key given twice (`"controlGroupPercent":10,"controlGroupPercent":1e19`): refused, never
        // one of the two guessed (``JSONValueProblem``).
        if let repeated = body.repeatedKeys.first {
            throw HTTPError(.badRequest, message: "invalid \(what): \(repeated.message(field: repeated.field()))")
        }
        if refusingNUL, let problem = TextInput.problem(in: body.value, path: "") {
            throw HTTPError(.badRequest, message: "invalid \(what): \(problem)")
        }
        // An out-of-range literal is held as ±Double.greatestFiniteMagnitude in the tree, so the
        // field's own range check names it; the literal as written is shown.
        func literal(at field: String) -> JSONBody.OutOfRangeNumber? { body.outOfRange.first { $0.field == field } }
        let message: String
        do {
            let value = try body.decode(type)
            // A literal at a field without a range is refused all the same.
            guard let first = body.outOfRange.first else { return value }
            message = body.problem(first)
        } catch let error as DecodingError {
            let field = error.context.map { FieldPath.text($0.codingPath) } ?? ""
            message = literal(at: field).map { body.problem($0) } ?? describe(error)
        } catch let error as InputRangeError {
            // The number as written (`1e309`, `1e20`, `9223372036854775808`), never its `Double`.
            let written = literal(at: error.field)?.text ?? body.literal(atField: error.field)
            message = written.map { InputRangeError(field: error.field, range: error.range, gotText: $0).message } ?? error.message
        } catch let error as JSONBody.UnknownField {
            message = error.message
        } catch {
            message = "\(error)"
        }
        throw HTTPError(.badRequest, message: "invalid \(what): \(message)")
    }

    /// The body of an action that takes no fields (`POST …/disable`, `…/publish`): empty, blank
    /// or `{}`; anything else is a 400 (`invalid disable request: unknown field 'x': the body
    /// takes no fields`), never silently ignored.
    static func refuseFields(_ request: Request, what: String) async throws {
        let body = try await request.collectBody(upTo: 10_000, what: what)
        guard !body.readableBytesView.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return }
        _ = try decode(NoFields.self, from: body, what: what)
    }

    /// A JSON object without members (``refuseFields(_:what:)``).
    struct NoFields: Decodable {
        enum Key: CodingKey {}
        init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: Key.self) }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String { c.isEmpty ? "body" : FieldPath.text(c) }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing field '\(key.stringValue)' at \(path(ctx.codingPath))"
        case .typeMismatch(let t, let ctx): return "\(path(ctx.codingPath)) should be \(jsonName(t))"
        case .valueNotFound(let t, let ctx): return "\(path(ctx.codingPath)) is null, expected \(jsonName(t))"
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty { return "malformed JSON" }
            // A name outside its list (``NamedValue``): `goal.filters[0].op must be one of … (got 'eq')`.
            if ctx.debugDescription.hasPrefix("must be ") { return "\(path(ctx.codingPath)) \(ctx.debugDescription)" }
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// What a decoder's expected Swift type is called in JSON ("a JSON object", "a number"…), so a
    /// message never shows `Dictionary<String, Any>` to an API user.
    static func jsonName(_ type: Any.Type) -> String {
        let swift = String(describing: type)
        if swift.hasPrefix("Dictionary") { return "a JSON object" }
        if swift.hasPrefix("Array") { return "a JSON array" }
        if swift.hasPrefix("String") || swift == "Substring" { return "a string" }
        if swift == "Bool" { return "true or false" }
        if ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64", "Double", "Float", "Decimal"]
            .contains(swift)
        {
            return "a number"
        }
        return "a JSON value of type \(swift)"
    }
}

extension DecodingError {
    /// The error's context (its coding path), whatever the case.
    var context: Context? {
        switch self {
        case .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return c
        @unknown default: return nil
        }
    }
}
