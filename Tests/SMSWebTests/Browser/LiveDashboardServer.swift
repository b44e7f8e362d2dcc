import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import SMSCore
import SMSStoreSQLite
import ServiceLifecycle
import Synchronization

@testable import SMSDemo
@testable import SMSWeb

/// A gateway for the live test: accepts every message, stamps its send time `daysAgo(messageId)`
/// days back (so the Message Trend has several days), remembers what it sent, and holds the
/// provider named "Slow" for a minute (a campaign that is still sending).
final class RecordingGateway: SMSGateway, Sendable {
    struct Sent: Sendable {
        var meta: String
        var userId: String
        var body: String
        var at: Int64
    }

    let sent = Mutex<[Sent]>([])

    static func daysAgo(_ messageId: Int64) -> Int64 { messageId % 6 }

    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        if provider.name == "Slow" { try? await Task.sleep(for: .seconds(60)) }
        let now = Int64(Date().timeIntervalSince1970)
        let results = messages.map { m -> DispatchResult in
            let at = now - Self.daysAgo(m.messageId) * 86_400 - 600
            sent.withLock { $0.append(Sent(meta: m.meta, userId: m.userId, body: m.body, at: at)) }
            return DispatchResult(messageId: m.messageId, outcome: .sent(providerMessageId: nil), at: at)
        }
        return results
    }
}

/// The real application on a free loopback port, on a temporary SQLite file, with the dispatch
/// loop running; a small API client for seeding it.
final class LiveDashboardServer: Sendable {
    let port: Int
    let base: String
    let token = "live-" + ShortCode.generate() + ShortCode.generate()
    let store: SQLiteStore
    let gateway = RecordingGateway()
    let http: HTTPClient
    let dbPath: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init() async throws {
        guard let port = FreePort.find() else { throw HeadlessChromium.Failure(description: "no free port") }
        self.port = port
        base = "http://127.0.0.1:\(port)"
        dbPath = NSTemporaryDirectory() + "smsstats-browser-\(UUID().uuidString).sqlite"
        store = try SQLiteStore(path: dbPath)
        var clientConfig = HTTPClient.Configuration()
        clientConfig.redirectConfiguration = .disallow
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfig)
        var logger = Logger(label: "browser-test")
        logger.logLevel = .critical
        let config = AppConfig(host: "127.0.0.1", port: port, adminToken: token, dispatchIntervalMs: 50)
        let app = try await buildApplication(config: config, store: store, gateway: gateway, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        task = Task { try await group.run() }
        for _ in 0..<400 {
            if let r = try? await call(.GET, "/health", auth: false), r.status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HeadlessChromium.Failure(description: "the server did not start on \(base)")
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? await http.shutdown()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
    }

    /// One request; returns status and body.
    func call(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, auth: Bool = true, headers: [(String, String)] = []
    ) async throws -> (status: Int, body: Data, headers: HTTPHeaders) {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        if auth { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body {
            if !headers.contains(where: { $0.0 == "Content-Type" }) { request.headers.add(name: "Content-Type", value: "application/json") }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 20_000_000)
        return (Int(response.status.code), Data(buffer: bytes), response.headers)
    }

    func json<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> T {
        let r = try await call(method, path, body: body.map { Data($0.utf8) })
        guard (200..<300).contains(r.status) else {
            throw HeadlessChromium.Failure(description: "\(method) \(path) → \(r.status): \(String(decoding: r.body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(type, from: r.body)
    }

    /// A one-time sign-in URL that opens `next` in a fresh browser.
    func loginLink(_ next: String) async throws -> String {
        struct L: Decodable { var url: String }
        let nextJSON = String(decoding: try JSONEncoder().encode(["next": next]), as: UTF8.self)
        return try await json(L.self, .POST, "/api/v1/dashboard/login-links", nextJSON).url
    }

    /// Waits until a campaign has no queued message left.
    func waitDispatched(_ campaignId: String) async throws {
        struct C: Decodable {
            struct P: Decodable { var queued: Int }
            var progress: P
        }
        for _ in 0..<600 {
            if try await json(C.self, .GET, "/api/v1/campaigns/\(campaignId)").progress.queued == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HeadlessChromium.Failure(description: "campaign \(campaignId) was not dispatched")
    }

    /// A hit on a short link (no redirect followed).
    func hit(_ shortURL: String, bot: Bool = false) async throws {
        let ua = bot ? "WhatsApp/2.24.6.77 A" : "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
        let r = try await call(.GET, shortURL, auth: false, headers: [("User-Agent", ua)])
        guard r.status == 302 else { throw HeadlessChromium.Failure(description: "short link answered \(r.status)") }
    }
}

extension LiveDashboardServer {
    /// A live server and a headless Chromium for `body`; the server stopped and the browser's
    /// profile removed whether `body` returns or throws.
    static func withBrowser(_ body: (LiveDashboardServer, HeadlessChromium) async throws -> Void) async throws {
        let server = try await LiveDashboardServer()
        let browser: HeadlessChromium
        do {
            browser = try HeadlessChromium()
        } catch {
            await server.stop()
            throw error
        }
        do {
            try await body(server, browser)
        } catch {
            await server.stop()
            browser.cleanUp()
            throw error
        }
        await server.stop()
        browser.cleanUp()
    }
}
