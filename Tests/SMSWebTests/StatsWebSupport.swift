import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSStoreSQLite
import SMSWeb

/// Runs the real router (`buildRouter`) over a store, for the stats routes' tests.
enum StatsWeb {
    static let token = "stats-test-token"

    struct NoGateway: SMSGateway {
        func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async
            -> [DispatchResult]
        { [] }
    }

    static func withRouter<T: Sendable>(
        store: any SMSDispatchStore, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test.stats")
        logger.logLevel = .critical
        let config = AppConfig(adminToken: token)
        let dispatcher = Dispatcher(store: store, gateway: NoGateway(), planner: CampaignPlanner(linkBaseURL: config.publicBaseURL))
        let router = try await buildRouter(config: config, store: store, dispatcher: dispatcher, logger: logger)
        let app = Application(router: router, logger: logger)
        return try await app.test(.router) { client in try await body(client) }
    }

    /// `GET /api/v1/campaigns/<path>` with the admin token.
    static func get(_ client: any TestClientProtocol, _ path: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/campaigns/\(path)", method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    /// Decodes a 200 JSON body.
    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        guard response.status == .ok else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "HTTP \(response.status.code): \(String(buffer: response.body))"))
        }
        return try JSONDecoder().decode(type, from: Data(buffer: response.body))
    }

    /// The error message of a `{"error":{"message":…}}` body.
    static func errorMessage(_ response: TestResponse) -> String {
        let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return (json?["error"] as? [String: Any])?["message"] as? String ?? String(buffer: response.body)
    }
}

/// Reproducible randomness for the property tests: SMSCore's SplitMix64 with the seed mixed first.
struct SeededRandom: RandomNumberGenerator {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
}
