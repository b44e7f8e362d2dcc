import Foundation

/// How an outbox event reaches its subscriptions (issue 17, `docs/ARCHITECTURE.md` "Webhooks"):
/// the state change writes **one** event row (subscription 0, status `event`) in its
/// transaction; the delivery worker, when it leases, fans each event out to every enabled
/// subscription that takes it (``WebhookSubscription/accepts(_:campaignId:)``), as that
/// subscription's own delivery row (attempts, retries, lease, status), and moves the
/// subscription's **fan-out position** past it. A subscription receives the events of changes
/// made after it was created (its position starts at the head of the outbox); a change in flight
/// at that instant may or may not reach it. A disabled one receives none of the events of the
/// time it was disabled: disabling fans out what it had not yet got, re-enabling starts again at
/// the head. A change of its filters applies to the events after it; the store fans out the
/// earlier ones first, by the filters they were written under (on PostgreSQL, those below the
/// fan-out horizon; `docs/ARCHITECTURE.md` "Webhooks (outbox and delivery)").
///
/// The rule of who receives an event stays ``WebhookSubscription/accepts(_:campaignId:)``; this
/// type applies it to a scanned run of events and to the counts of events not yet fanned out
/// (what the queue depth adds before the worker's next pass).
public enum WebhookFanout {
    /// Events scanned per subscription in one lease pass (each accepted one becomes a delivery row).
    public static let scanLimit = 2_000

    /// An event row as the fan-out scans it.
    public struct Scanned: Sendable, Equatable {
        /// The event row's id.
        public var rowId: Int64
        public var type: WebhookEventType
        public var campaignId: String?
        public init(rowId: Int64, type: WebhookEventType, campaignId: String?) {
            self.rowId = rowId
            self.type = type
            self.campaignId = campaignId
        }
    }

    /// The rows of `scanned` that `subscription` receives, in order.
    public static func accepted(_ scanned: [Scanned], by subscription: WebhookSubscription) -> [Int64] {
        var ids: [Int64] = []
        for e in scanned where subscription.accepts(e.type, campaignId: e.campaignId) { ids.append(e.rowId) }
        return ids
    }

    /// Events not yet fanned out, counted per (type, campaign): `count` events, the oldest queued
    /// at `oldestQueuedAt` (epoch seconds).
    public struct Group: Sendable, Equatable {
        public var type: WebhookEventType
        public var campaignId: String?
        public var count: Int64
        public var oldestQueuedAt: Int64
        public init(type: WebhookEventType, campaignId: String?, count: Int64, oldestQueuedAt: Int64) {
            self.type = type
            self.campaignId = campaignId
            self.count = count
            self.oldestQueuedAt = oldestQueuedAt
        }
    }

    /// How many of the not yet fanned-out `groups` `subscription` receives, and the oldest one's
    /// queue time (`nil` when none).
    public static func waiting(_ groups: [Group], for subscription: WebhookSubscription) -> (count: Int64, oldestQueuedAt: Int64?) {
        var count: Int64 = 0
        var oldest: Int64?
        for g in groups where subscription.accepts(g.type, campaignId: g.campaignId) {
            count += g.count
            oldest = min(oldest ?? g.oldestQueuedAt, g.oldestQueuedAt)
        }
        return (count, oldest)
    }

    /// Whether any of `routes` (enabled subscriptions) takes an event of `type` about `campaignId`:
    /// the writer queues the event only then.
    public static func anyTakes(_ routes: [WebhookSubscription], type: WebhookEventType, campaignId: String?) -> Bool {
        routes.contains { $0.accepts(type, campaignId: campaignId) }
    }
}
