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

    /// Decodes a request body, answering 400 with what is wrong: the field's path and, for a
    /// number outside its range, the range (``InputRangeError``); for a string or key holding
    /// U+0000, its path (``TextInput``: no text field may hold it, `docs/DOMAIN.md` §1).
    /// - Parameter refusingNUL: `false` only for a body whose text is callback input under its own
    ///   rules (a replay's corrected `raw`, `docs/DOMAIN.md` §3).
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, what: String, refusingNUL: Bool = true) throws -> T {
        if refusingNUL, TextInput.mayHoldNUL(json: buffer.readableBytesView),
            let value = try? JSONValue(json: Data(buffer: buffer)), let problem = TextInput.problem(in: value, path: "")
        {
            throw HTTPError(.badRequest, message: "invalid \(what): \(problem)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: "invalid \(what): \(describe(error))")
        } catch let error as InputRangeError {
            throw HTTPError(.badRequest, message: "invalid \(what): \(error.message)")
        } catch {
            throw HTTPError(.badRequest, message: "invalid \(what): \(error)")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String { c.isEmpty ? "body" : FieldPath.text(c) }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing field '\(key.stringValue)' at \(path(ctx.codingPath))"
        case .typeMismatch(let t, let ctx): return "\(path(ctx.codingPath)) should be \(jsonName(t))"
        case .valueNotFound(let t, let ctx): return "\(path(ctx.codingPath)) is null, expected \(jsonName(t))"
        case .dataCorrupted(let ctx):
            return ctx.codingPath.isEmpty ? "malformed JSON" : "\(path(ctx.codingPath)): \(ctx.debugDescription)"
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
