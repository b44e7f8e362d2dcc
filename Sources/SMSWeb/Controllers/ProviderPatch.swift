import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of `PATCH /api/v1/providers/{id}`: any of the fields a creation takes
/// (``ProviderController/Input``), merged into the provider's current fields (``MergePatch``) and
/// judged by creation's decoding and ``ProviderController/validate(_:keeping:)``.
enum ProviderPatch {
    /// The fields a PATCH may set: exactly those of a creation (`id`, `callbackSecret`,
    /// `createdAt`, `disabled` and `version` have their own routes or never change).
    static let fields = Set(ProviderController.Input.CodingKeys.allCases.map(\.rawValue))

    /// The current provider with `patch` applied, decoded as a creation body.
    /// - Throws: 400 `invalid provider: …` (``MergePatch/merged(_:patch:fields:as:what:)``).
    static func merged(_ current: ProviderConfig, patch: ByteBuffer) throws -> ProviderController.Input {
        try MergePatch.merged(current, patch: patch, fields: fields, as: ProviderController.Input.self, what: "provider")
    }
}
