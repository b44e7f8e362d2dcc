import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSGatewayHTTP
import SMSStoreSQLite
import SMSTemplating
import SMSWeb
import Testing

/// `/metrics` after a dispatch, redirects, a callback and an event batch: the domain counters
/// (README "Metrics") with the values this traffic must give. The app has its own registry
/// (``AppMetrics/init(registry:)``), so tests running at the same time do not change the counts.
@Suite("Domain metrics at /metrics")
struct DomainMetricsTests {
    static let token = "metrics-admin-token"
    static let secret = "metrics-cb-secret"

    /// The text format's samples: `name{labels}` → value (comments skipped).
    static func samples(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }

    @Test("dispatch 5 recipients, 5 redirects, 3 callbacks, an event batch: every counter line has its value")
    func countersAfterTraffic() async throws {
        // The provider: the first request is answered 503 (retried), the next 400 (final), then 200.
        let replies: [ScriptedProvider.Reply] = [
            .init(status: .serviceUnavailable), .init(status: .badRequest), .init(status: .ok, body: #"{"id":"x"}"#),
        ]
        try await ScriptedProvider.serve(replies) { url, script in
            let metrics = AppMetrics()
            let store = try SQLiteStore.inMemory()
            var logger = Logger(label: "test.metrics")
            logger.logLevel = .critical
            let config = AppConfig(publicBaseURL: "https://sms.example", adminToken: Self.token, ipHashSalt: "salt")
            let gateway = HTTPProviderGateway(
                httpClient: .shared, retry: RetryPolicy(maxAttempts: 3, sleep: { _ in }, random: { 0.5 }), logger: logger,
                metrics: ProviderMetrics(factory: metrics.factory))
            let dispatcher = Dispatcher(
                store: store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: config.publicBaseURL), observer: metrics)
            try await store.insertProvider(
                ProviderConfig(
                    id: "p1", name: "P", url: url, bodyTemplate: #"{"to":"$$To","text":"$$Body","ref":"$$MessageID"}"#,
                    callbackSecret: Self.secret, createdAt: 0, maxConcurrency: 1))
            try await store.upsertProfiles([
                Profile(userId: "u1", phone: "+4915112345001", phoneValid: true),
                Profile(userId: "u2", phone: "+4915112345002", phoneValid: true),
                Profile(userId: "u3", phone: "+4915112345003", phoneValid: true, optedOut: true),
                Profile(userId: "u4", phone: nil, phoneValid: false),
                Profile(userId: "u5", phone: "12345", phoneValid: false),
            ])
            let now = Int64(Date().timeIntervalSince1970)
            let draft = CampaignDraft(
                name: "m", providerId: "p1", body: "Hi https://shop.example/p", audience: .userIds(["u1", "u2", "u3", "u4", "u5"]))
            try await store.insertCampaign(try draft.validated(id: "c1", providerExists: true, now: now - 10))
            // A link that expired long ago.
            try await store.insertMessages([
                NewMessage(
                    campaignId: "c1", userId: "u9", phone: "+4915112345009", meta: "m-old", body: "x", segments: 1,
                    dispatch: .control, createdAt: 1_600_000_000,
                    links: [NewShortLink(code: "EXPIRED001", linkIndex: 0, url: "https://old.example/", expiresAt: 1_600_086_400)])
            ])
            _ = try await dispatcher.publish(campaignId: "c1")
            #expect(try await dispatcher.runOnce() == 2)
            let bodies = await script.received.map(\.body)
            #expect(bodies.count == 3)
            let code = try #require(
                bodies.first.flatMap { $0.firstMatch(of: /l\\?\/([A-Za-z0-9]{10})/) }.map { String($0.1) })
            let meta = try #require(bodies.first.flatMap { $0.firstMatch(of: /"ref":"([^"]+)"/) }.map { String($0.1) })

            // The journal holds at most 2 records (no drainer): the third journaled hit falls back.
            var options = ClickJournal.Options()
            options.autoDrain = false
            options.maxBacklog = 2
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-journal-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: dir) }
            let journal = try await ClickJournal.open(directory: dir, store: store, options: options, logger: logger)
            let router = try await buildRouter(
                config: config, store: store, dispatcher: dispatcher, logger: logger, clickJournal: journal, metrics: metrics)
            let browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"
            let text = try await Application(router: router).test(.router) { client in
                let human = try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: browser])
                #expect(human.status == .found)
                let bot = try await client.execute(uri: "/l/\(code)", method: .head, headers: [.userAgent: browser])
                #expect(bot.status == .found)
                let fallback = try await client.execute(uri: "/l/\(code)", method: .get, headers: [.userAgent: browser])
                #expect(fallback.status == .found)
                let unknown = try await client.execute(uri: "/l/NOSUCHCODE", method: .get, headers: [.userAgent: browser])
                #expect(unknown.status == .notFound)
                let expired = try await client.execute(uri: "/l/EXPIRED001", method: .get, headers: [.userAgent: browser])
                #expect(expired.status == .notFound)

                // Callback: one delivered (applied), one unknown meta (pending), one without ts (invalid,
                // kept); then the same delivered again (duplicate).
                let ts = now
                let cb = #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts)},{"meta":"nobody","ts":\#(ts)},{"meta":"\#(meta)"}]}]"#
                let path = "/callbacks/p1?secret=\(Self.secret)"
                let first = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: cb))
                #expect(first.status == .badRequest)
                let again = #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts)}]}]"#
                let second = try await client.execute(
                    uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: again))
                #expect(second.status == .ok)
                // A GET to the JSON-only generic dialect, authenticated: 405, kept as an invalid item.
                let wrongMethod = try await client.execute(uri: path, method: .get)
                #expect(wrongMethod.status == .methodNotAllowed)

                // Events: 2 new, 1 repeated id, 1 without a name.
                let events = """
                    [{"eventId":"e1","userId":"u1","name":"purchase","ts":\(ts)},
                     {"eventId":"e2","userId":"u2","name":"purchase","ts":\(ts)},
                     {"eventId":"e1","userId":"u1","name":"purchase","ts":\(ts)},
                     {"eventId":"e3","userId":"u1","ts":\(ts)}]
                    """
                let ev = try await client.execute(
                    uri: "/api/v1/events", method: .post,
                    headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"], body: ByteBuffer(string: events))
                #expect(ev.status == .badRequest)
                #expect(String(buffer: ev.body).contains(#""stored":2"#))

                let m = try await client.execute(uri: "/metrics", method: .get)
                #expect(m.status == .ok)
                return String(buffer: m.body)
            }
            await journal.close()
            let s = Self.samples(text)
            let expected: [String: Double] = [
                #"smsstats_messages_dispatched_total{outcome="sent"}"#: 1,
                #"smsstats_messages_dispatched_total{outcome="failed"}"#: 1,
                #"smsstats_messages_dispatched_total{outcome="opted_out"}"#: 1,
                #"smsstats_messages_dispatched_total{outcome="no_phone"}"#: 1,
                #"smsstats_messages_dispatched_total{outcome="invalid_phone"}"#: 1,
                #"smsstats_messages_dispatched_total{outcome="control"}"#: 0,
                #"smsstats_messages_dispatched_total{outcome="frequency_capped"}"#: 0,
                // 3 attempts: 503 (retried), 400 (final), 200.
                #"smsstats_provider_request_duration_seconds_count"#: 3,
                #"smsstats_provider_request_duration_seconds_bucket{le="+Inf"}"#: 3,
                #"smsstats_provider_http_errors_total{status_class="5xx"}"#: 1,
                #"smsstats_provider_http_errors_total{status_class="4xx"}"#: 1,
                #"smsstats_provider_http_errors_total{status_class="3xx"}"#: 0,
                #"smsstats_provider_transport_errors_total{reason="timeout"}"#: 0,
                #"smsstats_provider_transport_errors_total{reason="unreachable"}"#: 0,
                #"smsstats_provider_transport_errors_total{reason="connection_refused"}"#: 0,
                #"smsstats_redirect_hits_total{kind="human"}"#: 2,
                #"smsstats_redirect_hits_total{kind="bot"}"#: 1,
                #"smsstats_redirect_hits_total{kind="not_found"}"#: 1,
                #"smsstats_redirect_hits_total{kind="expired"}"#: 1,
                #"smsstats_click_journal_backlog_records"#: 2,
                #"smsstats_click_journal_fallbacks_total"#: 1,
                #"smsstats_callback_items_applied_total"#: 1,
                #"smsstats_callback_items_duplicate_total"#: 1,
                #"smsstats_callback_items_pending_total"#: 1,
                #"smsstats_callback_items_invalid_total"#: 2,
                #"smsstats_conversion_events_total{result="accepted"}"#: 2,
                #"smsstats_conversion_events_total{result="duplicate"}"#: 1,
                #"smsstats_conversion_events_total{result="invalid"}"#: 1,
                #"smsstats_ingestion_errors_total{source="callback"}"#: 2,
                #"smsstats_ingestion_errors_total{source="events"}"#: 1,
            ]
            for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(s[name] == value, "\(name): \(s[name].map { "\($0)" } ?? "missing")")
            }
            let sum = try #require(s["smsstats_provider_request_duration_seconds_sum"])
            #expect(sum > 0 && sum < 30)
            #expect(text.contains("# TYPE smsstats_redirect_hits_total counter\n"))
            #expect(text.contains("# TYPE smsstats_provider_request_duration_seconds histogram\n"))
            #expect(text.contains("# TYPE smsstats_click_journal_backlog_records gauge\n"))
        }
    }

    @Test("closed provider port: every attempt counted as connection_refused, and timed", .timeLimit(.minutes(1)))
    func connectionRefusedAttempts() async throws {
        let metrics = AppMetrics()
        try await GatewayClosedPortTests.withClient { client in
            let gateway = HTTPProviderGateway(
                httpClient: client, retry: RetryPolicy(maxAttempts: 2, sleep: { _ in }, random: { 0.5 }),
                logger: GatewayClosedPortTests.logger, metrics: ProviderMetrics(factory: metrics.factory))
            let results = await gateway.send(
                GatewayClosedPortTests.messages, via: GatewayClosedPortTests.provider(url: "http://127.0.0.1:9/send"))
            #expect(results.count == 2)
        }
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        let s = Self.samples(String(decoding: buffer, as: UTF8.self))
        // 2 messages (one request each) × 2 attempts.
        #expect(s[#"smsstats_provider_transport_errors_total{reason="connection_refused"}"#] == 4)
        #expect(s[#"smsstats_provider_transport_errors_total{reason="unreachable"}"#] == 0)
        #expect(s[#"smsstats_provider_request_duration_seconds_count"#] == 4)
        #expect(s[#"smsstats_provider_http_errors_total{status_class="5xx"}"#] == 0)
    }

    @Test("status class of a provider answer", arguments: [
        (100, "1xx"), (302, "3xx"), (400, "4xx"), (429, "4xx"), (499, "4xx"), (500, "5xx"), (599, "5xx"),
    ])
    func statusClass(_ status: Int, _ label: String) {
        #expect(ProviderMetrics.statusClassLabel(status) == label)
    }

    @Test("no status class for 2xx and for values outside 100–599", arguments: [200, 204, 299, 99, 600, 0, -1])
    func noStatusClass(_ status: Int) {
        #expect(ProviderMetrics.statusClassLabel(status) == nil)
    }
}
