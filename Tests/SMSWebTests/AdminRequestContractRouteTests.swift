import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings on the admin API's requests), judged for every admin route by
/// one mechanism, ``AdminRequestContractMiddleware``, from what `openapi.json` says each operation
/// takes: a query parameter that is not UTF-8 or that the operation does not take is a 400 naming
/// it; a Content-Type the operation does not take, or any Content-Encoding, is a 415; a body on a
/// DELETE is a 400. Callbacks: a compressed body is a 415 and kept; a form/query field that is
/// not UTF-8 is refused naming it and kept as received. SQLite and PostgreSQL.
@Suite("Admin requests: query parameters, Content-Type, Content-Encoding and DELETE bodies as the contract says")
struct AdminRequestContractRouteTests {
    typealias M = ProviderManagementRouteTests

    static func send(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, message: String) {
        var headers: HTTPFields = [.authorization: "Bearer \(M.token)"]
        headers.append(contentsOf: extra)
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, $0.status.code < 300 ? String(buffer: $0.body) : M.message(String(buffer: $0.body)))
        }
    }

    static let segment = #"{"name":"Berliners","rules":[{"field":"properties.city","op":"eq","value":"Berlin"}]}"#

    @Test("a query parameter that is not UTF-8 once percent-decoded is a 400 naming it (admin API)", arguments: StoreKind.allCases)
    func queryNotUTF8(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, _ in
            let cases: [(String, String)] = [
                ("/api/v1/profiles?q=%ff", "the query parameter 'q' is not valid UTF-8 (byte 0xFF at byte 0 of its value)"),
                ("/api/v1/profiles?property.city=Ber%c3", "the query parameter 'property.city' is not valid UTF-8 (byte 0xC3 at byte 3 of its value)"),
                ("/api/v1/campaigns?limit=5&include=%e2%82", "the query parameter 'include' is not valid UTF-8 (byte 0xE2 at byte 0 of its value)"),
                ("/api/v1/ingestion-errors?%ff=1", "a query parameter's name is not valid UTF-8 (byte 0xFF at byte 0 of the name)"),
            ]
            for (uri, message) in cases {
                let r = try await Self.send(client, .get, uri)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.message == message, "\(uri)")
            }
            // Valid UTF-8, percent-encoded, is read as before.
            #expect(try await Self.send(client, .get, "/api/v1/profiles?q=%C3%A9").status == .ok)
        }
    }

    @Test("dashboard: a query parameter that is not UTF-8 is a 400 page naming it")
    func dashboardQueryNotUTF8() async throws {
        let (app, _) = try await DashboardFixture.app()
        try await app.test(.router) { client in
            let (cookie, _) = try await DashboardFixture.signIn(client)
            try await client.execute(uri: "/profiles?q=%ff", method: .get, headers: [.cookie: cookie]) { r in
                #expect(r.status == .badRequest)
                #expect(String(buffer: r.body).contains("the query parameter &#39;q&#39; is not valid UTF-8 (byte 0xFF at byte 0 of its value)"))
            }
        }
    }

    @Test("an unknown query parameter is a 400 naming it and the ones the route takes", arguments: StoreKind.allCases)
    func unknownQueryParameter(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, _ in
            let cases: [(String, String)] = [
                ("/api/v1/campaigns?limt=3", "unknown query parameter 'limt' for GET /api/v1/campaigns; its query parameters: archived, include, limit"),
                ("/api/v1/segments?limit=3", "unknown query parameter 'limit' for GET /api/v1/segments; its query parameters: none"),
                ("/api/v1/providers?archived=true", "unknown query parameter 'archived' for GET /api/v1/providers; its query parameters: none"),
                ("/api/v1/callbacks/unmatched?limit=3&offset=3", "unknown query parameter 'offset' for GET /api/v1/callbacks/unmatched; its query parameters: limit"),
                ("/api/v1/profiles?property.city=Berlin&sort=userId",
                 "unknown query parameter 'sort' for GET /api/v1/profiles; its query parameters: country, cursor, limit, optedOut, q, property.<name>"),
            ]
            for (uri, message) in cases {
                let r = try await Self.send(client, .get, uri)
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.message == message, "\(uri)")
            }
            for uri in ["/api/v1/campaigns?limit=3&archived=true", "/api/v1/segments", "/api/v1/profiles?property.city=Berlin&q=u&limit=2"] {
                #expect(try await Self.send(client, .get, uri).status == .ok, "\(uri)")
            }
            // A POST's query is judged too (the import takes region, nothing else).
            let imported = try await Self.send(
                client, .post, "/api/v1/profiles/import?regoin=DE", "userId,phone\nz1,0151 23456789\n", headers: [.contentType: "text/csv"])
            #expect(imported.status == .badRequest)
            #expect(imported.message == "unknown query parameter 'regoin' for POST /api/v1/profiles/import; its query parameters: region")
        }
    }

    @Test("Content-Type: JSON routes take application/json (charset utf-8), PATCH also merge-patch+json; none is read as JSON; others are a 415", arguments: StoreKind.allCases)
    func contentType(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let form = try await Self.send(client, .post, "/api/v1/segments", Self.segment, headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(form.status == .unsupportedMediaType)
            #expect(form.message == "Content-Type application/x-www-form-urlencoded is not accepted by POST /api/v1/segments; send application/json (curl: add -H 'Content-Type: application/json'; -d alone sends application/x-www-form-urlencoded)")
            let latin1 = try await Self.send(client, .post, "/api/v1/segments", Self.segment, headers: [.contentType: "application/json; charset=ISO-8859-1"])
            #expect(latin1.status == .unsupportedMediaType)
            #expect(latin1.message == "Content-Type application/json; charset=ISO-8859-1 is not accepted by POST /api/v1/segments: the body must be UTF-8 (charset=utf-8, or no charset)")
            let mergeOnPost = try await Self.send(client, .post, "/api/v1/segments", Self.segment, headers: [.contentType: "application/merge-patch+json"])
            #expect(mergeOnPost.status == .unsupportedMediaType)
            #expect(mergeOnPost.message == "Content-Type application/merge-patch+json is not accepted by POST /api/v1/segments; send application/json (curl: add -H 'Content-Type: application/json'; -d alone sends application/x-www-form-urlencoded)")
            #expect(try await t.store.segments().isEmpty)

            #expect(try await Self.send(client, .post, "/api/v1/segments", Self.segment, headers: [.contentType: "Application/JSON; charset=\"UTF-8\""]).status == .created)
            #expect(try await Self.send(client, .post, "/api/v1/segments", Self.segment).status == .created)  // no Content-Type: read as JSON
            let id = try #require(try await t.store.segments().first?.id)
            let patched = try await Self.send(client, .patch, "/api/v1/segments/\(id)", #"{"match":"any"}"#, headers: [.contentType: "application/merge-patch+json"])
            #expect(patched.status == .ok)
            #expect(try await t.store.segment(id: id)?.definition.match == .any)
            let text = try await Self.send(client, .patch, "/api/v1/segments/\(id)", #"{"match":"all"}"#, headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            #expect(text.message == "Content-Type text/plain is not accepted by PATCH /api/v1/segments/{id}; send application/json or application/merge-patch+json (curl: add -H 'Content-Type: application/json'; -d alone sends application/x-www-form-urlencoded)")

            let csvAsJSON = try await Self.send(client, .post, "/api/v1/profiles/import", "userId,phone\nz1,+4915123456789\n", headers: [.contentType: "application/json"])
            #expect(csvAsJSON.status == .unsupportedMediaType)
            #expect(csvAsJSON.message == "Content-Type application/json is not accepted by POST /api/v1/profiles/import; send text/csv (curl: --data-binary @x.csv -H 'Content-Type: text/csv')")
            #expect(try await t.store.profileCount() == 0)
            #expect(try await Self.send(client, .post, "/api/v1/profiles/import", "userId,phone\nz1,+4915123456789\n", headers: [.contentType: "text/csv; charset=utf-8"]).status == .ok)
            #expect(try await t.store.profileCount() == 1)
        }
    }

    @Test("Content-Encoding gzip (or any but identity) is a 415; nothing is stored", arguments: StoreKind.allCases)
    func contentEncoding(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            for encoding in ["gzip", "br", "deflate, gzip"] {
                let r = try await Self.send(
                    client, .post, "/api/v1/segments", Self.segment, headers: [.contentType: "application/json", .contentEncoding: encoding])
                #expect(r.status == .unsupportedMediaType)
                #expect(r.message == "Content-Encoding \(encoding) is not supported; send the body uncompressed")
            }
            #expect(try await t.store.segments().isEmpty)
            #expect(try await Self.send(client, .post, "/api/v1/segments", Self.segment, headers: [.contentEncoding: "identity"]).status == .created)
        }
    }

    @Test("a DELETE with a body is a 400 and deletes nothing; without one it deletes", arguments: StoreKind.allCases)
    func deleteWithBody(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            #expect(try await Self.send(client, .post, "/api/v1/segments", Self.segment).status == .created)
            let id = try #require(try await t.store.segments().first?.id)
            let r = try await Self.send(client, .delete, "/api/v1/segments/\(id)", #"{"force":true}"#, headers: [.contentType: "application/json"])
            #expect(r.status == .badRequest)
            #expect(r.message == "DELETE /api/v1/segments/{id} takes no request body; send it without one")
            #expect(try await t.store.segment(id: id) != nil)
            let profile = try await Self.send(client, .delete, "/api/v1/profiles/u1", "x")
            #expect(profile.status == .badRequest)
            #expect(profile.message == "DELETE /api/v1/profiles/{userId} takes no request body; send it without one")
            #expect(try await Self.send(client, .delete, "/api/v1/segments/\(id)").status == .noContent)
            #expect(try await t.store.segment(id: id) == nil)
        }
    }

    @Test("callbacks: a compressed body is a 415 naming the encoding, kept byte for byte as an ingestion error", arguments: StoreKind.allCases)
    func callbackContentEncoding(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let body: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0x00]
            let r = try await client.execute(
                uri: "/callbacks/p1?secret=\(M.secret)", method: .post,
                headers: [.contentType: "application/json", .contentEncoding: "gzip"], body: ByteBuffer(bytes: body)
            ) { ($0.status, M.message(String(buffer: $0.body))) }
            #expect(r.0 == .unsupportedMediaType)
            #expect(r.1 == "Content-Encoding gzip is not supported; send the body uncompressed")
            let kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.map(\.raw) == [body])
            #expect(kept.map(\.reason) == ["Content-Encoding gzip is not supported; send the body uncompressed"])
            #expect(kept.map(\.providerId) == ["p1"])
        }
    }

    /// A Kannel provider `k1` under the test secret.
    static func insertKannel(_ t: TestStore) async throws {
        try await t.store.insertProvider(ProviderConfig(
            id: "k1", name: "K", kind: .kannel, url: "http://127.0.0.1:9/cgi-bin/sendsms", bodyTemplate: "",
            callbacksEnabled: true, callbackSecret: M.secret, createdAt: 0))
    }

    /// A Kannel DLR with `query` sent to `k1`: the status and, for a 400, its `details.message`.
    static func kannelDLR(_ client: any TestClientProtocol, _ query: String) async throws -> (HTTPResponse.Status, String?) {
        let r = try await client.execute(uri: "/callbacks/k1?secret=\(M.secret)&\(query)", method: .get) { ($0.status, String(buffer: $0.body)) }
        guard r.0 == .badRequest else { return (r.0, nil) }
        return (r.0, (try M.object(r.1)["details"] as? [String: Any])?["message"] as? String)
    }

    @Test("callbacks: a Kannel query field that is not UTF-8 is refused naming it, the query kept as received (no secret), replayable once fixed", arguments: StoreKind.allCases)
    func callbackFieldNotUTF8(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.insertKannel(t)
            let query = "meta=m1&type=2&answer=NACK%2F%ff&ts=1700000000"
            let r = try await Self.kannelDLR(client, query)
            #expect(r.0 == .badRequest)
            #expect(r.1 == "the callback field 'answer' is not valid UTF-8 (byte 0xFF at byte 5 of its value)")
            let kept = try await t.store.ingestionErrors(limit: 10)
            #expect(kept.map(\.raw) == [Array(query.utf8)])
            #expect(kept.map(\.reason) == ["the callback field 'answer' is not valid UTF-8 (byte 0xFF at byte 5 of its value)"])
            #expect(try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10).isEmpty)
        }
    }

    /// The query of a UCS-2 message's DLR as Kannel 1.4.5 sent it (KannelIntegrationTests, through
    /// the SMPP simulator): the receipt's `text:` is the message's first 20 octets, UTF-16BE.
    static let kannelUCS2Receipt = "meta=m1&type=1&fid=1796671665660&answer=id%3A1796671665660+sub%3A001+dlvrd%3A001+submit+date%3A2612071927"
        + "+done+date%3A2612071927+stat%3ADELIVRD+err%3A000+text%3A%00G%00r%00%FC%00%DF%00e%00+%D8%3D%DE%00%00+%00a&ts=1796671670"

    @Test("callbacks: a Kannel receipt whose answer's text: is raw UCS-2 (as Kannel sent it) is accepted as delivered; a bad byte before text: is still refused", arguments: StoreKind.allCases)
    func callbackKannelUCS2Receipt(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await Self.insertKannel(t)
            #expect(try await Self.kannelDLR(client, Self.kannelUCS2Receipt).0 == .ok)
            #expect(try await t.store.ingestionErrors(limit: 10).isEmpty)
            // No message m1 here: kept aside as a delivered receipt, its description the receipt's head.
            let pending = try await t.store.unmatchedCallbacks(receivedBefore: .max, limit: 10)
            #expect(pending.map(\.event) == ["delivered"])
            #expect(pending.map(\.item.providerStatus) == ["DELIVRD"])
            #expect(pending.map(\.providerMessageId) == ["1796671665660"])

            let bad = "meta=m2&type=2&answer=id%3A1+stat%3AUNDEL%FF+err%3A001+text%3A%00G&ts=1796671670"
            let r = try await Self.kannelDLR(client, bad)
            #expect(r.0 == .badRequest)
            #expect(r.1 == "the callback field 'answer' is not valid UTF-8 (byte 0xFF at byte 15 of its value)")
            #expect(try await t.store.ingestionErrors(limit: 10).map(\.raw) == [Array(bad.utf8)])
        }
    }

    @Test("every admin route the router holds is an operation of openapi.json (so the contract judges its requests)")
    func everyAdminRouteIsInTheContract() async throws {
        let app = try await CallbackTestApp.make()
        let contract = try APIContract(openAPI: try Data(contentsOf: Resources.url("openapi.json")))
        #expect(contract.all.count > 40)
        let router = try await buildRouter(
            config: app.config, store: app.store, dispatcher: Dispatcher(store: app.store, gateway: SilentGateway(), planner: CampaignPlanner(linkBaseURL: "https://s.example")),
            logger: app.logs.logger)
        let admin = router.routes.filter { $0.path.description.hasPrefix("/api/") }
        #expect(admin.count > 40)
        for route in admin {
            let path = route.path.description.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
            let op = contract.operation(method: route.method.rawValue, path: path)
            #expect(op != nil, "\(route.method.rawValue) \(route.path) is not in openapi.json")
        }
    }
}
