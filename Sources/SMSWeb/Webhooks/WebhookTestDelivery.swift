import AsyncHTTPClient
import Foundation
import SMSCore

/// The dashboard's "Send a test delivery" (issue 17): one request to a subscription's URL, signed
/// with its secret exactly as a real delivery (``WebhookDeliveryService/signedRequest(url:secret:id:timestamp:body:)``),
/// whose body is one event of type `webhook.test`:
/// `{"type": "webhook.test", "timestamp": "<RFC 3339>", "data": {"eventId", "subscriptionId", "note"}}`.
/// It goes around the outbox: nothing is queued, retried or counted in the subscription's stats.
/// The answer's status and up to ``answerLimit`` bytes of its body are shown; the secret never is.
struct WebhookTestDelivery {
    /// What the receiver answered, as the page shows it.
    struct Outcome: Sendable {
        var eventId: String
        var requestBody: String
        /// `nil` when no answer came (then `error` says why).
        var status: Int?
        var responseBody: String
        var error: String?
        var latencyMs: Int64
        /// A 2xx.
        var accepted: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    static let type = "webhook.test"
    static let answerLimit = 4_096

    /// The test event's body (JSON, keys sorted).
    static func body(eventId: String, subscriptionId: Int64, at: Int64) -> Data {
        let object: [String: Any] = [
            "type": type, "timestamp": WebhookPayload.rfc3339(at),
            "data": ["eventId": eventId, "subscriptionId": subscriptionId, "note": "test delivery from the SMSStats dashboard"] as [String: Any],
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Sends the test event to `subscription` (timeout ``WebhookDeliveryService/requestTimeoutSeconds``).
    static func send(_ subscription: WebhookSubscription, client: HTTPClient = .shared) async -> Outcome {
        let at = Int64(Date().timeIntervalSince1970)
        let eventId = WebhookPayload.newEventId()
        let body = Self.body(eventId: eventId, subscriptionId: subscription.id, at: at)
        var outcome = Outcome(
            eventId: eventId, requestBody: String(decoding: body, as: UTF8.self), status: nil, responseBody: "", error: nil, latencyMs: 0)
        let started = ContinuousClock.now
        do {
            let request = try WebhookDeliveryService.signedRequest(
                url: subscription.definition.url, secret: subscription.secret, id: eventId, timestamp: at, body: body)
            let response = try await client.execute(request, timeout: .seconds(WebhookDeliveryService.requestTimeoutSeconds))
            outcome.status = Int(response.status.code)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            outcome.responseBody = String(decoding: bytes.readableBytesView.prefix(answerLimit), as: UTF8.self)
        } catch {
            outcome.error = WebhookDeliveryService.describe(error)
        }
        let elapsed = ContinuousClock.now - started
        outcome.latencyMs = elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        return outcome
    }
}
