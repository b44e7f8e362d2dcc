import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSGatewayHTTP
import SMSStoreTestSupport
import SMSTestSupport
import Synchronization
import Testing

@testable import SMSDemo
@testable import SMSWeb

/// End to end against a real Jasmin SMS gateway (PyPI `jasmin` 0.11.1 with RabbitMQ and Redis,
/// started by `scripts/setup/jasmin.sh` in front of the SMPP simulator of `scripts/kannel`).
/// A Jasmin provider created through the API (GET `/send`, `dlr-url=$$DlrUrl`, `dlr-level=3`,
/// message id read from `Success "<uuid>"` by `messageIdPattern`) sends a campaign; Jasmin's DLRs
/// come back to `/callbacks/{id}`, are matched by the `meta` of our `dlr-url`, and must show in
/// the stats. Every DLR is answered `ACK/Jasmin`, so Jasmin (set to retry after 1 s) resends none.
///
/// | user | number | simulator | Jasmin DLRs (level 3) | expected |
/// |---|---|---|---|---|
/// | ok | +4915550001001 | DELIVRD | ESME_ROK, DELIVRD | delivered |
/// | und | +4915550008001 | UNDELIV err:001 | ESME_ROK, UNDELIV | failed, code 001 |
/// | rej | +4915550009001 | submit refused (0x45) | ESME_RSUBMITFAIL | failed, code ESME_RSUBMITFAIL |
/// | enr | +4915550007001 | ENROUTE then DELIVRD | ESME_ROK, UNKNOWN, DELIVRD | delivered |
/// | nor | +4915550006001 | no receipt | ESME_ROK | pending (submitted) |
///
/// Skipped without `SMSSTATS_TEST_JASMIN_URL` (source `scripts/setup/jasmin.sh`); under `CI=true`
/// it runs and fails instead.
@Suite("Jasmin integration", .serialized)
struct JasminIntegrationTests {
    static let environment = ProcessInfo.processInfo.environment
    static let jasminURL = environment["SMSSTATS_TEST_JASMIN_URL"]
    static let logs = environment["SMSSTATS_TEST_JASMIN_LOGS"]
    static var shouldRun: Bool { jasminURL != nil || ReferencePython.isCI }

    /// Waits (up to 300 s, RabbitMQ and jasmind boot slowly on a loaded machine) for `scripts/setup/jasmin.sh`'s background start: `ready`, or `failed`
    /// with the reason, in the logs folder.
    static func waitReady() async throws {
        guard let logs else { return }
        for _ in 0..<3000 {
            if FileManager.default.fileExists(atPath: logs + "/ready") { return }
            if let reason = try? String(contentsOfFile: logs + "/failed", encoding: .utf8) {
                throw KannelStack.KannelError(message: "Jasmin did not start: \(reason) (logs in \(logs))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KannelStack.KannelError(message: "Jasmin did not start within 300 s (logs in \(logs))")
    }

    @Test("a campaign through Jasmin /send: delivered, undelivered, rejected, enroute→delivered and no receipt reach the stats",
          .enabled(if: shouldRun, "needs a running Jasmin: source scripts/setup/jasmin.sh (rabbitmq-server, redis-server, PyPI jasmin)"),
          .timeLimit(.minutes(7)))
    func campaignThroughJasmin() async throws {
        let jasmin = try #require(Self.jasminURL, "SMSSTATS_TEST_JASMIN_URL is not set and CI=true: the Jasmin integration test must run in CI (scripts/setup/jasmin.sh)")
        try await Self.waitReady()
        let test = try await TestStore.make(.sqlite)
        let logger: Logger = {
            var logger = Logger(label: "test.jasmin")
            logger.logLevel = .warning
            return logger
        }()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        // `$$DlrUrl` needs the live server's port, known only inside `app.test`: the real gateway is
        // bound there, before anything is sent.
        let gateway = LiveBoundGateway()
        let token = "jasmin-admin-token"
        let config = AppConfig(host: "127.0.0.1", port: 0, adminToken: token, dispatchIntervalMs: 50)
        do {
            let app = try await buildApplication(config: config, store: test.store, gateway: gateway, logger: logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                gateway.bind(HTTPProviderGateway(
                    httpClient: http, retry: RetryPolicy(maxAttempts: 1), publicBaseURL: "http://127.0.0.1:\(port)", logger: logger))
                let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                func json(_ uri: String, _ method: HTTPRequest.Method = .get, _ body: String? = nil) async throws -> (HTTPResponse.Status, Any) {
                    try await client.execute(uri: uri, method: method, headers: auth, body: body.map { ByteBuffer(string: $0) }) {
                        ($0.status, try JSONSerialization.jsonObject(with: Data(buffer: $0.body), options: [.fragmentsAllowed]))
                    }
                }
                let provider = #"""
                    {"name":"Jasmin","kind":"jasmin","method":"GET","url":"\#(jasmin)/send","bodyType":"form",
                     "bodyTemplate":"username=smsstats&password=jasminpw&to=$$To&content=$$Body&dlr=yes&dlr-url=$$DlrUrl&dlr-level=3&dlr-method=POST",
                     "messageIdPattern":"Success \"([^\"]+)\""}
                    """#
                let (created, shown) = try await json("/api/v1/providers", .post, provider)
                #expect(created == .created, "\(shown)")
                let providerId = try #require((shown as? [String: Any])?["id"] as? String)
                let users = [("ok", "+4915550001001"), ("und", "+4915550008001"), ("rej", "+4915550009001"),
                             ("enr", "+4915550007001"), ("nor", "+4915550006001")]
                let profiles = "[" + users.map { #"{"userId":"\#($0.0)","phone":"\#($0.1)"}"# }.joined(separator: ",") + "]"
                #expect(try await json("/api/v1/profiles", .post, profiles).0 == .ok)
                let draft = #"{"name":"Jasmin","providerId":"\#(providerId)","body":"Hello from Jasmin","audience":{"userIds":["ok","und","rej","enr","nor"]}}"#
                let (status, campaign) = try await json("/api/v1/campaigns", .post, draft)
                #expect(status == .created)
                let campaignId = try #require((campaign as? [String: Any])?["id"] as? String)
                #expect(try await json("/api/v1/campaigns/\(campaignId)/publish", .post).0 == .ok)

                var stats: [String: Any] = [:]
                for _ in 0..<300 {
                    stats = try #require(try await json("/api/v1/campaigns/\(campaignId)/stats").1 as? [String: Any])
                    if stats["delivered"] as? Int == 2, stats["failed"] as? Int == 2 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Jasmin retries a DLR 1 s after an answer that is not ACK/Jasmin: a resend would show now.
                try await Task.sleep(for: .milliseconds(2500))
                stats = try #require(try await json("/api/v1/campaigns/\(campaignId)/stats").1 as? [String: Any])
                #expect(stats["sent"] as? Int == 5)
                #expect(stats["delivered"] as? Int == 2)
                #expect(stats["failed"] as? Int == 2)
                #expect(stats["pending"] as? Int == 1)
                #expect(stats["dispatchErrors"] as? Int == 0)

                let errors = try #require(try await json("/api/v1/campaigns/\(campaignId)/errors").1 as? [String: Any])
                let delivery = try #require(errors["delivery"] as? [[String: Any]])
                let byCode = Dictionary(uniqueKeysWithValues: delivery.map { ($0["code"] as? String ?? "?", $0["count"] as? Int ?? -1) })
                #expect(byCode == ["001": 1, "ESME_RSUBMITFAIL": 1])
                // UNKNOWN (Jasmin's ENROUTE) is an intermediate status, not an ingestion error.
                #expect(try await json("/api/v1/ingestion-errors").1 as? [Any] != nil)
                #expect((try await json("/api/v1/ingestion-errors").1 as? [Any])?.count == 0)
                #expect(try await test.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).isEmpty)

                // The provider message id came from Jasmin's `Success "<uuid>"` answer: one per message,
                // each the id Jasmin logged for that submit.
                let ids = try await test.query("SELECT provider_message_id AS id FROM messages ORDER BY id").compactMap { $0["id"]?.text }
                #expect(ids.count == 5)
                #expect(Set(ids).count == 5)
                #expect(ids.allSatisfy { $0.count == 36 && $0 == $0.lowercased() })
                if let logs = Self.logs {
                    let folder = logs + "/var/log/jasmin"
                    let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                        .compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
                    #expect(ids.allSatisfy { all.contains("SMS-MT [cid:sim] [queue-msgid:\($0)]") }, "\(ids)")
                    // 9 DLRs thrown (2 + 2 + 1 + 3 + 1), each acknowledged at once: none thrown twice,
                    // no "did not acknowledge" or HTTP error.
                    let thrower = (try? String(contentsOfFile: logs + "/var/log/jasmin/dlr-thrower.log", encoding: .utf8)) ?? ""
                    let thrown = thrower.split(separator: "\n").filter { $0.contains("Throwed DLR") && $0.contains("/callbacks/\(providerId)") }
                    #expect(thrown.count == 9, "\(thrower.suffix(3000))")
                    #expect(!thrower.contains("Throwing HTTP/DLR"), "\(thrower.suffix(3000))")
                }
            }
        } catch {
            try? await http.shutdown()
            await test.close()
            throw error
        }
        try await http.shutdown()
        await test.close()
    }
}

/// A gateway whose real ``HTTPProviderGateway`` is set once the live test server's port is known
/// (for `$$DlrUrl`); sending before that fails every message.
final class LiveBoundGateway: SMSGateway {
    private let inner = Mutex<HTTPProviderGateway?>(nil)

    func bind(_ gateway: HTTPProviderGateway) { inner.withLock { $0 = gateway } }

    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        guard let gateway = inner.withLock({ $0 }) else {
            return messages.map { DispatchResult(messageId: $0.messageId, outcome: .failed(reason: "gateway not bound yet"), at: 0) }
        }
        return await gateway.send(messages, via: provider, customValues: customValues)
    }
}
