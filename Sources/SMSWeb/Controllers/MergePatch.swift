import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of a PATCH of an entity created from a JSON body (a provider, a campaign draft): a
/// JSON object holding any of the fields a creation takes; `null` clears an optional field
/// (RFC 7396 at the top level). The patch is merged into the entity's current fields and the
/// result is read as a creation body, so creation's decoding and validation judge it (one home
/// for the rules).
enum MergePatch {
    /// `stored` (encoded as its creation body) with `patch` applied, decoded as `Result`.
    /// - Parameters:
    ///   - fields: the fields a PATCH may set: exactly those of a creation.
    ///   - what: the entity's name in messages (`provider`, `campaign`).
    /// - Throws: 400 `invalid <what>: …` for a body that is not a JSON object, a field that is not
    ///   one of `fields`, or a merged value creation's decoding refuses (named with its range).
    static func merged<Stored: Encodable, Result: Decodable>(
        _ stored: Stored, patch: ByteBuffer, fields: Set<String>, as: Result.Type, what: String
    ) throws -> Result {
        guard case .object(let changes) = try JSON.decode(JSONValue.self, from: patch, what: what) else {
            throw HTTPError(.badRequest, message: "invalid \(what): a PATCH body must be a JSON object of the fields to change")
        }
        if let unknown = changes.keys.sorted().first(where: { !fields.contains($0) }) {
            throw HTTPError(
                .badRequest,
                message: "invalid \(what): '\(InputEcho.text(unknown))' cannot be changed; the fields are \(fields.sorted().joined(separator: ", "))")
        }
        guard case .object(let current) = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(stored)) else {
            throw HTTPError(.internalServerError, message: "stored \(what) is not a JSON object")
        }
        var merged = current.filter { fields.contains($0.key) }
        for (key, value) in changes {
            if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
        }
        let data = try JSONEncoder().encode(JSONValue.object(merged))
        return try JSON.decode(Result.self, from: ByteBuffer(bytes: data), what: what)
    }
}
