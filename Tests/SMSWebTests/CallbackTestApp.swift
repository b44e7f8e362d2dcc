import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreSQLite
import SMSWeb
import Synchronization

/// A gateway that never sends (the callback tests record dispatch results directly).
struct SilentGateway: SMSGateway {
    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] { [] }
}

/// Collects every log line (message and metadata rendered as text).
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "test.callbacks") { _ in CaptureHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let line = "\(event.level) \(event.message) " + all.map { "\($0)=\($1)" }.sorted().joined(separator: " ")
            capture.lines.withLock { $0.append(line) }
        }
    }
}

/// A server over an in-memory SQLite store with one provider `p1` (secret ``secret``) of the given
/// kind and one sending campaign `c1`; tests drive it through the router (`.router`: no network).
struct CallbackTestApp {
    static let secret = "s3cret-callback-key"
    static let adminToken = "admin-token"
    static let publicBaseURL = "https://sms.example.com"

    let store: SQLiteStore
    let config: AppConfig
    let logs = LogCapture()
    var kind: ProviderKind

    static func make(
        kind: ProviderKind = .generic, webhookSigningKey: String? = nil, requireSignature: Bool? = nil,
        callbacksEnabled: Bool = true
    ) async throws -> CallbackTestApp {
        let store = try SQLiteStore.inMemory()
        let now = Self.now()
        try await store.insertProvider(
            ProviderConfig(
                id: "p1", name: "P", kind: kind, url: "http://127.0.0.1:9/send", bodyTemplate: #"{"to":"$$To"}"#,
                callbacksEnabled: callbacksEnabled, callbackSecret: secret, messageIdPath: "id", createdAt: now,
                webhookSigningKey: webhookSigningKey, requireSignature: requireSignature))
        try await store.insertCampaign(
            Campaign(
                id: "c1", name: "C", providerId: "p1", body: "Hi https://a.example/x", links: ["https://a.example/x"],
                audience: .all, timezone: "UTC", goal: nil, status: .sending, createdAt: now))
        let config = AppConfig(port: 8080, publicBaseURL: publicBaseURL, adminToken: adminToken)
        return CallbackTestApp(store: store, config: config, kind: kind)
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// The short-link code of `meta`'s link: 10 base62 characters (`L` + meta, padded with `x`).
    static func code(_ meta: String) -> String { String(("L" + meta + String(repeating: "x", count: 10)).prefix(10)) }

    /// Records queued messages (users `u-<meta>`, one short link ``code(_:)`` each).
    func insert(_ metas: [String], segments: Int = 1, createdAt: Int64 = now() - 120) async throws {
        try await store.insertMessages(
            metas.map {
                NewMessage(
                    campaignId: "c1", userId: "u-" + $0, phone: "+4915123456789", meta: $0, body: "Hi", segments: segments,
                    dispatch: .queued, createdAt: createdAt,
                    links: [NewShortLink(code: Self.code($0), linkIndex: 0, url: "https://a.example/x", expiresAt: createdAt + 86_400)])
            })
    }

    /// The provider accepted `meta` (its answer carried `providerMessageId`, normalised as the gateway does).
    func sent(_ meta: String, at: Int64 = now() - 100, providerMessageId: String? = nil) async throws {
        try await record(meta, .sent(providerMessageId: ProviderMessageId.normalize(providerMessageId, kind: kind)), at: at)
    }

    func record(_ meta: String, _ outcome: DispatchResult.Outcome, at: Int64 = now() - 100) async throws {
        let queued = try await store.queuedMessages(campaignId: "c1", limit: 10_000)
        guard let id = queued.first(where: { $0.meta == meta })?.messageId else {
            throw StoreError.notFound("queued message \(meta)")
        }
        try await store.recordDispatchResults([DispatchResult(messageId: id, outcome: outcome, at: at)])
    }

    func stats() async throws -> CampaignStats {
        CampaignReport.stats(totals: try await CampaignStatsQueries(store: store).totals(campaignId: "c1"), callbacksEnabled: true)
    }

    /// Runs `body` against the application's router.
    func test<T: Sendable>(
        store override: (any SMSDispatchStore)? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let app = try await buildApplication(
            config: config, store: override ?? store, gateway: SilentGateway(), runDispatcher: false, logger: logs.logger)
        return try await app.test(.router) { client in try await body(client) }
    }
}

extension TestClientProtocol {
    /// POSTs `body` to `/callbacks/p1?secret=…` (or `path` when given).
    func callback(
        _ body: String, path: String = "/callbacks/p1?secret=\(CallbackTestApp.secret)", contentType: String = "application/json",
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// An admin API GET.
    func api(_ path: String, method: HTTPRequest.Method = .get, body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(CallbackTestApp.adminToken)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object or array.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: body)) }
}
