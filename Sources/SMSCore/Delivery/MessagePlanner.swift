import Foundation

/// Everything that must change when one fact about a stored message arrives: the pure half of
/// every store write path (callbacks, redirect clicks, dispatch results, the pending re-match) and
/// of the recount (``MessageHistory``, ``RollupRecount``). A store reads what ``plan(_:segments:fact:)``
/// needs (the message's state and segment count, and for a click or reply what only other rows
/// know: whether it is the link's first human click, the message's first opt-out), calls it, and
/// writes what the returned ``MessagePlan`` says (`docs/DOMAIN.md` §4, §6).
public enum MessagePlanner {
    /// One fact about a message, with what the store knows about it from other rows. Times are
    /// **epoch seconds**, already effective (``EventTime``).
    public enum Fact: Sendable, Equatable {
        /// The provider answered 2xx at `at`.
        case dispatched(at: Int64)
        /// Not sent: ineligible recipient, or the provider refused after the retry policy.
        case dispatchFailed(reason: String, at: Int64)
        /// A delivery receipt: `kind` is `submitted`, `delivered` or `failed`.
        case receipt(kind: CallbackEventKind, at: Int64, code: String?, description: String?)
        /// A human click on link number `linkIndex` (ours through the redirect, or provider-reported;
        /// -1: a provider-reported URL that is none of the campaign's links). `firstOnLink`: no
        /// earlier human click on this message's short link for that link number.
        case humanClick(linkIndex: Int, at: Int64, firstOnLink: Bool)
        /// A bot or link-preview hit on link number `linkIndex`: counted apart, never a click.
        case botHit(linkIndex: Int)
        /// An inbound reply. `intent`: its opt-out / opt-in keyword (``OptOutKeywords``), if any;
        /// `firstOptOut`: no opt-out reply of this message was stored before this one.
        case reply(at: Int64, intent: OptOutKeywords.Intent?, firstOptOut: Bool)

        /// The same fact at another effective time (the history replay re-times logged events).
        func at(_ t: Int64) -> Fact {
            switch self {
            case .dispatched: return .dispatched(at: t)
            case .dispatchFailed(let r, _): return .dispatchFailed(reason: r, at: t)
            case .receipt(let k, _, let c, let d): return .receipt(kind: k, at: t, code: c, description: d)
            case .humanClick(let l, _, let f): return .humanClick(linkIndex: l, at: t, firstOnLink: f)
            case .botHit: return self
            case .reply(_, let i, let f): return .reply(at: t, intent: i, firstOptOut: f)
            }
        }
    }

    /// Plans one fact.
    /// - Parameters:
    ///   - state: the message's stored state.
    ///   - segments: its segment count (the `sent_segments` cell, ``MessageContribution``).
    ///   - fact: the fact.
    /// - Returns: the plan; when ``MessagePlan/replaysHistory`` is set the caller replays the
    ///   message's history (``MessageHistory/replay(_:)``) and finishes with ``MessagePlan/replayed(_:)``.
    public static func plan(_ state: MessageState, segments: Int, fact: Fact) -> MessagePlan {
        var plan = MessagePlan(old: state, new: state, segments: segments)
        switch fact {
        case .dispatched(let at):
            plan.new.apply(.dispatched(at: at))
        case .dispatchFailed(let reason, let at):
            plan.new.apply(.dispatchFailed(reason: reason, at: at))
        case .receipt(let kind, let at, let code, let description):
            plan.new.apply(.receipt(kind: kind, at: at, code: code, description: description))
            if kind == .failed { plan.failureDescription = RollupRecount.describedFailure(code: code, description: description) }
        case .humanClick(let link, let at, let first):
            plan.eventCells.bump(.clicks, at: at)
            plan.eventCells.bump(.linkClicks, dim: String(link))
            if first { plan.eventCells.bump(.linkUniqueClicks, dim: String(link)) }
            plan.new.apply(.humanClick(at: at))
        case .botHit(let link):
            plan.eventCells.bump(.botHits)
            plan.eventCells.bump(.linkBotHits, dim: String(link))
        case .reply(let at, let intent, let firstOptOut):
            plan.eventCells.bump(.replies, at: at)
            // An opt-out counts once per message, however often the user repeats STOP.
            if intent == .optOut && firstOptOut { plan.eventCells.bump(.optOuts) }
            plan.optOutIntent = intent
            plan.new.apply(.seen(at: at))
        }
        // Events merged before the send time was known were timed against the upper bound only:
        // their effective times depend on the send time (`docs/DOMAIN.md` §4, PITFALLS.md #1).
        plan.replaysHistory = state.firstEventAt != nil && plan.new.dispatchedAt != state.dispatchedAt
        return plan
    }

    /// Whether the user's conversion for the campaign must be re-attributed when a message goes
    /// from `old` to `new`: its sent time or first human click moved (`docs/DOMAIN.md` §5).
    public static func refreshesConversion(from old: MessageState, to new: MessageState) -> Bool {
        old.conversionWindowStart != new.conversionWindowStart || old.firstHumanClickAt != new.firstHumanClickAt
    }
}

/// What one fact changes (``MessagePlanner/plan(_:segments:fact:)``).
public struct MessagePlan: Sendable, Equatable {
    /// The stored state.
    public var old: MessageState
    /// The state to store.
    public var new: MessageState
    /// The message's segment count (what its contribution depends on besides the state).
    public var segments: Int
    /// The cells the fact itself adds, whatever the state: clicks (total, time bucket, per link,
    /// unique per short link), bot hits, replies, opt-outs; after a replay also the moved trend
    /// cells of re-timed events. The state change's cells are ``contributionChange``.
    public var eventCells = RollupDelta()
    /// A provider description to keep for the Errors tab (code as received, description trimmed),
    /// or `nil` (``RollupRecount/describedFailure(code:description:)``).
    public var failureDescription: (code: String, description: String)?
    /// A reply carried an opt-out / opt-in keyword: the user's opt-out flag must be set from their
    /// latest keyword reply (``OptOutKeywords/latest(_:)``).
    public var optOutIntent: OptOutKeywords.Intent?
    /// The message's history must be replayed (``MessageHistory/replay(_:)``) before the plan is
    /// final: the send time moved under events merged earlier.
    public var replaysHistory = false

    public init(old: MessageState, new: MessageState, segments: Int) {
        self.old = old
        self.new = new
        self.segments = segments
    }

    /// Whether the message row must be written.
    public var changesState: Bool { old != new }

    /// Whether the user's conversion must be re-attributed, from ``conversionWindowStart``.
    public var refreshesConversion: Bool { MessagePlanner.refreshesConversion(from: old, to: new) }

    /// The window start to re-attribute from (``MessageState/conversionWindowStart``), when
    /// ``refreshesConversion``.
    public var conversionWindowStart: Int64? { new.conversionWindowStart }

    /// `contribution(new) − contribution(old)` (``MessageContribution``); stores sum it cell by
    /// cell with `forEachCell` instead of building it.
    public var contributionChange: RollupDelta {
        changesState ? MessageContribution.delta(from: old, to: new, segments: segments) : [:]
    }

    /// The whole rollup change: ``eventCells`` plus ``contributionChange``.
    public var delta: RollupDelta {
        var d = eventCells
        d.add(contributionChange)
        return d
    }

    /// The plan finished with a replay of the message's history: its state is the replay's, and
    /// the trend cells of re-timed events move.
    public func replayed(_ replay: MessageHistory.Replay) -> MessagePlan {
        var p = self
        p.new = replay.state
        p.eventCells.add(replay.movedCells)
        p.replaysHistory = false
        return p
    }

    public static func == (a: MessagePlan, b: MessagePlan) -> Bool {
        a.old == b.old && a.new == b.new && a.segments == b.segments && a.eventCells == b.eventCells
            && a.failureDescription?.code == b.failureDescription?.code
            && a.failureDescription?.description == b.failureDescription?.description
            && a.optOutIntent == b.optOutIntent && a.replaysHistory == b.replaysHistory
    }
}

extension MessageState {
    /// Where the message's conversion window starts (`docs/DOMAIN.md` §5): its sent time, or for a
    /// control-group member (never sent) the time the campaign would have sent it.
    public var conversionWindowStart: Int64? { dispatch == .control ? dispatchedAt : sentAt }
}
