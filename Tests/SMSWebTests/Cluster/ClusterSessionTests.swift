import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
import Testing

@testable import SMSWeb

/// Two servers (two applications, each with its own connection to one database) as behind a load
/// balancer: a sign-in link minted on one works once on any, and a dashboard session made on one
/// is valid on the other (signed cookie, the key derived from the admin token every server shares).
@Suite("Cluster: sign-in links and dashboard sessions work on any server (SQLite and PostgreSQL)")
struct ClusterSessionTests {
    static let base = "https://sms.example.com"

    static func app(_ store: any SMSDispatchStore) async throws -> some ApplicationProtocol {
        let config = AppConfig(port: 0, publicBaseURL: base, adminToken: "test-token")
        var logger = Logger(label: "test.cluster")
        logger.logLevel = .critical
        return try await buildApplication(config: config, store: store, gateway: AcceptingGateway(), runDispatcher: false, logger: logger)
    }

    struct Link: Decodable { var url: String }

    static func mint(_ client: some TestClientProtocol, next: String) async throws -> String {
        let link = try await client.execute(
            uri: "/api/v1/dashboard/login-links", method: .post, headers: auth, body: json(#"{"next":"\#(next)"}"#)
        ) { r in
            #expect(r.status == .created)
            return try decode(Link.self, r.body)
        }
        return String(link.url.dropFirst(base.count))
    }

    @Test("a link minted on server A is accepted once on server B, refused the second time on A; B's session works on A",
        arguments: StoreKind.allCases)
    func linkOnAnyServer(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let other = try await t.reopened()
        let nodeA = try await Self.app(t.store)
        let nodeB = try await Self.app(other.store)
        try await nodeA.test(.router) { a in
            try await nodeB.test(.router) { b in
                let path = try await Self.mint(a, next: "/providers")
                let cookie = try await b.execute(uri: path, method: .get) { r -> String in
                    #expect(r.status == .seeOther)
                    #expect(r.headers[.location] == "/providers")
                    return String((r.headers[.setCookie] ?? "").split(separator: ";")[0])
                }
                #expect(cookie.hasPrefix("smsstats_session=v1."))
                try await a.execute(uri: path, method: .get) { r in
                    #expect(r.status == .unauthorized)
                    #expect(String(buffer: r.body).contains("expired or was already used"))
                    #expect(r.headers[.setCookie] == nil)
                }
                try await b.execute(uri: path, method: .get) { r in #expect(r.status == .unauthorized) }
                // The session B issued is valid on A (and on B).
                try await a.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok) }
                try await b.execute(uri: "/providers", method: .get, headers: [.cookie: cookie]) { r in #expect(r.status == .ok) }
                // Without it, A asks for a sign-in.
                try await a.execute(uri: "/providers", method: .get) { r in #expect(r.status == .seeOther) }
            }
        }
        // The database keeps only hashes, and none of the used link.
        let rows = try await t.query("SELECT COUNT(*) AS n FROM login_links")
        #expect(rows.map { $0["n"] } == [.int(0)])
        await other.close()
        await t.close()
    }

    @Test("one link opened 12 times at once on two servers: exactly one sign-in", arguments: StoreKind.allCases)
    func concurrentOpens(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let other = try await t.reopened()
        let nodeA = try await Self.app(t.store)
        let nodeB = try await Self.app(other.store)
        try await nodeA.test(.router) { a in
            try await nodeB.test(.router) { b in
                let path = try await Self.mint(b, next: "/")
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for i in 0..<12 {
                        group.addTask {
                            i % 2 == 0
                                ? try await a.execute(uri: path, method: .get) { $0.status }
                                : try await b.execute(uri: path, method: .get) { $0.status }
                        }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .seeOther }.count == 1)
                #expect(statuses.filter { $0 == .unauthorized }.count == 11)
            }
        }
        await other.close()
        await t.close()
    }
}
