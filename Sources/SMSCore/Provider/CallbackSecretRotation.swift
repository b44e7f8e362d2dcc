import Foundation

/// Rotation of a provider's callback secret with a grace period (`docs/DOMAIN.md` §3 "Callbacks
/// are authenticated"): the new secret is accepted at once; the previous one until
/// `now + graceSeconds` (exclusive), then refused. One rotation keeps one previous secret: rotating
/// again inside a grace period ends the older secret's grace at once.
public enum CallbackSecretRotation {
    /// Grace period when the request gives none: 86,400 s (24 h).
    public static let defaultGraceSeconds: Int64 = 86_400

    /// `provider` with `newSecret` in force and its current secret accepted until `now + graceSeconds`.
    /// - Parameters:
    ///   - now: epoch seconds.
    ///   - graceSeconds: seconds, within ``InputLimits/graceSeconds`` (the caller checked it).
    public static func rotate(_ provider: ProviderConfig, newSecret: String, now: Int64, graceSeconds: Int64) -> ProviderConfig {
        var p = provider
        p.previousCallbackSecret = provider.callbackSecret
        p.previousSecretValidUntil = now + graceSeconds
        p.callbackSecret = newSecret
        return p
    }

    /// The secrets a callback may carry at `now` (epoch seconds): the current one, then the
    /// previous one while its grace period runs.
    public static func acceptedSecrets(_ provider: ProviderConfig, now: Int64) -> [String] {
        var secrets = [provider.callbackSecret]
        if let previous = provider.previousCallbackSecret, let until = provider.previousSecretValidUntil, now < until {
            secrets.append(previous)
        }
        return secrets
    }
}
