import Foundation
import HummingbirdTesting
import SMSCore
import Testing

/// `POST/GET /api/v1/providers` never show a credential back (security by default), while the
/// store keeps the real values the dispatcher and the callback authenticator need.
@Suite("Providers API: credentials masked")
struct ProviderRedactionRouteTests {
    @Test("create and read back: header credentials, signing key and auth secrets masked; the store keeps them")
    func masked() async throws {
        let (app, store, _) = try await makeTestApp()
        let body = #"""
            {"name":"t","kind":"twilio","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}",
             "headers":{"X-API-Key":"k-123","X-Account":"acct-42"},"webhookSigningKey":"tw-token",
             "auth":{"type":"bearer","token":"bt-1"}}
            """#
        try await app.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(body)) { r in
                #expect(r.status == .created)
                let text = String(buffer: r.body)
                for secret in ["k-123", "tw-token", "bt-1"] { #expect(!text.contains(secret), "\(secret) in \(text)") }
                #expect(text.contains("acct-42"))
                struct P: Decodable { var id: String; var headers: [String: String]; var webhookSigningKey: String? }
                let p = try decode(P.self, r.body)
                #expect(p.headers == ["X-API-Key": "********", "X-Account": "acct-42"])
                #expect(p.webhookSigningKey == "********")
                return p.id
            }
            for uri in ["/api/v1/providers", "/api/v1/providers/\(id)"] {
                try await client.execute(uri: uri, method: .get, headers: auth) { r in
                    #expect(r.status == .ok)
                    let text = String(buffer: r.body)
                    for secret in ["k-123", "tw-token", "bt-1"] { #expect(!text.contains(secret), "\(secret) in \(uri)") }
                }
            }
            let stored = try #require(try await store.provider(id: id))
            #expect(stored.headers["X-API-Key"] == "k-123")
            #expect(stored.webhookSigningKey == "tw-token")
            #expect(stored.auth?.token == "bt-1")
        }
    }
}
