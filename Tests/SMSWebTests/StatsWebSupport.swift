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

    /// `YYYY-MM-DD` of a day count since 1970-01-01 (civil-from-days, H. Hinnant).
    static func label(days: Int64) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}

/// SplitMix64: reproducible randomness for the property tests.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
}
