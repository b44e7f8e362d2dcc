import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import SMSWeb

/// A known path with a method it does not take is 405 with `Allow` (found by schemathesis's
/// `unsupported_method` check: TRACE on 11 paths was a 404).
@Suite("405 with Allow for a method a known path does not take")
struct MethodNotAllowedRouteTests {
    @Test("TRACE /api/v1/events, GET /api/v1/events, DELETE /health are 405 naming the allowed methods; unknown paths stay 404", arguments: [
        ("/api/v1/events", HTTPRequest.Method(rawValue: "TRACE")!, "POST"),
        ("/api/v1/events", .get, "POST"),
        ("/health", .delete, "GET"),
        ("/health", .head, "GET"),
        ("/l/ABC", .post, "GET, HEAD"),
        ("/api/v1/campaigns/c1/publish", .get, "POST"),
    ])
    func notAllowed(path: String, method: HTTPRequest.Method, allow: String) async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: method, headers: auth) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == allow)
            }
        }
    }

    @Test("methods a path takes still reach their handlers; unknown paths are 404")
    func allowedAndUnknown() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/l/NOPE123", method: .head) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/api/v1/campaigns/nope", method: .get, headers: auth) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/no/such/path", method: .get) { r in #expect(r.status == .notFound) }
        }
    }

    @Test("template matching: parameters match one segment, ** the rest")
    func matching() {
        func seg(_ s: String) -> [Substring] { RouteMethods.segments(s) }
        #expect(RouteMethods.matches(seg("/api/v1/campaigns/{id}"), seg("/api/v1/campaigns/c1")))
        #expect(RouteMethods.matches(seg("/api/v1/campaigns/:id"), seg("/api/v1/campaigns/c1")))
        #expect(!RouteMethods.matches(seg("/api/v1/campaigns/{id}"), seg("/api/v1/campaigns/c1/stats")))
        #expect(!RouteMethods.matches(seg("/api/v1/campaigns/{id}"), seg("/api/v1/campaigns")))
        #expect(RouteMethods.matches(seg("/static/**"), seg("/static/css/a.css")))
        #expect(RouteMethods.matches(seg("/"), seg("/")))
        #expect(!RouteMethods.matches(seg("/"), seg("/x")))
    }
}
