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
/// A provider created through the API from the Jasmin preset (POST `/send` with `coding` and
/// `hex-content`, `dlr-url=$$DlrUrl`, `dlr-level=3`, message id read from `Success "<uuid>"` by
/// `messageIdPattern`) sends two campaigns; Jasmin's DLRs come back to `/callbacks/{id}`, are
/// matched by the `meta` of our `dlr-url`, and must show in the stats. Every DLR is answered
/// `ACK/Jasmin`, so Jasmin (set to retry after 1 s) resends none.
///
/// | user | number | simulator | Jasmin DLRs (level 3) | expected |
/// |---|---|---|---|---|
/// | ok | +4915550001001 | DELIVRD | ESME_ROK, DELIVRD | delivered |
/// | und | +4915550008001 | UNDELIV err:001 | ESME_ROK, UNDELIV | failed, code 001 |
/// | rej | +4915550009001 | submit refused (0x45) | ESME_RSUBMITFAIL | failed, code ESME_RSUBMITFAIL |
/// | enr | +4915550007001 | ENROUTE then DELIVRD | ESME_ROK, UNKNOWN, DELIVRD | delivered |
/// | nor | +4915550006001 | no receipt | ESME_ROK | pending (submitted) |
/// | uni (a UCS-2 campaign) | +4915550001004 | DELIVRD, `text:` the first 20 octets of UTF-16BE | ESME_ROK, DELIVRD | delivered |
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

    @Test("campaigns through the Jasmin preset: delivered, undelivered, rejected, enroute→delivered, no receipt and a UCS-2 message's receipt reach the stats",
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
                    {"preset":"jasmin","fields":{"baseUrl":"\#(jasmin)","username":"smsstats","password":"jasminpw","from":"12345"}}
                    """#
                let (created, shown) = try await json("/api/v1/providers", .post, provider)
                #expect(created == .created, "\(shown)")
                let providerId = try #require((shown as? [String: Any])?["id"] as? String)
                let users = [("ok", "+4915550001001"), ("und", "+4915550008001"), ("rej", "+4915550009001"),
                             ("enr", "+4915550007001"), ("nor", "+4915550006001"), ("uni", "+4915550001004")]
                let profiles = "[" + users.map { #"{"userId":"\#($0.0)","phone":"\#($0.1)"}"# }.joined(separator: ",") + "]"
                #expect(try await json("/api/v1/profiles", .post, profiles).0 == .ok)
                let draft = #"{"name":"Jasmin","providerId":"\#(providerId)","body":"Hello from Jasmin","audience":{"userIds":["ok","und","rej","enr","nor"]}}"#
                let (status, campaign) = try await json("/api/v1/campaigns", .post, draft)
                #expect(status == .created)
                let campaignId = try #require((campaign as? [String: Any])?["id"] as? String)
                #expect(try await json("/api/v1/campaigns/\(campaignId)/publish", .post).0 == .ok)
                let unicode = "Grüße 😀 aus Jasmin"
                let (uniStatus, uniCampaign) = try await json(
                    "/api/v1/campaigns", .post,
                    #"{"name":"Unicode","providerId":"\#(providerId)","body":"\#(unicode)","audience":{"userIds":["uni"]}}"#)
                #expect(uniStatus == .created, "\(uniCampaign)")
                let uniCampaignId = try #require((uniCampaign as? [String: Any])?["id"] as? String)
                #expect(try await json("/api/v1/campaigns/\(uniCampaignId)/publish", .post).0 == .ok)

                var stats: [String: Any] = [:]
                for _ in 0..<300 {
                    stats = try #require(try await json("/api/v1/campaigns/\(campaignId)/stats").1 as? [String: Any])
                    let uni = try #require(try await json("/api/v1/campaigns/\(uniCampaignId)/stats").1 as? [String: Any])
                    if stats["delivered"] as? Int == 2, stats["failed"] as? Int == 2, uni["delivered"] as? Int == 1 { break }
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
                // The UCS-2 message's receipt carries raw UTF-16BE octets after `text:`: it counts.
                let uniStats = try #require(try await json("/api/v1/campaigns/\(uniCampaignId)/stats").1 as? [String: Any])
                #expect(uniStats["sent"] as? Int == 1)
                #expect(uniStats["delivered"] as? Int == 1)
                #expect(uniStats["pending"] as? Int == 0)

                let errors = try #require(try await json("/api/v1/campaigns/\(campaignId)/errors").1 as? [String: Any])
                let delivery = try #require(errors["delivery"] as? [[String: Any]])
                let byCode = Dictionary(uniqueKeysWithValues: delivery.map { ($0["code"] as? String ?? "?", $0["count"] as? Int ?? -1) })
                #expect(byCode == ["001": 1, "ESME_RSUBMITFAIL": 1])
                // UNKNOWN (Jasmin's ENROUTE) is an intermediate status, not an ingestion error; the
                // UCS-2 receipt's `text` is not one either.
                #expect(try await json("/api/v1/ingestion-errors").1 as? [Any] != nil)
                #expect((try await json("/api/v1/ingestion-errors").1 as? [Any])?.count == 0)
                #expect(try await test.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).isEmpty)

                // The provider message id came from Jasmin's `Success "<uuid>"` answer: one per message,
                // each the id Jasmin logged for that submit.
                let ids = try await test.query("SELECT provider_message_id AS id FROM messages ORDER BY id").compactMap { $0["id"]?.text }
                #expect(ids.count == 6)
                #expect(Set(ids).count == 6)
                #expect(ids.allSatisfy { $0.count == 36 && $0 == $0.lowercased() })
                if let logs = Self.logs {
                    let folder = logs + "/var/log/jasmin"
                    let all = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                        .compactMap { try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
                    #expect(ids.allSatisfy { all.contains("SMS-MT [cid:sim] [queue-msgid:\($0)]") }, "\(ids)")
                    // 11 DLRs thrown (2 + 2 + 1 + 3 + 1 + 2), each acknowledged at once: none thrown twice,
                    // no "did not acknowledge" or HTTP error.
                    let thrower = (try? String(contentsOfFile: logs + "/var/log/jasmin/dlr-thrower.log", encoding: .utf8)) ?? ""
                    let thrown = thrower.split(separator: "\n").filter { $0.contains("Throwed DLR") && $0.contains("/callbacks/\(providerId)") }
                    #expect(thrown.count == 11, "\(thrower.suffix(3000))")
                    #expect(!thrower.contains("Throwing HTTP/DLR"), "\(thrower.suffix(3000))")
                    // The simulator got the UCS-2 text as UTF-16BE under data_coding 8 (the preset's hex-content).
                    let sim = (try? String(contentsOfFile: logs + "/sim.out", encoding: .utf8)) ?? ""
                    let submits = sim.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                        .filter { $0["cmd"] as? String == "submit_sm" && $0["dir"] as? String == "in" && ($0["destination_addr"] as? String ?? "").hasSuffix("4915550001004") }
                    #expect(submits.count == 1)
                    #expect(submits.first?["data_coding"] as? Int == 8)
                    let octets = (submits.first?["short_message"] as? String ?? "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
                    #expect(octets == unicode.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
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

/// Request bodies a recorder route received, in order.
final class RecordedBodies: Sendable {
    let list = Mutex<[[UInt8]]>([])
}

extension JasminIntegrationTests {
    /// The bytes Jasmin posts for a UCS-2 message's receipt (`docs/PITFALLS.md #25`): a message
    /// sent straight to Jasmin's `/send` (`coding=8`, `hex-content` = UTF-16BE, `dlr-level=2`)
    /// with its `dlr-url` on a recorder here; the simulator's receipt carries the message's first 20
    /// octets after `text:`. The recorded body is then posted byte for byte to a Jasmin provider's
    /// callback (its `meta` in the URL): it counts as delivered, and nothing is refused.
    @Test("the DLR body Jasmin posts for a UCS-2 message, recorded as received, counts when posted to the callback",
          .enabled(if: shouldRun, "needs a running Jasmin: source scripts/setup/jasmin.sh (rabbitmq-server, redis-server, PyPI jasmin)"),
          .timeLimit(.minutes(7)))
    func ucs2ReceiptBytes() async throws {
        let jasmin = try #require(Self.jasminURL, "SMSSTATS_TEST_JASMIN_URL is not set and CI=true: the Jasmin integration test must run in CI (scripts/setup/jasmin.sh)")
        try await Self.waitReady()
        let bodies = RecordedBodies()
        let router = Router()
        router.post("dlr") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 20)
            bodies.list.withLock { $0.append(Array(body.readableBytesView)) }
            return JasminCallback.acknowledgement
        }
        let recorder = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let text = "Grüße 😀 aus Jasmin"
        let hex = text.utf16.map { String(format: "%04X", UInt32($0)) }.joined()
        let recorded: [UInt8]
        do {
            recorded = try await recorder.test(.live) { client -> [UInt8] in
                let port = try #require(client.port)
                let form = "username=smsstats&password=jasminpw&to=%2B4915550001005&from=12345&coding=8&hex-content=\(hex)"
                    + "&dlr=yes&dlr-url=http%3A%2F%2F127.0.0.1%3A\(port)%2Fdlr&dlr-level=2&dlr-method=POST"
                var request = HTTPClientRequest(url: jasmin + "/send")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
                let answer = try await http.execute(request, timeout: .seconds(30))
                let answerText = String(buffer: try await answer.body.collect(upTo: 1 << 16))
                #expect(answer.status == .ok, "\(answerText)")
                #expect(answerText.hasPrefix("Success \""), "\(answerText)")
                for _ in 0..<300 {
                    if let body = bodies.list.withLock({ $0.first(where: { String(decoding: $0, as: UTF8.self).contains("message_status=DELIVRD") }) }) {
                        return body
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return []
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        try #require(!recorded.isEmpty, "no DELIVRD DLR reached the recorder within 30 s")
        // What Jasmin wrote (bytes that are not printable escaped), for the offline test (JasminUCS2ReceiptRouteTests).
        print("jasmin ucs-2 DLR body: \(RawBytes.escaped(recorded))")
        let fields = Dictionary(FormFields.pairs(String(decoding: recorded, as: UTF8.self)), uniquingKeysWith: { a, _ in a })
        #expect(fields["message_status"] == "DELIVRD")
        #expect(fields["level"] == "2")
        // Jasmin decodes the receipt's octets as UTF-8 dropping what does not decode (its
        // isDeliveryReceipt): the UTF-16BE zeros stay, as %00.
        let textBytes = Array((fields["text"] ?? "").utf8)
        #expect(textBytes.first == 0 && textBytes.contains(UInt8(ascii: "G")), "\(RawBytes.escaped(textBytes))")

        // The same bytes to a Jasmin provider's callback, the message named by the URL's meta.
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1"])
        try await app.sent("m1")
        try await app.test { client async throws in
            let r = try await client.execute(
                uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&meta=m1", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(bytes: recorded))
            #expect(r.status == .ok)
            #expect(r.text == JasminCallback.acknowledgement)
        }
        #expect(try await app.stats().delivered == 1)
        #expect(try await app.store.ingestionErrors(limit: 10).isEmpty)
    }
}
