import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of `PATCH /api/v1/providers/{id}`: a JSON object holding any of the fields a creation
/// takes (``ProviderController/Input``); `null` clears an optional field. The patch is merged
/// into the provider's current fields and the result is read as a creation body, so creation's
/// decoding and ``ProviderController/validate(_:keeping:)`` judge it (one home for the rules).
enum ProviderPatch {
    /// The fields a PATCH may set: exactly those of a creation.
    static let fields = Set(ProviderController.Input.CodingKeys.allCases.map(\.rawValue))

    /// The current provider with `patch` applied, decoded as a creation body.
    /// - Throws: 400 `invalid provider: …` for a body that is not a JSON object, a field that is
    ///   not one of ``fields`` (`id`, `callbackSecret`, `createdAt` and `disabled` have their own
    ///   routes or never change), or a merged value creation refuses (named with its range).
    static func merged(_ current: ProviderConfig, patch: ByteBuffer) throws -> ProviderController.Input {
        guard case .object(let changes) = try JSON.decode(JSONValue.self, from: patch, what: "provider") else {
            throw HTTPError(.badRequest, message: "invalid provider: a PATCH body must be a JSON object of the fields to change")
        }
        if let unknown = changes.keys.sorted().first(where: { !fields.contains($0) }) {
            throw HTTPError(
                .badRequest,
                message: "invalid provider: '\(unknown)' cannot be changed; the fields are \(fields.sorted().joined(separator: ", "))")
        }
        guard case .object(let stored) = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(current)) else {
            throw HTTPError(.internalServerError, message: "stored provider is not a JSON object")
        }
        var merged = stored.filter { fields.contains($0.key) }
        for (key, value) in changes {
            if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
        }
        let data = try JSONEncoder().encode(JSONValue.object(merged))
        return try JSON.decode(ProviderController.Input.self, from: ByteBuffer(bytes: data), what: "provider")
    }
}
