import Foundation

/// Which webhook events a change to a message produces (issue 17): the one rule; the stores write
/// what it returns into the outbox in the transaction of the change. Times are **epoch seconds**.
///
/// From the state change `old` → `new` (``MessageState``, merged facts, `docs/DOMAIN.md` §4):
/// - `message.sent` when the message becomes sent (the provider accepted it), at its dispatch time;
/// - `message.delivered` when it first gets a delivery time, at that time;
/// - `message.failed` when it first gets a failure receipt (at the failure's time) or becomes a
///   dispatch error (at the dispatch time): either way it did not reach the phone;
///
/// and from the fact itself (each stored once, deduplicated before it gets here):
/// - `message.clicked` for every human click (bots never; the message log item's `clicks` counts them);
/// - `message.replied` for every reply, plus `profile.opted_out` / `profile.opted_in` when the
///   reply's keyword is a STOP / START (``OptOutKeywords``).
///
/// A campaign produces `campaign.completed` (``events(campaign:becomes:)``); a user's conversion in
/// a campaign produces `conversion` when it becomes converted (``events(conversion:becomes:at:)``).
///
/// A state change that goes back never happens (merging only adds), so each transition event is
/// produced once per message, whatever order the facts come in.
public enum WebhookEventRule {
    /// One produced event: its type and when it happened.
    public struct Produced: Sendable, Equatable {
        public var type: WebhookEventType
        public var at: Int64
        public init(_ type: WebhookEventType, at: Int64) {
            self.type = type
            self.at = at
        }
    }

    /// The events of a change; `fact`: the fact merged (`nil` for receipts merged in a batch, whose
    /// events all follow from the state change).
    public static func events(fact: MessagePlanner.Fact?, old: MessageState, new: MessageState) -> [Produced] {
        var out: [Produced] = []
        if old.dispatch != .sent, new.dispatch == .sent {
            out.append(Produced(.messageSent, at: new.dispatchedAt ?? new.firstEventAt ?? 0))
        }
        if old.deliveredAt == nil, let at = new.deliveredAt { out.append(Produced(.messageDelivered, at: at)) }
        if old.failure == nil, let failure = new.failure {
            out.append(Produced(.messageFailed, at: failure.at))
        } else if old.dispatch != .dispatchError, new.dispatch == .dispatchError {
            out.append(Produced(.messageFailed, at: new.dispatchedAt ?? 0))
        }
        switch fact {
        case .humanClick(_, let at, _)?: out.append(Produced(.messageClicked, at: at))
        case .reply(let at, let intent, _)?:
            out.append(Produced(.messageReplied, at: at))
            switch intent {
            case .optOut?: out.append(Produced(.profileOptedOut, at: at))
            case .optIn?: out.append(Produced(.profileOptedIn, at: at))
            case nil: break
            }
        default: break
        }
        return out
    }

    /// The events of a campaign's change: `campaign.completed` when it becomes completed (every
    /// message handed to the provider or settled), at its completion time.
    public static func events(campaign old: Campaign, becomes new: Campaign) -> [Produced] {
        guard old.status != .completed, new.status == .completed else { return [] }
        return [Produced(.campaignCompleted, at: new.completedAt ?? 0)]
    }

    /// The events of a user's stored conversion in a campaign (``UserConversion``,
    /// `docs/DOMAIN.md` §5) changing from `old` to `new`: `conversion` when it becomes converted
    /// (the first qualifying event, or a re-attribution that finds one), at `at`, the time of the
    /// user's earliest qualifying event (the message log's `convertedAt`). A later qualifying
    /// event (more revenue) or a click that makes it click-through changes the stored conversion
    /// but produces no second `conversion`: one per user and campaign, unless a re-attribution
    /// takes the conversion back (the sent time moved) and a later one finds it again.
    public static func events(conversion old: UserConversion, becomes new: UserConversion, at: Int64) -> [Produced] {
        guard !old.converted, new.converted else { return [] }
        return [Produced(.conversion, at: at)]
    }

    /// The outbox entries of a message's change (``events(fact:old:new:)``) about that message.
    public static func entries(
        fact: MessagePlanner.Fact?, old: MessageState, new: MessageState, campaignId: String, messageId: Int64, userId: String
    ) -> [WebhookOutboxEntry] {
        events(fact: fact, old: old, new: new).map {
            WebhookOutboxEntry(type: $0.type, at: $0.at, campaignId: campaignId, messageId: messageId, userId: userId, payload: "{}")
        }
    }

    /// The outbox entries of the conversion change of a message's user in its campaign
    /// (``events(conversion:becomes:at:)``), with the conversion's fields as extra data
    /// (``WebhookPayload/conversion(_:)``).
    public static func entries(
        conversion old: UserConversion, becomes new: UserConversion, at: Int64, campaignId: String, messageId: Int64, userId: String
    ) -> [WebhookOutboxEntry] {
        events(conversion: old, becomes: new, at: at).map {
            WebhookOutboxEntry(
                type: $0.type, at: $0.at, campaignId: campaignId, messageId: messageId, userId: userId,
                payload: WebhookPayload.conversion(new))
        }
    }

    /// The outbox entries of a campaign's change (``events(campaign:becomes:)``), with the
    /// campaign's fields as extra data (``WebhookPayload/campaign(_:)``).
    public static func entries(campaign old: Campaign, becomes new: Campaign) -> [WebhookOutboxEntry] {
        events(campaign: old, becomes: new).map {
            WebhookOutboxEntry(type: $0.type, at: $0.at, campaignId: new.id, payload: WebhookPayload.campaign(new))
        }
    }
}

/// One event as a store writes it into the outbox (one row per subscription that takes it).
public struct WebhookOutboxEntry: Sendable, Equatable {
    public var type: WebhookEventType
    /// When it happened, epoch seconds.
    public var at: Int64
    public var campaignId: String?
    public var messageId: Int64?
    /// Kept so that an erasure can replace it (``ProfileErasure``).
    public var userId: String?
    /// Extra `data` fields as JSON text (`{}` for message events).
    public var payload: String

    public init(type: WebhookEventType, at: Int64, campaignId: String?, messageId: Int64? = nil, userId: String? = nil, payload: String) {
        self.type = type
        self.at = at
        self.campaignId = campaignId
        self.messageId = messageId
        self.userId = userId
        self.payload = payload
    }
}
