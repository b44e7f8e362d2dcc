import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Provider PATCH mends (issue 15): the mask views show in place of a secret is refused by name,
/// never stored; the provider's version is its ETag and `If-Match` makes a PATCH conditional.
@Suite("Provider PATCH: the secret mask refused, If-Match / ETag versions")
struct ProviderMendsRouteTests {
    typealias M = ProviderManagementRouteTests

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, ifMatch: String? = nil
    ) async throws -> (status: HTTPResponse.Status, text: String, etag: String?) {
        var headers: HTTPFields = [.authorization: "Bearer \(M.token)"]
        if body != nil { headers[.contentType] = "application/json" }
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body), $0.headers[.eTag])
        }
    }

    @Test("a secret field sent back as ******** (what GET shows) is a 400 naming the field; the stored secret is kept", arguments: StoreKind.allCases)
    func maskRefused(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let set = try await Self.call(
                client, .patch, "/api/v1/providers/p1",
                #"{"auth":{"type":"basic","username":"u","password":"pw-1"},"webhookSigningKey":"wk-1","headers":{"X-Api-Key":"k-1","Accept":"*/*"}}"#)
            #expect(set.status == .ok, "\(set.text)")
            let before = try #require(try await t.store.provider(id: "p1"))
            // What GET shows back, sent back whole: every masked field is named.
            let shown = try await Self.call(client, .get, "/api/v1/providers/p1")
            #expect(shown.text.contains(#""password":"********""#))
            let cases: [(String, String)] = [
                (#"{"auth":{"type":"basic","username":"u2","password":"********"}}"#,
                 "invalid provider: auth.password holds '********', the mask views show in place of a secret; send the secret itself, or leave the field out of a PATCH to keep it"),
                (#"{"auth":{"type":"bearer","token":"********"}}"#,
                 "invalid provider: auth.token holds '********', the mask views show in place of a secret; send the secret itself, or leave the field out of a PATCH to keep it"),
                (#"{"auth":{"type":"oauth2","tokenUrl":"https://a.example/t","clientId":"c","clientSecret":"********"}}"#,
                 "invalid provider: auth.clientSecret holds '********', the mask views show in place of a secret; send the secret itself, or leave the field out of a PATCH to keep it"),
                (#"{"webhookSigningKey":"********","headers":{"X-Api-Key":"********","Accept":"*/*"}}"#,
                 "invalid provider: webhookSigningKey holds '********', the mask views show in place of a secret; headers.X-Api-Key holds '********', the mask views show in place of a secret; send the secret itself, or leave the field out of a PATCH to keep it"),
            ]
            for (body, expected) in cases {
                let r = try await Self.call(client, .patch, "/api/v1/providers/p1", body)
                #expect(r.status == .badRequest, "\(body)")
                #expect(M.message(r.text) == expected, "\(body)")
            }
            #expect(try await t.store.provider(id: "p1") == before)
            // A non-secret header may hold the text; a PATCH leaving the secrets out keeps them.
            let other = try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"N2","headers":{"X-Api-Key":"k-1","Accept":"********"}}"#)
            #expect(other.status == .ok, "\(other.text)")
            let after = try #require(try await t.store.provider(id: "p1"))
            #expect(after.auth?.password == "pw-1" && after.webhookSigningKey == "wk-1" && after.headers["Accept"] == "********")
            // Creation refuses it too.
            let created = try await Self.call(
                client, .post, "/api/v1/providers",
                #"{"name":"Q","url":"https://gw.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}","auth":{"type":"bearer","token":"********"}}"#)
            #expect(created.status == .badRequest)
            #expect(M.message(created.text).hasPrefix("invalid provider: auth.token holds '********'"))
            #expect(try await t.store.providers().count == 1)
        }
    }

    @Test("ETag is the version: each change adds 1; If-Match with another version is a 412 and changes nothing", arguments: StoreKind.allCases)
    func ifMatch(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let get = try await Self.call(client, .get, "/api/v1/providers/p1")
            #expect(get.etag == #""0""#)
            let first = try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"A"}"#, ifMatch: #""0""#)
            #expect(first.status == .ok, "\(first.text)")
            #expect(first.etag == #""1""#)
            #expect(try M.object(first.text)["version"] as? Int == 1)
            // A second writer that read version 0 loses.
            let stale = try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"B"}"#, ifMatch: #""0""#)
            #expect(stale.status == .preconditionFailed)
            #expect(M.message(stale.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named "0": read it again and retry"#)
            #expect(try await t.store.provider(id: "p1")?.name == "A")
            // A weak tag, a list and * match; rotate-secret and disable count as changes too.
            #expect(try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"C"}"#, ifMatch: #"W/"1""#).etag == #""2""#)
            #expect(try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"D"}"#, ifMatch: #""7", "2""#).etag == #""3""#)
            #expect(try await Self.call(client, .post, "/api/v1/providers/p1/disable").etag == #""4""#)
            _ = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret")
            #expect(try await t.store.provider(id: "p1")?.version == 5)
            #expect(try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"E"}"#, ifMatch: "*").etag == #""6""#)
            let bad = try await Self.call(client, .patch, "/api/v1/providers/p1", #"{"name":"F"}"#, ifMatch: "6")
            #expect(bad.status == .badRequest)
            #expect(M.message(bad.text) == #"invalid If-Match: must be * or the provider's ETag (a version in quotes, e.g. "3"), got '6'"#)
            #expect(try await t.store.provider(id: "p1")?.name == "E")
        }
    }

    @Test("rotate-secret, disable and enable honour If-Match like PATCH: a stale ETag is a 412 that changes nothing; each answers the new ETag", arguments: StoreKind.allCases)
    func ifMatchOnEveryWrite(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let before = try #require(try await t.store.provider(id: "p1"))
            #expect(before.version ?? 0 == 0)
            let stale = #"provider 'p1' is at version 0 (ETag "0"); If-Match named "5": read it again and retry"#
            for action in ["rotate-secret", "disable", "enable"] {
                let r = try await Self.call(client, .post, "/api/v1/providers/p1/\(action)", "{}", ifMatch: #""5""#)
                #expect(r.status == .preconditionFailed, "\(action): \(r.text)")
                #expect(M.message(r.text) == stale, "\(action)")
            }
            #expect(try await t.store.provider(id: "p1") == before)
            let rotated = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret", #"{"graceSeconds":60}"#, ifMatch: #""0""#)
            #expect(rotated.status == .ok, "\(rotated.text)")
            #expect(rotated.etag == #""1""#)
            let after = try #require(try await t.store.provider(id: "p1"))
            #expect(after.callbackSecret != before.callbackSecret && after.previousCallbackSecret == before.callbackSecret)
            // The ETag read before the rotation is now stale for the next write.
            let late = try await Self.call(client, .post, "/api/v1/providers/p1/disable", nil, ifMatch: #""0""#)
            #expect(late.status == .preconditionFailed)
            #expect(M.message(late.text) == #"provider 'p1' is at version 1 (ETag "1"); If-Match named "0": read it again and retry"#)
            let disabled = try await Self.call(client, .post, "/api/v1/providers/p1/disable", nil, ifMatch: #""1""#)
            #expect(disabled.status == .ok && disabled.etag == #""2""#)
            let enabled = try await Self.call(client, .post, "/api/v1/providers/p1/enable", nil, ifMatch: "*")
            #expect(enabled.status == .ok && enabled.etag == #""3""#)
            let malformed = try await Self.call(client, .post, "/api/v1/providers/p1/rotate-secret", nil, ifMatch: "3")
            #expect(malformed.status == .badRequest)
            #expect(M.message(malformed.text) == #"invalid If-Match: must be * or the provider's ETag (a version in quotes, e.g. "3"), got '3'"#)
            #expect(try await t.store.provider(id: "p1")?.callbackSecret == after.callbackSecret)
        }
    }

    @Test("two changes from the same version: the store writes one and reports the other's version mismatch", arguments: StoreKind.allCases)
    func storeCompareAndSet(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        var p = ProviderConfig(id: "p9", name: "P", url: "https://gw.example/s", bodyTemplate: "{}", callbackSecret: "s", createdAt: 0)
        try await t.store.insertProvider(p)
        p.name = "one"
        #expect(try await t.store.updateProvider(p, ifVersion: 0) == .updated({ var w = p; w.version = 1; return w }()))
        p.name = "two"
        #expect(try await t.store.updateProvider(p, ifVersion: 0) == .versionMismatch(current: 1))
        #expect(try await t.store.provider(id: "p9")?.name == "one")
        p.id = "nope"
        #expect(try await t.store.updateProvider(p, ifVersion: 0) == .notFound)
        await t.close()
    }
}
