import Foundation

/// An outbound webhook subscription (issue 17): where events go, which types, optionally only one
/// campaign's, and the Standard Webhooks signing secret (``WebhookSecret``). Times are **epoch
/// seconds**.
///
/// The one rule of which events a subscription receives is ``accepts(_:campaignId:)``.
public struct WebhookSubscription: Sendable, Equatable {
    public var id: Int64
    public var definition: Definition
    /// `whsec_<base64>`: shown once, in the creation's answer; never again, never logged.
    public var secret: String
    /// Why deliveries stopped when the store disabled it (a receiver's 410), else `nil`.
    public var disabledReason: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: Int64, definition: Definition, secret: String, disabledReason: String? = nil, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.definition = definition
        self.secret = secret
        self.disabledReason = disabledReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether an event of `type` about campaign `campaignId` (`nil`: an event of no campaign,
    /// such as an opt-out by a reply to no known message) goes to this subscription: it is
    /// enabled, lists the type, and has no campaign filter or the event's campaign.
    public func accepts(_ type: WebhookEventType, campaignId: String?) -> Bool {
        definition.enabled && definition.events.contains(type)
            && (definition.campaignId == nil || definition.campaignId == campaignId)
    }

    /// The user-written part: `{"url", "events", "campaignId", "enabled"}`.
    public struct Definition: Sendable, Equatable, Codable {
        /// An absolute `http` or `https` URL.
        public var url: String
        /// At least one type, each once, in the order given.
        public var events: [WebhookEventType]
        /// Only this campaign's events; `nil`: every campaign's.
        public var campaignId: String?
        /// `false` pauses deliveries (events are still queued); a receiver's 410 sets it.
        public var enabled: Bool

        public init(url: String, events: [WebhookEventType], campaignId: String? = nil, enabled: Bool = true) {
            self.url = url
            self.events = events
            self.campaignId = campaignId
            self.enabled = enabled
        }
    }
}
