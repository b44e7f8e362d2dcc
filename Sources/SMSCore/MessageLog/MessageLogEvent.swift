import Foundation

/// One event of a message's history (`GET /api/v1/messages/{meta}`, issue 17), as the store has
/// it. Times are **epoch seconds**.
///
/// - `queued`: the message was recorded (its creation time).
/// - `sent` / `dispatch_error` / `control`: what the dispatcher recorded, at its dispatch time
///   (`dispatch_error` with the reason in `description`).
/// - `submitted` / `delivered` / `failed` / `clicked` / `replied`: a provider callback (DLR, click,
///   reply) at its effective event time (``EventTime``), with `receivedAt`, `code`, `description`.
/// - `click` / `bot_hit`: a redirect hit of one of the message's links (`linkIndex`), a bot's
///   with its `botReason`.
/// - `conversion`: one of the user's events of the campaign's goal; `attributed` when it counts
///   for this message (``ConversionAttribution/qualifies(_:goal:sentAt:)``).
public struct MessageLogEvent: Sendable, Equatable {
    public var type: String
    public var at: Int64
    public var receivedAt: Int64?
    public var providerId: String?
    public var code: String?
    public var description: String?
    public var linkIndex: Int?
    public var botReason: String?
    public var eventId: String?
    public var attributed: Bool?

    public init(
        type: String, at: Int64, receivedAt: Int64? = nil, providerId: String? = nil, code: String? = nil,
        description: String? = nil, linkIndex: Int? = nil, botReason: String? = nil, eventId: String? = nil,
        attributed: Bool? = nil
    ) {
        self.type = type
        self.at = at
        self.receivedAt = receivedAt
        self.providerId = providerId
        self.code = code
        self.description = description
        self.linkIndex = linkIndex
        self.botReason = botReason
        self.eventId = eventId
        self.attributed = attributed
    }

    /// The events the message row itself records: its creation and the dispatcher's answer.
    public static func recorded(createdAt: Int64, state: MessageState) -> [MessageLogEvent] {
        var out = [MessageLogEvent(type: "queued", at: createdAt)]
        switch state.dispatch {
        case .queued: break
        case .control: out.append(MessageLogEvent(type: "control", at: state.dispatchedAt ?? createdAt))
        case .sent:
            if let at = state.dispatchedAt { out.append(MessageLogEvent(type: "sent", at: at)) }
        case .dispatchError:
            out.append(
                MessageLogEvent(type: "dispatch_error", at: state.dispatchedAt ?? createdAt, description: state.dispatchErrorReason))
        }
        return out
    }

    /// A user's goal events as history entries, each marked whether it is attributed to the message.
    public static func conversions(goal: ConversionGoal, message: MessageState, events: [ConversionEventFact]) -> [MessageLogEvent] {
        let start = message.conversionWindowStart
        return events.map { e in
            MessageLogEvent(
                type: "conversion", at: e.ts, eventId: e.eventId,
                attributed: start.map { ConversionAttribution.qualifies(e, goal: goal, sentAt: $0) } ?? false)
        }
    }

    /// The history in event-time order; ties keep the order given (callers list the message's own
    /// records first, then callbacks, redirect hits and conversions, each in store order).
    public static func ordered(_ events: [MessageLogEvent]) -> [MessageLogEvent] {
        events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
