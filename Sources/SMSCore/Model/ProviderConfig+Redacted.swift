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

    /// A copy safe to show back through the API and dashboard: the secrets of ``auth``, the values of ``secrets``, the
    /// ``webhookSigningKey``, the ``previousCallbackSecret`` and the values of credential headers (``isSecretHeader(_:)``) are
    /// replaced by ``ProviderAuth/mask``; everything else is kept. The ``callbackSecret`` is kept:
    /// the operator pastes the callback URL that carries it into the provider's console.
    public var redacted: ProviderConfig {
        var copy = self
        copy.auth = auth?.redacted
        if webhookSigningKey != nil { copy.webhookSigningKey = ProviderAuth.mask }
        if previousCallbackSecret != nil { copy.previousCallbackSecret = ProviderAuth.mask }
        copy.secrets = secrets?.mapValues { _ in ProviderAuth.mask }
        for (name, _) in headers where Self.isSecretHeader(name) { copy.headers[name] = ProviderAuth.mask }
        return copy
    }

    /// The secret fields that hold ``ProviderAuth/mask`` itself (`auth.password`, `auth.token`,
    /// `auth.clientSecret`, `webhookSigningKey`, `secrets.<name>`, `headers.<credential header>`), by their API
    /// names. The mask is what a view shows in place of a secret, so a body sending it back is a
    /// view copied into a request: storing it would replace the real secret with eight asterisks.
    /// Creation and PATCH refuse it (a 400 naming the fields; PITFALLS.md #21).
    public var fieldsHoldingMask: [String] {
        var out: [String] = []
        if auth?.password == ProviderAuth.mask { out.append("auth.password") }
        if auth?.token == ProviderAuth.mask { out.append("auth.token") }
        if auth?.clientSecret == ProviderAuth.mask { out.append("auth.clientSecret") }
        if webhookSigningKey == ProviderAuth.mask { out.append("webhookSigningKey") }
        for (name, value) in (secrets ?? [:]).sorted(by: { $0.key < $1.key }) where value == ProviderAuth.mask {
            out.append("secrets.\(name)")
        }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where Self.isSecretHeader(name) && value == ProviderAuth.mask {
            out.append("headers.\(name)")
        }
        return out
    }
}
