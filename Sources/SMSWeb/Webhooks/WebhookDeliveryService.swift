import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SMSCore
import ServiceLifecycle

/// Delivers the webhook outbox (issue 17), a service of `serve`: every ``interval`` (when any
/// subscription is enabled) it leases due events (``WebhookOutboxStore/leaseWebhookEvents(holder:now:leaseSeconds:batchSize:subscriptions:)``,
/// up to ``batchSize`` per subscription, several nodes safely: leases, and `FOR UPDATE SKIP LOCKED`
/// on PostgreSQL), POSTs each subscription's batch as one signed request (``WebhookSigner``,
/// ``WebhookEventBody``), and records the outcome: a 2xx delivers the batch; anything else (or no
/// answer within ``requestTimeoutSeconds``) schedules each event again by ``WebhookRetryPolicy``
/// (backoff with jitter, up to 24 h, then failed); a 410 also disables the subscription.
///
/// At least once: a crash between the receiver's 2xx and the recording sends the batch again
/// when its lease expires (``leaseSeconds``), with the same `webhook-id` and event ids. The secret
/// and the body are never logged.
public struct WebhookDeliveryService: Service {
    let store: any SMSDispatchStore
    let holder: String
    let logger: Logger
    let metrics: AppMetrics
    let policy: WebhookRetryPolicy
    let interval: Duration
    let batchSize: Int
    let client: HTTPClient
    /// How long a leased batch is this node's, seconds (longer than a request may take).
    static let leaseSeconds: Int64 = 60
    static let requestTimeoutSeconds: Int64 = 10
    /// Subscriptions served per pass (their requests run concurrently).
    static let subscriptionsPerPass = 16

    /// - Parameters:
    ///   - holder: this node's lease holder (``NodeIdentity/holder``).
    ///   - intervalMs: polling interval, milliseconds.
    ///   - batchSize: events per request, 1–1000 (N of the issue).
    public init(
        store: any SMSDispatchStore, holder: String, logger: Logger, metrics: AppMetrics = .shared,
        policy: WebhookRetryPolicy = WebhookRetryPolicy(), intervalMs: Int = 250, batchSize: Int = 100,
        client: HTTPClient = .shared
    ) {
        self.store = store
        self.holder = holder
        self.logger = logger
        self.metrics = metrics
        self.policy = policy
        self.interval = .milliseconds(intervalMs)
        self.batchSize = max(1, min(batchSize, 1_000))
        self.client = client
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let delivered = await step()
                if delivered == 0 { try? await Task.sleep(for: interval) }
            }
        }
    }

    /// One pass: lease, deliver concurrently, record. - Returns: the number of batches sent.
    ///
    /// With no enabled subscription (``WebhookOutboxStore/hasEnabledWebhooks()``, answered by the
    /// stores' route cache: one read every ``WebhookRouteCache/ttlSeconds`` at most) the pass is
    /// skipped: no gauge query and no lease transaction (on SQLite that would take the single
    /// writer every ``interval`` on every node). The gauges then read 0, as they would.
    @discardableResult
    public func step() async -> Int {
        let now = Int64(Date().timeIntervalSince1970)
        do {
            guard try await store.hasEnabledWebhooks() else {
                metrics.webhookOutboxDepth.record(0)
                metrics.webhookOldestAge.record(0)
                return 0
            }
            let (depth, oldest) = try await store.webhookOutboxDepth(now: now)
            metrics.webhookOutboxDepth.record(depth)
            metrics.webhookOldestAge.record(oldest ?? 0)
            let batches = try await store.leaseWebhookEvents(
                holder: holder, now: now, leaseSeconds: Self.leaseSeconds, batchSize: batchSize, subscriptions: Self.subscriptionsPerPass)
            await withTaskGroup(of: Void.self) { group in
                for batch in batches { group.addTask { await deliver(batch) } }
            }
            return batches.count
        } catch is CancellationError {
            return 0
        } catch {
            logger.error("webhook delivery pass failed", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Sends one batch and records what came of it.
    func deliver(_ batch: WebhookDeliveryBatch) async {
        let subscription = batch.subscription
        let started = ContinuousClock.now
        var status: Int?
        var failure: String?
        do {
            let messageIds = Array(Set(batch.events.compactMap { $0.meta == nil ? nil : $0.messageId }))
            let entries = try await store.messageLogEntries(messageIds: messageIds)
            let body = try WebhookEventBody.encode(batch.events, entries: Dictionary(entries.map { ($0.id, $0) }) { a, _ in a })
            let request = try Self.signedRequest(
                url: subscription.definition.url, secret: subscription.secret, id: batch.events[0].eventId,
                timestamp: Int64(Date().timeIntervalSince1970), body: body)
            let response = try await client.execute(request, timeout: .seconds(Self.requestTimeoutSeconds))
            status = Int(response.status.code)
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            failure = Self.describe(error)
        }
        let elapsed = ContinuousClock.now - started
        let latencyMs = elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let at = Int64(Date().timeIntervalSince1970)
        var result = WebhookDeliveryResult(status: status, error: failure, latencyMs: latencyMs, at: at)
        if !result.delivered {
            for e in batch.events {
                result.retries[e.rowId] = policy.nextAttempt(
                    afterFailed: e.attempts + 1, queuedAt: e.queuedAt, now: at, unit: Double.random(in: 0..<1))
            }
        }
        let label = result.delivered ? "delivered" : result.gone ? "gone" : status == nil ? "error" : "failed"
        metrics.webhookDeliveries[label]?.increment(by: Int64(batch.events.count))
        if !result.delivered {
            logger.warning(
                "webhook delivery failed",
                metadata: [
                    "subscription": "\(subscription.id)", "events": "\(batch.events.count)", "status": "\(status.map(String.init) ?? "none")",
                    "error": "\(failure ?? "")",
                ])
        }
        do {
            try await store.finishWebhookDelivery(batch, holder: holder, result: result)
        } catch {
            logger.error(
                "webhook delivery outcome not recorded; the batch is sent again when its lease expires",
                metadata: ["subscription": "\(subscription.id)", "error": "\(error)"])
        }
    }

    /// The signed POST of `body` to `url` (``WebhookSigner``: `webhook-id` is `id`, the batch's
    /// first event id). - Throws: ``DeliveryError/badSecret`` for a secret that is no `whsec_<base64>`.
    static func signedRequest(url: String, secret: String, id: String, timestamp: Int64, body: Data) throws -> HTTPClientRequest {
        guard let signature = WebhookSigner.signature(secret: secret, id: id, timestamp: timestamp, body: body) else {
            throw DeliveryError.badSecret
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "smsstats-webhooks")
        request.headers.add(name: "webhook-id", value: id)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signature)
        request.body = .bytes(ByteBuffer(data: body))
        return request
    }

    enum DeliveryError: Error, CustomStringConvertible {
        case badSecret
        var description: String { "the subscription's secret is no whsec_<base64> text" }
    }

    /// A short reason for `last_error` (never the URL's query, which may hold a token).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
