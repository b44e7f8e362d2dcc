import Foundation

/// One conversion event as attribution sees it. `ts` in **epoch seconds**.
public struct ConversionEventFact: Sendable, Equatable {
    public var eventId: String
    public var ts: Int64
    public var properties: [String: JSONValue]
    public init(eventId: String, ts: Int64, properties: [String: JSONValue]) {
        self.eventId = eventId
        self.ts = ts
        self.properties = properties
    }
}

/// A user's conversion in one campaign.
public struct UserConversion: Sendable, Equatable {
    /// Influenced (view-through): a qualifying event in (sent, sent + window].
    public var converted: Bool
    /// Click-through: a qualifying event preceded (same second included) by a human click in the window.
    public var clickThrough: Bool
    /// Sum of the revenue property over qualifying events, cents.
    public var revenueCents: Int64

    public init(converted: Bool = false, clickThrough: Bool = false, revenueCents: Int64 = 0) {
        self.converted = converted
        self.clickThrough = clickThrough
        self.revenueCents = revenueCents
    }

    /// The conversion over the union of two disjoint event sets (no event id in both), with the
    /// same sent time and clicks: converted and click-through are ORed, revenue adds. ``ConversionAttribution/evaluate(goal:sentAt:humanClicks:events:)``
    /// is a fold with this merge, so `evaluate(a ∪ b) == evaluate(a).merged(evaluate(b))`: a new
    /// event updates a stored conversion without re-reading the user's earlier events.
    public func merged(_ other: UserConversion) -> UserConversion {
        UserConversion(
            converted: converted || other.converted, clickThrough: clickThrough || other.clickThrough,
            revenueCents: revenueCents.saturatingAdding(other.revenueCents))
    }

    /// Rollup cells for this user; `control` selects the control-group metrics.
    public func contribution(control: Bool) -> RollupDelta {
        var d = RollupDelta()
        guard converted else { return d }
        if control {
            d.bump(.controlConvertedUsers)
            if revenueCents != 0 { d.bump(.controlRevenueCents, by: revenueCents) }
        } else {
            d.bump(.convertedUsers)
            if clickThrough { d.bump(.clickThroughUsers) }
            if revenueCents != 0 { d.bump(.revenueCents, by: revenueCents) }
        }
        return d
    }
}

/// Attribution of conversion events to a campaign (`docs/DOMAIN.md` §5). Pure: the result depends only
/// on the sets of events and clicks, never on their arrival order.
public enum ConversionAttribution {
    /// Evaluates one user.
    /// - Parameters:
    ///   - goal: the campaign's goal (the caller passes only events whose name equals `goal.event`).
    ///   - sentAt: the user's sent time (epoch seconds), or for a control-group member the time the
    ///     campaign would have sent; `nil` → not converted.
    ///   - humanClicks: times of the user's human clicks on this campaign's links (bots excluded).
    ///   - events: the user's events of the goal's name.
    public static func evaluate(
        goal: ConversionGoal, sentAt: Int64?, humanClicks: [Int64], events: [ConversionEventFact]
    ) -> UserConversion {
        guard let sentAt else { return UserConversion() }
        let windowEnd = self.windowEnd(goal: goal, sentAt: sentAt)
        let clickFloor = sentAt.saturatingSubtracting(300)
        var result = UserConversion()
        var seen = Set<String>()
        for e in events where qualifies(e, goal: goal, sentAt: sentAt) {
            guard seen.insert(e.eventId).inserted else { continue }
            result.converted = true
            result.revenueCents = result.revenueCents.saturatingAdding(goal.revenueCents(properties: e.properties))
            if humanClicks.contains(where: { $0 <= e.ts && $0 <= windowEnd && $0 >= clickFloor }) {
                result.clickThrough = true
            }
        }
        return result
    }

    /// The end of the conversion window (epoch seconds). Saturating: a goal stored with a huge
    /// window (before ``InputLimits/goalWindowMinutes``) ends at Int64.max instead of trapping.
    static func windowEnd(goal: ConversionGoal, sentAt: Int64) -> Int64 {
        sentAt.saturatingAdding(Int64(goal.windowMinutes).saturatingMultiplied(by: 60))
    }

    /// Whether an event of the goal's name qualifies: in (sent, sent + window] and matching the
    /// goal's property conditions (`docs/DOMAIN.md` §5).
    public static func qualifies(_ e: ConversionEventFact, goal: ConversionGoal, sentAt: Int64) -> Bool {
        e.ts > sentAt && e.ts <= windowEnd(goal: goal, sentAt: sentAt) && goal.matches(properties: e.properties)
    }

    /// The time (epoch seconds) of the user's earliest qualifying event for a message's window
    /// (``MessageState/conversionWindowStart``); `nil` when none qualifies: the message log's
    /// `convertedAt` (issue 17).
    public static func firstConversionAt(goal: ConversionGoal, message: MessageState, events: [ConversionEventFact]) -> Int64? {
        guard let sentAt = message.conversionWindowStart else { return nil }
        return events.filter { qualifies($0, goal: goal, sentAt: sentAt) }.map(\.ts).min()
    }

    /// Evaluates one user from their message's state: the window starts at
    /// ``MessageState/conversionWindowStart`` and the message's first human click makes a
    /// conversion click-through (the one place both are read from a message).
    public static func evaluate(goal: ConversionGoal, message: MessageState, events: [ConversionEventFact]) -> UserConversion {
        evaluate(
            goal: goal, sentAt: message.conversionWindowStart, humanClicks: message.firstHumanClickAt.map { [$0] } ?? [],
            events: events)
    }
}

extension UserConversion {
    /// The rollup change when a user's stored conversion `old` becomes `self`; `nil` when they are
    /// equal (nothing to write).
    public func change(from old: UserConversion, control: Bool) -> RollupDelta? {
        guard old != self else { return nil }
        var delta = contribution(control: control)
        delta.add(old.contribution(control: control), times: -1)
        return delta
    }
}
