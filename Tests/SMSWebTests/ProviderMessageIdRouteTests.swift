import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// `messageIdPattern` and `messageIdHeader` on `POST /api/v1/providers` and PATCH: checked like
/// every field (a 400 naming it, nothing written), stored and shown back; SQLite and PostgreSQL.
@Suite("Providers: message id pattern and header")
struct ProviderMessageIdRouteTests {
    typealias T = ProviderManagementRouteTests

    static func create(_ client: any TestClientProtocol, _ fields: String) async throws -> (status: HTTPResponse.Status, text: String) {
        try await T.call(
            client, .post, "/api/v1/providers",
            #"{"name":"Jasmin","kind":"jasmin","method":"GET","url":"http://127.0.0.1:1401/send","bodyType":"form","bodyTemplate":"to=$$To&content=$$Body"\#(fields)}"#)
    }

    @Test("a valid pattern and header are stored and shown back; PATCH null removes them", arguments: StoreKind.allCases)
    func stored(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: T.token, secret: T.secret) { client, _ in
            let r = try await Self.create(client, #","messageIdPattern":"Success \"([^\"]+)\"","messageIdHeader":"X-Message-Id""#)
            #expect(r.status == .created, "\(r.text)")
            let shown = try T.object(r.text)
            #expect(shown["messageIdPattern"] as? String == #"Success "([^"]+)""#)
            #expect(shown["messageIdHeader"] as? String == "X-Message-Id")
            let id = try #require(shown["id"] as? String)
            let read = try T.object(try await T.call(client, .get, "/api/v1/providers/\(id)").text)
            #expect(read["messageIdPattern"] as? String == #"Success "([^"]+)""#)
            let patched = try await T.call(client, .patch, "/api/v1/providers/\(id)", #"{"messageIdPattern":null,"messageIdHeader":""}"#)
            #expect(patched.status == .ok, "\(patched.text)")
            let after = try T.object(patched.text)
            #expect(after["messageIdPattern"] == nil && after["messageIdHeader"] == nil)
        }
    }

    @Test("400 naming the field: a pattern that does not compile, without or with two groups, a bad header name, path with pattern",
          arguments: StoreKind.allCases)
    func refused(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: T.token, secret: T.secret) { client, _ in
            let cases: [(String, String)] = [
                (#","messageIdPattern":"Success (\"""#, "invalid provider: messageIdPattern is not a valid regular expression"),
                (#","messageIdPattern":"Success""#, "invalid provider: messageIdPattern must have exactly one capture group, the id, e.g. Success \"([^\"]+)\" (got 0)"),
                (#","messageIdPattern":"(a)(b)""#, "invalid provider: messageIdPattern must have exactly one capture group, the id, e.g. Success \"([^\"]+)\" (got 2)"),
                (#","messageIdHeader":"X Message""#, "invalid provider: messageIdHeader must be an HTTP header name"),
                (#","messageIdPath":"id","messageIdPattern":"(x)""#,
                 "invalid provider: messageIdPath reads a JSON answer and cannot be combined with messageIdPattern: set one of them"),
            ]
            for (fields, message) in cases {
                let r = try await Self.create(client, fields)
                #expect(r.status == .badRequest, "\(fields): \(r.text)")
                #expect(T.message(r.text).hasPrefix(message), "\(fields): \(r.text)")
            }
            // PATCH: the same check; nothing written.
            let p1 = try await T.call(client, .patch, "/api/v1/providers/p1", #"{"messageIdPattern":"id=\\w+"}"#)
            #expect(p1.status == .badRequest)
            #expect(T.message(p1.text).contains("messageIdPattern must have exactly one capture group"), "\(p1.text)")
            let stored = try T.object(try await T.call(client, .get, "/api/v1/providers/p1").text)
            #expect(stored["messageIdPattern"] == nil)
            #expect(try await T.call(client, .get, "/api/v1/providers").text.contains("Jasmin") == false)
        }
    }
}
