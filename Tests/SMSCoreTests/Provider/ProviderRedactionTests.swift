import Foundation
import SMSCore
import Testing

/// What the API shows back of a provider: credentials masked, everything else kept.
@Suite("Provider redaction")
struct ProviderRedactionTests {
    static let provider = ProviderConfig(
        id: "p", name: "Acme", url: "https://sms.example/send", bodyTemplate: #"{"to":"$$To"}"#,
        headers: [
            "Authorization": "Basic dXNlcjpwYXNz", "X-API-Key": "k-123", "x-auth-token": "t-9", "Cookie": "sid=1",
            "X-Account": "acct-42", "Content-Type": "application/json", "Accept": "application/json",
        ],
        callbackSecret: "cb-secret", createdAt: 0, webhookSigningKey: "twilio-token",
        auth: ProviderAuth(type: .bearer, token: "bearer-token"))

    @Test("credential headers, the signing key and auth secrets are masked; other headers and the callback secret stay")
    func masks() {
        let r = Self.provider.redacted
        #expect(r.headers == [
            "Authorization": "********", "X-API-Key": "********", "x-auth-token": "********", "Cookie": "********",
            "X-Account": "acct-42", "Content-Type": "application/json", "Accept": "application/json",
        ])
        #expect(r.webhookSigningKey == "********")
        #expect(r.auth?.token == "********")
        #expect(r.callbackSecret == "cb-secret")
        #expect(r.url == Self.provider.url)
        #expect(r.bodyTemplate == Self.provider.bodyTemplate)
    }

    @Test("header names that carry credentials", arguments: [
        ("Authorization", true), ("PROXY-AUTHORIZATION", true), ("X-Api-Key", true), ("apikey", true), ("X-Signature", true),
        ("X-Session-Id", true), ("X-Password", true), ("Content-Type", false), ("X-Account", false), ("Accept", false),
    ])
    func headerNames(name: String, secret: Bool) {
        #expect(ProviderConfig.isSecretHeader(name) == secret)
    }

    @Test("a provider without secrets is unchanged")
    func noSecretsNoChange() {
        let plain = ProviderConfig(
            id: "p", name: "Acme", url: "https://sms.example/send", bodyTemplate: #"{"to":"$$To"}"#,
            headers: ["Content-Type": "application/json"], callbackSecret: "cb", createdAt: 0)
        #expect(plain.redacted == plain)
    }
}
