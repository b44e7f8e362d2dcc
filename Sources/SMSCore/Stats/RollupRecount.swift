import Foundation

/// One callback event as kept in the event log (`message_events`).
public struct LoggedEvent: Sendable, Equatable {
    public var kind: CallbackEventKind
    /// Effective event time, epoch seconds (``EventTime``), as recorded at ingestion.
    public var at: Int64
    /// `failed`: the delivery error code as received. `replied`: the opt intent
    /// (``OptOutKeywords/Intent`` raw value, `"optOut"` / `"optIn"`) or `nil`.
    public var code: String?
    public var description: String?
    /// `clicked`: the clicked URL as the provider reported it.
    public var url: String?
    /// `clicked`: the provider's short URL, if it reported one.
    public var shortURL: String?
    /// The provider's own event time as received (epoch seconds), if it sent one: with
    /// `receivedAt`, what the effective time is taken again from (``MessageHistory``, `retime`).
    public var ts: Int64?
    /// When the callback was received, epoch seconds.
    public var receivedAt: Int64?

    public init(
        kind: CallbackEventKind, at: Int64, code: String? = nil, description: String? = nil, url: String? = nil,
        shortURL: String? = nil, ts: Int64? = nil, receivedAt: Int64? = nil
    ) {
        self.kind = kind
        self.at = at
        self.code = code
        self.description = description
        self.url = url
        self.shortURL = shortURL
        self.ts = ts
        self.receivedAt = receivedAt
    }
}

/// One hit on a message's short link as kept in `clicks`.
public struct LoggedClick: Sendable, Equatable {
    /// The campaign link number of the short link.
    public var linkIndex: Int
    /// Epoch seconds.
    public var at: Int64
    /// A bot or link-preview hit: counted apart, never a click.
    public var isBot: Bool

    public init(linkIndex: Int, at: Int64, isBot: Bool) {
        self.linkIndex = linkIndex
        self.at = at
        self.isBot = isBot
    }
}

/// Everything stored about one message that its rollup contribution derives from.
public struct RecountInput: Sendable {
    public var variant: Int
    public var segments: Int
    /// The dispatcher's record (the only state columns dispatch facts write): status, time of the
    /// send attempt (epoch seconds), dispatch-error reason.
    public var dispatch: DispatchStatus
    public var dispatchedAt: Int64?
    public var dispatchErrorReason: String?
    /// The message's callback events (duplicates already dropped by their dedup key).
    public var events: [LoggedEvent]
    /// Hits on the message's short links.
    public var clicks: [LoggedClick]
    /// Link numbers the message has a short link for (unique clicks are counted per short link).
    public var shortLinkIndices: Set<Int>
    /// The message's short links, code → link number: a provider-reported click on one of them
    /// counts for its link (``ShortCode/providerClickLink(url:shortURL:campaignLinks:shortLinks:)``).
    public var shortLinkCodes: [String: Int] = [:]
    /// The user's conversion events whose name is the campaign goal's event.
    public var conversionEvents: [ConversionEventFact]

    public init(
        variant: Int = 0, segments: Int, dispatch: DispatchStatus, dispatchedAt: Int64?, dispatchErrorReason: String?,
        events: [LoggedEvent] = [], clicks: [LoggedClick] = [], shortLinkIndices: Set<Int> = [],
        conversionEvents: [ConversionEventFact] = []
    ) {
        self.variant = variant
        self.segments = segments
        self.dispatch = dispatch
        self.dispatchedAt = dispatchedAt
        self.dispatchErrorReason = dispatchErrorReason
        self.events = events
        self.clicks = clicks
        self.shortLinkIndices = shortLinkIndices
        self.conversionEvents = conversionEvents
    }
}

/// What a recount derives for one message.
public struct RecountResult: Sendable, Equatable {
    /// The message state re-derived from its dispatch record and events.
    public var state: MessageState
    /// Every rollup cell the message accounts for: its ``MessageContribution``, its clicks
    /// (total, per link, unique per short link), bot hits, replies, opt-outs and conversion.
    public var delta: RollupDelta
    /// The user's conversion for the campaign (all false without a goal).
    public var conversion: UserConversion
    /// Human clicks per link number that has a short link (the `short_links.human_clicks` column).
    public var humanClicksByLink: [Int: Int64]
    /// Provider descriptions of this message's failure codes (see ``RollupRecount/describedFailure(code:description:)``),
    /// the smallest description per code.
    public var failureDescriptions: [String: String]
}

/// Recounts one message's rollup cells from its raw records: the pure part of `smsstats
/// reconcile` (`docs/DOMAIN.md` §4, §6). Built from the functions the write paths call: the
/// history is folded fact by fact through ``MessagePlanner`` (``MessageHistory``), the state's
/// cells are ``MessageContribution``, the conversion ``ConversionAttribution``, so for consistent
/// data the sum of recounts over a campaign's messages equals its rollups.
public enum RollupRecount {
    /// Recounts one message.
    /// - Parameters:
    ///   - input: the message's stored dispatch record, events, clicks and conversion events.
    ///   - links: the campaign's links (a provider-reported click counts for the link with the same
    ///     URL, else under link number -1).
    ///   - goal: the campaign's conversion goal, if any.
    public static func recount(_ input: RecountInput, links: [String], goal: ConversionGoal?) -> RecountResult {
        let replay = MessageHistory.replay(input, links: links)
        var delta = replay.cells
        delta.add(MessageContribution.of(replay.state, segments: input.segments))
        var conversion = UserConversion()
        if let goal {
            conversion = ConversionAttribution.evaluate(goal: goal, message: replay.state, events: input.conversionEvents)
            delta.add(conversion.contribution(control: replay.state.dispatch == .control))
        }
        return RecountResult(
            state: replay.state, delta: delta, conversion: conversion, humanClicksByLink: replay.humanClicksByLink,
            failureDescriptions: replay.failureDescriptions)
    }

    /// The smaller of two descriptions by UTF-8 byte order (SQLite's `MIN` under BINARY collation).
    public static func smaller(_ a: String?, _ b: String) -> String {
        guard let a else { return b }
        return b.utf8.lexicographicallyPrecedes(a.utf8) ? b : a
    }

    /// The (code, description) pair a failed receipt contributes to the Errors tab's provider
    /// descriptions, or `nil` when it has no code or no description (blank counts as none). The
    /// code is kept as received (it is the rollup dimension); the description is trimmed. Among
    /// several descriptions for one code the smallest (by UTF-8 byte order) is kept, so the choice
    /// does not depend on arrival order.
    public static func describedFailure(code: String?, description: String?) -> (code: String, description: String)? {
        guard let code, !code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            let text = description?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else { return nil }
        return (code, text)
    }
}
