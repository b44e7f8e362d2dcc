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

/// `GET /health` and `GET /ready` (``HealthController``): what a load balancer reads.
@Suite("Cluster: /health and /ready")
struct ReadinessRouteTests {
    struct Answer: Decodable, Equatable {
        var status: String
        var reason: String?
    }

    static func get(_ app: some ApplicationProtocol, _ path: String) async throws -> (HTTPResponse.Status, Answer) {
        try await app.test(.router) { client in
            try await client.execute(uri: path, method: .get) { r in (r.status, try decode(Answer.self, r.body)) }
        }
    }

    @Test("a running server on a migrated database: /health 200 ok, /ready 200 ready; draining: /ready 503 draining, /health still 200",
        arguments: StoreKind.allCases)
    func readyThenDraining(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        let drain = NodeDrain()
        var logger = Logger(label: "test.ready")
        logger.logLevel = .critical
        let app = try await buildApplication(
            config: AppConfig(port: 0, adminToken: "test-token"), store: t.store, gateway: AcceptingGateway(), runDispatcher: false,
            logger: logger, drain: drain)
        #expect(try await Self.get(app, "/health") == (.ok, Answer(status: "ok")))
        // The probe waits 2 s for the database; on a machine loaded by a parallel test run one probe
        // can miss that, so a running server is asked again (up to 10 times) before it must be ready.
        var ready = try await Self.get(app, "/ready")
        for _ in 0..<10 where ready.0 != .ok {
            try await Task.sleep(for: .seconds(1))
            ready = try await Self.get(app, "/ready")
        }
        #expect(ready == (.ok, Answer(status: "ready")))
        drain.start()
        #expect(try await Self.get(app, "/ready") == (.serviceUnavailable, Answer(status: "unavailable", reason: "draining")))
        #expect(try await Self.get(app, "/health") == (.ok, Answer(status: "ok")))
        await t.close()
    }

    /// A database that fails, hangs or lacks migrations.
    struct StubSchema: SchemaStatusStore {
        enum Mode { case fails, hangs, missing }
        var mode: Mode
        struct Down: Error {}
        func missingMigrations() async throws -> [String] {
            switch mode {
            case .fails: throw Down()
            case .hangs:
                // Ignores cancellation, like a query on a dead connection.
                try? await Task.sleep(for: .seconds(60))
                return []
            case .missing: return ["login-links", "next-one"]
            }
        }
    }

    static func app(_ mode: StubSchema.Mode) -> some ApplicationProtocol {
        let router = Router(context: AppRequestContext.self)
        var logger = Logger(label: "test.ready")
        logger.logLevel = .critical
        HealthController(schema: StubSchema(mode: mode), drain: NodeDrain(), logger: logger, timeout: .milliseconds(300))
            .addRoutes(to: router)
        return Application(router: router)
    }

    @Test("an unreachable database: 503 database unreachable (the driver's error is not shown)")
    func unreachable() async throws {
        #expect(try await Self.get(Self.app(.fails), "/ready") == (.serviceUnavailable, Answer(status: "unavailable", reason: "database unreachable")))
    }

    @Test("a database that does not answer: 503 after the timeout (0.3 s here), not after the query")
    func hanging() async throws {
        let start = ContinuousClock.now
        #expect(try await Self.get(Self.app(.hangs), "/ready") == (.serviceUnavailable, Answer(status: "unavailable", reason: "database unreachable")))
        // The query hangs 60 s; the answer comes long before (0.3 s timeout; 30 s leaves room for
        // a loaded machine).
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("migrations missing: 503 naming them")
    func missing() async throws {
        #expect(
            try await Self.get(Self.app(.missing), "/ready")
                == (.serviceUnavailable, Answer(status: "unavailable", reason: "migrations missing: login-links, next-one")))
    }
}
