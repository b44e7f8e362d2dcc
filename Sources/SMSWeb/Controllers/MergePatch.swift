import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of a PATCH of an entity created from a JSON body (a provider, a campaign draft, a
/// segment): a JSON object holding any of the fields a creation takes; `null` clears an optional
/// field (RFC 7396 at the top level). The patch is merged into the entity's current fields and the
/// result is decoded as a creation body by the one strict decoder (``JSON/decode(_:from:what:refusingNUL:)``),
/// so creation's decoding and validation judge it, an unknown key included (one home for the rules).
enum MergePatch {
    /// `stored` (encoded as its creation body) with `patch` applied, decoded as `Result`.
    /// - Parameters:
    ///   - fields: the members of `stored`'s encoding that are creation fields (`nil`: all of them).
    ///   - what: the entity's name in messages (`provider`, `campaign`).
    /// - Throws: 400 `invalid <what>: …` for a body that is not a JSON object, a field creation
    ///   does not take (`unknown field 'x': the fields are …`), or a merged value creation's
    ///   decoding refuses (named with its range).
    static func merged<Stored: Encodable, Result: Decodable>(
        _ stored: Stored, patch: ByteBuffer, fields: Set<String>? = nil, as: Result.Type, what: String
    ) throws -> Result {
        let body: JSONBody
        do {
            body = try JSONBody.read(Data(buffer: patch))
        } catch {
            throw HTTPError(.badRequest, message: "invalid \(what): \(error.message)")
        }
        guard let merged = body.mergePatch(over: try JSONBody(encoding: stored), keeping: fields) else {
            throw HTTPError(.badRequest, message: "invalid \(what): a PATCH body must be a JSON object of the fields to change")
        }
        return try JSON.decode(Result.self, from: merged, what: what)
    }
}
