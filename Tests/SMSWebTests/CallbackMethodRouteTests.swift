import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// A callback with a method the provider's dialect does not take (a GET to a generic URL, a PUT,
/// …): 405 with `Allow`, and, when authenticated like a POST, kept as an ingestion error so a
/// misconfigured provider loses nothing silently. Unauthenticated ones are 401 and not kept.
@Suite("Callback methods")
struct CallbackMethodRouteTests {
    /// The callback test app (provider p1 of `kind`) over a fresh store of `store`.
    static func app(_ store: StoreKind, kind: ProviderKind) async throws -> (CallbackTestApp, TestStore) {
        let app = try await CallbackTestApp.make(kind: kind)
        let testStore = try await TestStore.make(store)
        try await testStore.store.insertProvider(try #require(try await app.store.provider(id: "p1")))
        return (app, testStore)
    }

    static let secret = CallbackTestApp.secret

    /// The `error.message` of an API error answer.
    static func message(_ response: TestResponse) -> String? {
        (try? response.json() as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["message"] as? String }
    }

    @Test(arguments: StoreKind.allCases)
    func aGETToAGenericProviderIsKeptWithoutTheSecretAndAnswered405(store kind: StoreKind) async throws {
        let (app, testStore) = try await Self.app(kind, kind: .generic)
        let store = testStore.store
        let ids = try await app.test(store: store) { client async throws -> [Int] in
            let get = try await client.execute(uri: "/callbacks/p1?meta=m1&secret=\(Self.secret)&status=delivered", method: .get)
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let message = try #require((try get.json() as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["message"] as? String })
            #expect(message == "GET callbacks are not accepted for this generic provider: POST is required (the callbacks are JSON bodies)")
            let put = try await client.execute(
                uri: "/callbacks/p1", method: .put, headers: [CallbackController.secretHeader: Self.secret, .contentType: "application/json"],
                body: ByteBuffer(string: #"[{"event":"delivered","data":[{"meta":"m1","ts":1}]}]"#))
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "POST")
            let head = try await client.execute(uri: "/callbacks/p1?secret=\(Self.secret)", method: .head)
            #expect(head.status == .methodNotAllowed)

            let errors = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(Set(errors.map { $0["raw"] as? String ?? "" }) == [
                "GET /callbacks/p1?meta=m1&status=delivered",
                "PUT /callbacks/p1\n\n" + #"[{"event":"delivered","data":[{"meta":"m1","ts":1}]}]"#,
                "HEAD /callbacks/p1",
            ])
            #expect(errors.allSatisfy { $0["source"] as? String == "callback" && $0["providerId"] as? String == "p1" })
            #expect(Set(errors.map { $0["reason"] as? String ?? "" }) == [
                "GET callbacks are not accepted for this generic provider: POST is required (the callbacks are JSON bodies)",
                "PUT callbacks are not accepted for this generic provider: POST is required (the callbacks are JSON bodies)",
                "HEAD callbacks are not accepted for this generic provider: POST is required (the callbacks are JSON bodies)",
            ])
            #expect(!errors.contains { ($0["raw"] as? String ?? "").contains(Self.secret) })
            // Replaying the kept request as it is does not apply anything: it is not a callback body.
            let id = try #require(errors.first { ($0["raw"] as? String ?? "").hasPrefix("GET") }?["id"] as? Int)
            let replay = try await client.api("/api/v1/ingestion-errors/\(id)/replay", method: .post)
            #expect(replay.status == .unprocessableContent)
            #expect(
                Self.message(replay)
                    == #"ingestion error \#(id) records a request with the wrong method, not a callback body: replay it with {"raw": "<the callback body the provider meant to POST>"}"#)
            // A replay body of the wrong shape names the shape it should have, in JSON terms.
            let wrongShape = try await client.api("/api/v1/ingestion-errors/\(id)/replay", method: .post, body: "[]")
            #expect(wrongShape.status == .badRequest)
            #expect(
                Self.message(wrongShape)
                    == #"invalid replay body (expected an empty body, {"raw": "<the corrected callback body as text>"} or {"rawBase64": "<its bytes>"}): body should be a JSON object"#)
            // With the body the provider meant to POST, the replay applies it (kept pending: m1 was never sent).
            let fixed = try await client.api(
                "/api/v1/ingestion-errors/\(id)/replay", method: .post,
                body: #"{"raw": "[{\"event\":\"delivered\",\"data\":[{\"meta\":\"m1\",\"ts\":1700000000}]}]"}"#)
            #expect(fixed.status == .ok)
            #expect((try fixed.json() as? [String: Any])?["pending"] as? Int == 1)
            return errors.compactMap { $0["id"] as? Int }
        }
        #expect(ids.count == 3)
        #expect(try await store.ingestionErrors(limit: 10).count == 3)
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aWrongMethodWithoutTheRightSecretIs401AndNotKept(store kind: StoreKind) async throws {
        let (app, testStore) = try await Self.app(kind, kind: .generic)
        let store = testStore.store
        try await app.test(store: store) { client async throws in
            #expect(try await client.execute(uri: "/callbacks/p1?secret=wrong&meta=m1", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/callbacks/p1?meta=m1", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/callbacks/p1", method: .delete).status == .unauthorized)
            #expect(try await client.execute(uri: "/callbacks/nobody?secret=\(Self.secret)", method: .get).status == .notFound)
        }
        #expect(try await store.ingestionErrors(limit: 10).isEmpty)
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func kannelTakesGETAndAnswersOtherMethodsWithAllowGETPOST(store kind: StoreKind) async throws {
        let (app, testStore) = try await Self.app(kind, kind: .kannel)
        let store = testStore.store
        try await app.test(store: store) { client async throws in
            // A GET dlr-url for a meta not sent yet: accepted (kept pending), not a method error.
            let get = try await client.execute(uri: "/callbacks/p1?secret=\(Self.secret)&meta=m9&type=1&ts=1700000000", method: .get)
            #expect(get.status == .ok)
            let delete = try await client.execute(uri: "/callbacks/p1?secret=\(Self.secret)&meta=m9", method: .delete)
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET, POST")
        }
        let errors = try await store.ingestionErrors(limit: 10)
        #expect(errors.map(\.rawText) == ["DELETE /callbacks/p1?meta=m9"])
        #expect(errors.map(\.reason) == ["DELETE callbacks are not accepted for this kannel provider: POST is required (or GET with the fields in the query)"])
        await testStore.close()
    }

    @Test func theKeptRequestDropsEverySecretParameterAndKeepsTheRest() {
        #expect(CallbackMethodPolicy.raw(method: .get, path: "/callbacks/p", query: "secret=x&a=1&s%65cret=y&b=&secret", body: []) == Array("GET /callbacks/p?a=1&b=".utf8))
        #expect(CallbackMethodPolicy.raw(method: .patch, path: "/callbacks/p", query: nil, body: Array("x=1".utf8)) == Array("PATCH /callbacks/p\n\nx=1".utf8))
        #expect(CallbackMethodPolicy.allowed(.generic) == [.post])
        #expect(CallbackMethodPolicy.allowed(.sinch) == [.post])
        #expect(CallbackMethodPolicy.allowed(.gupshup) == [.post])
        for kind in [ProviderKind.twilio, .vonage, .plivo, .kannel, .jasmin] {
            #expect(CallbackMethodPolicy.allowHeader(kind) == "GET, POST")
        }
    }
}
