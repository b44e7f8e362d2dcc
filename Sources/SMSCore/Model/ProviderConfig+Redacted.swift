import Foundation

extension ProviderConfig {
    /// Header names whose values are credentials (compared case-insensitively): exact names, and
    /// any name containing one of ``secretHeaderFragments`` (`X-API-Key`, `X-Auth-Token`, …).
    public static let secretHeaderNames: Set<String> = ["authorization", "proxy-authorization", "cookie"]
    public static let secretHeaderFragments = ["key", "token", "secret", "password", "passwd", "auth", "signature", "session"]

    /// Whether a configured header's value is a credential, masked in views (see ``redacted``).
    public static func isSecretHeader(_ name: String) -> Bool {
        let n = name.lowercased()
        return secretHeaderNames.contains(n) || secretHeaderFragments.contains { n.contains($0) }
    }

    /// A copy safe to show back through the API and dashboard: the secrets of ``auth``, the
    /// ``webhookSigningKey``, the ``previousCallbackSecret`` and the values of credential headers (``isSecretHeader(_:)``) are
    /// replaced by ``ProviderAuth/mask``; everything else is kept. The ``callbackSecret`` is kept:
    /// the operator pastes the callback URL that carries it into the provider's console.
    public var redacted: ProviderConfig {
        var copy = self
        copy.auth = auth?.redacted
        if webhookSigningKey != nil { copy.webhookSigningKey = ProviderAuth.mask }
        if previousCallbackSecret != nil { copy.previousCallbackSecret = ProviderAuth.mask }
        for (name, _) in headers where Self.isSecretHeader(name) { copy.headers[name] = ProviderAuth.mask }
        return copy
    }
}
