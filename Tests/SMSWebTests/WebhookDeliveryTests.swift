import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
import SMSTestSupport
@testable import SMSWeb
import Testing

/// A webhook receiver on a loopback port: answers each request with the status its mode says and
/// records what it got.
actor WebhookReceiver {
    struct Delivery: Sendable {
        var id: String
        var timestamp: String
        var signature: String
        var body: String
        var answered: Int
    }
    var status = 200
    private(set) var deliveries: [Delivery] = []

    func set(_ status: Int) { self.status = status }

    func record(_ d: Delivery) { deliveries.append(d) }

    /// The event ids of the requests answered 2xx, in order.
    var acceptedEventIds: [String] {
        deliveries.filter { (200..<300).contains($0.answered) }.flatMap { Self.events($0.body).compactMap { ($0["data"] as? [String: Any])?["eventId"] as? String } }
    }

    /// The events of a body: the object, or each of the array.
    static func events(_ body: String) -> [[String: Any]] {
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8))
        if let one = json as? [String: Any] { return [one] }
        return json as? [[String: Any]] ?? []
    }

    static func serve<T: Sendable>(_ body: @escaping @Sendable (_ url: String, _ receiver: WebhookReceiver) async throws -> T) async throws -> T {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 24)
            let status = await receiver.status
            await receiver.record(
                Delivery(
                    id: request.headers[HTTPField.Name("webhook-id")!] ?? "", timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                    signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "", body: String(buffer: bytes), answered: status))
            return Response(status: .init(code: status))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/hook", receiver) }
    }
}

/// Webhook delivery (issue 17) on SQLite and PostgreSQL against a live receiver: down (connection
/// refused), then 500s, then up: every event arrives exactly once by id in the requests it
/// accepted, batched (an object alone, an array of several), signed so that the Standard
/// Webhooks reference library (`standardwebhooks`, PyPI) verifies every request; a 410 disables
/// the subscription; past the retry horizon events are failed, listed and replayable.
@Suite("Webhooks: delivery against a live receiver")
struct WebhookDeliveryTests {
    static let t = StatsFixture.t

    static func service(_ store: any SMSDispatchStore, metrics: AppMetrics, policy: WebhookRetryPolicy, batchSize: Int = 5) -> WebhookDeliveryService {
        var logger = Logger(label: "test.webhooks")
        logger.logLevel = .critical
        return WebhookDeliveryService(store: store, holder: "n1@test", logger: logger, metrics: metrics, policy: policy, batchSize: batchSize)
    }

    /// Messages m0…m(n−1) sent and delivered: 2n events.
    static func history(_ f: StatsFixture, _ n: Int) async throws {
        try await f.sendMessages(n)
        for i in 0..<n { try await f.callback(.delivered, i, at: Self.t + 10 + Int64(i)) }
    }

    static func counter(_ metrics: AppMetrics, _ result: String) -> Int {
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        let line = String(decoding: buffer, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("smsstats_webhook_deliveries_total{result=\"\(result)\"}") }
        return line.flatMap { Int($0.split(separator: " ").last!) } ?? 0
    }

    /// Passes of `service` until `done` (60 s at most): on PostgreSQL an event is fanned out to
    /// the subscriptions once every older transaction of the server has ended
    /// (``WebhookFanout``), and other tests' transactions run meanwhile.
    static func step(_ service: WebhookDeliveryService, until done: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !done(), ContinuousClock.now < deadline {
            if await service.step() == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    @Test("down, then 500s, then up: every event exactly once by id; batches signed and verified by standardwebhooks", arguments: StoreKind.allCases)
    func downThenUp(kind: StoreKind) async throws {
        try await WebhookReceiver.serve { url, receiver in
            let f = try await StatsFixture(kind: kind)
            let store = f.store
            let metrics = AppMetrics()
            let secret = WebhookSecret.generate()
            let sub = try await store.insertWebhook(
                .init(url: "http://127.0.0.1:1/hook", events: [.messageSent, .messageDelivered]), secret: secret, at: Self.t)
            try await Self.history(f, 11)
            let queued = try await store.webhookEvents(subscriptionId: sub.id, status: "pending", limit: 100)
            #expect(queued.count == 22)
            let service = Self.service(store, metrics: metrics, policy: WebhookRetryPolicy(baseSeconds: 0, capSeconds: 0))

            // Down: connection refused.
            try await Self.step(service) { try await store.webhookDeliveryStats(id: sub.id).consecutiveFailures >= 2 }
            var stats = try await store.webhookDeliveryStats(id: sub.id)
            #expect(stats.lastStatus == nil)
            #expect(stats.lastError != nil)
            #expect(stats.deliveredEvents == 0)
            #expect(stats.queueDepth == 22)
            #expect(stats.consecutiveFailures >= 2)
            #expect(Self.counter(metrics, "error") >= 10)

            // Up, but answering 500.
            await receiver.set(500)
            var definition = sub.definition
            definition.url = url
            #expect(try await store.updateWebhook(id: sub.id, definition, at: Self.t))
            await service.step()
            stats = try await store.webhookDeliveryStats(id: sub.id)
            #expect(stats.lastStatus == 500)
            #expect(stats.queueDepth == 22)
            #expect(try await receiver.deliveries.count >= 1)

            // Recovered.
            await receiver.set(200)
            for _ in 0..<20 where try await store.webhookDeliveryStats(id: sub.id).queueDepth > 0 { await service.step() }
            stats = try await store.webhookDeliveryStats(id: sub.id)
            #expect(stats.queueDepth == 0)
            #expect(stats.deliveredEvents == 22)
            #expect(stats.lastStatus == 200)
            #expect(stats.consecutiveFailures == 0)
            #expect(stats.lastLatencyMs != nil)
            let accepted = await receiver.acceptedEventIds
            #expect(accepted.count == 22, "every event exactly once")
            #expect(Set(accepted) == Set(queued.map(\.eventId)))
            #expect(Self.counter(metrics, "delivered") == 22)
            #expect(try await store.webhookOutboxDepth(now: Self.t).depth == 0)

            // Shapes: at most 5 per request; an array of several, an object alone (22 = 4 × 5 + 2, then … ).
            let deliveries = await receiver.deliveries
            for d in deliveries {
                let events = WebhookReceiver.events(d.body)
                #expect((1...5).contains(events.count))
                #expect(d.body.hasPrefix(events.count == 1 ? "{" : "["))
                let first = try #require(events.first)
                #expect(d.id == (first["data"] as? [String: Any])?["eventId"] as? String, "webhook-id is the first event's id")
                for e in events {
                    let data = try #require(e["data"] as? [String: Any])
                    let type = try #require(e["type"] as? String)
                    #expect(["message.sent", "message.delivered"].contains(type))
                    #expect((data["meta"] as? String)?.hasPrefix("m") == true)
                    #expect(data["campaignId"] as? String == "c1")
                    #expect((data["phone"] as? String)?.contains("•") == true || (data["phone"] as? String)?.contains("*") == true, "masked: \(data["phone"] ?? "")")
                    #expect(data["version"] is Int)
                    let ts = try #require(e["timestamp"] as? String)
                    #expect(ts.hasSuffix("Z") && ts.count == 20)
                }
            }
            let deliveredOnes = deliveries.filter { $0.answered == 200 }.flatMap { WebhookReceiver.events($0.body) }
                .filter { $0["type"] as? String == "message.delivered" }
            #expect(deliveredOnes.allSatisfy { ($0["data"] as? [String: Any])?["outcome"] as? String == "delivered" })

            // Every request verifies with the reference library (a wrong secret does not).
            if ReferencePython.shouldRun {
                var items = deliveries.map { ["secret": secret, "id": $0.id, "timestamp": $0.timestamp, "signature": $0.signature, "body": $0.body] }
                items.append(["secret": WebhookSecret.generate(), "id": deliveries[0].id, "timestamp": deliveries[0].timestamp,
                              "signature": deliveries[0].signature, "body": deliveries[0].body])
                let file = NSTemporaryDirectory() + "smsstats-webhooks-\(UUID().uuidString).json"
                try JSONSerialization.data(withJSONObject: items).write(to: URL(fileURLWithPath: file))
                defer { try? FileManager.default.removeItem(atPath: file) }
                let out = String(decoding: try ReferencePython.run(script: "scripts/reference/standardwebhooks_verify.py", arguments: [file]), as: UTF8.self)
                let lines = out.split(separator: "\n").map(String.init)
                #expect(lines.count == deliveries.count + 1)
                #expect(lines.dropLast().allSatisfy { $0 == "ok" }, "\(out)")
                #expect(lines.last?.hasPrefix("bad") == true)
            }
            await f.testStore.close()
        }
    }

    @Test("a 410 disables the subscription; past the horizon events are failed, listed and replayed", arguments: StoreKind.allCases)
    func goneAndReplay(kind: StoreKind) async throws {
        try await WebhookReceiver.serve { url, receiver in
            let f = try await StatsFixture(kind: kind)
            let store = f.store
            let metrics = AppMetrics()
            let sub = try await store.insertWebhook(.init(url: url, events: [.messageSent]), secret: WebhookSecret.generate(), at: Self.t)
            try await f.sendMessages(3)
            await receiver.set(410)
            let service = Self.service(store, metrics: metrics, policy: WebhookRetryPolicy(baseSeconds: 0, capSeconds: 0))
            try await Self.step(service) { try await store.webhook(id: sub.id)?.definition.enabled == false }
            let gone = try #require(try await store.webhook(id: sub.id))
            #expect(gone.definition.enabled == false)
            #expect(gone.disabledReason?.contains("410") == true)
            #expect(try await store.webhookDeliveryStats(id: sub.id).queueDepth == 3)
            #expect(Self.counter(metrics, "gone") == 3)
            await service.step()
            #expect(await receiver.deliveries.count == 1, "a disabled subscription gets nothing")
            #expect(try await store.webhookOutboxDepth(now: Self.t).depth == 0, "the gauge counts enabled subscriptions")

            // Re-enabled, the receiver failing, and a horizon of 0 s: the events are given up.
            var definition = gone.definition
            definition.enabled = true
            #expect(try await store.updateWebhook(id: sub.id, definition, at: Self.t))
            #expect(try await store.webhook(id: sub.id)?.disabledReason == nil)
            await receiver.set(503)
            let impatient = Self.service(store, metrics: metrics, policy: WebhookRetryPolicy(baseSeconds: 1, capSeconds: 1, horizonSeconds: 0))
            await impatient.step()
            let failed = try await store.webhookEvents(subscriptionId: sub.id, status: "failed", limit: 10)
            #expect(failed.count == 3)
            #expect(failed.allSatisfy { $0.attempts == 2 && $0.lastError == "HTTP 503" })
            #expect(try await store.webhookDeliveryStats(id: sub.id).failedEvents == 3)
            await impatient.step()
            #expect(await receiver.deliveries.count == 2, "failed events are not sent again")

            #expect(try await store.replayWebhookEvents(subscriptionId: sub.id, now: Int64(Date().timeIntervalSince1970)) == 3)
            await receiver.set(204)
            await service.step()
            #expect(try await store.webhookDeliveryStats(id: sub.id).deliveredEvents == 3)
            #expect(Set(await receiver.acceptedEventIds) == Set(failed.map(\.eventId)))
            #expect(try await store.webhookEvents(subscriptionId: sub.id, status: "delivered", limit: 10).allSatisfy { $0.attempts == 1 && $0.deliveredAt != nil })
            await f.testStore.close()
        }
    }
}
