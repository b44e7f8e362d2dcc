import Foundation

/// What ``SMSStore/updateProvider(_:ifVersion:)`` did.
public enum ProviderUpdate: Sendable, Equatable {
    /// The provider was replaced; the stored configuration (its ``ProviderConfig/version`` one
    /// more than before).
    case updated(ProviderConfig)
    /// No provider has that id.
    case notFound
    /// The stored provider's version is not the expected one (another request changed it since it
    /// was read); nothing was written.
    case versionMismatch(current: Int)
}

extension ProviderUpdate {
    /// The rule both stores apply inside their transaction: `stored` is the provider's current
    /// row (`nil` = none); the answer is `.updated` with `new` at version `expected + 1` when the
    /// stored version (`nil` = 0) is `expected`.
    public static func decide(stored: ProviderConfig?, new: ProviderConfig, expected: Int) -> ProviderUpdate {
        guard let stored else { return .notFound }
        let current = stored.version ?? 0
        guard current == expected else { return .versionMismatch(current: current) }
        var written = new
        written.version = expected + 1
        return .updated(written)
    }
}
