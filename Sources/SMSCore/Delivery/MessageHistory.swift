import Foundation

/// A message's state and event cells re-derived from its whole history, by folding every logged
/// event and every click through ``MessagePlanner/plan(_:segments:fact:)``: the same rules as the
/// write paths, fact by fact. Used by the stores when a send time moves under events merged
/// earlier (``MessagePlan/replaysHistory``) and by ``RollupRecount`` (`smsstats reconcile`).
public enum MessageHistory {
    /// What a replay derives.
    public struct Replay: Sendable, Equatable {
        /// The re-derived state.
        public var state: MessageState
        /// The cells the events themselves add (``MessagePlan/eventCells`` summed over the history).
        /// Exact only when the caller passed the campaign's links and the message's short links.
        public var cells: RollupDelta
        /// For a re-timed replay: the trend cells that move because an event's effective time
        /// changed (`cells` at the new times minus `cells` at the logged times).
        public var movedCells: RollupDelta
        /// For a re-timed replay: (position in `events`, new effective time) of every event whose
        /// logged effective time changed; the store writes them back.
        public var retimed: [(index: Int, at: Int64)]
        /// Human clicks per link number that has a short link (`short_links.human_clicks`).
        public var humanClicksByLink: [Int: Int64]
        /// Provider descriptions of the message's failure codes, the smallest per code
        /// (``RollupRecount/smaller(_:_:)``).
        public var failureDescriptions: [String: String]

        public static func == (a: Replay, b: Replay) -> Bool {
            a.state == b.state && a.cells == b.cells && a.movedCells == b.movedCells
                && a.retimed.map(\.index) == b.retimed.map(\.index) && a.retimed.map(\.at) == b.retimed.map(\.at)
                && a.humanClicksByLink == b.humanClicksByLink && a.failureDescriptions == b.failureDescriptions
        }
    }

    /// Replays one message.
    /// - Parameters:
    ///   - input: the dispatch record, the event log in log order, the clicks, the short links.
    ///   - links: the campaign's links (a provider-reported click counts for the link with the same
    ///     URL, else under link number -1).
    ///   - retime: take each event's effective time again against the dispatch record's send time
    ///     (``EventTime``; needs each event's `ts` and `receivedAt`), instead of its logged one.
    public static func replay(_ input: RecountInput, links: [String] = [], retime: Bool = false) -> Replay {
        var state = MessageState(
            dispatch: input.dispatch, dispatchedAt: input.dispatchedAt, dispatchErrorReason: input.dispatchErrorReason)
        var out = Replay(
            state: state, cells: [:], movedCells: [:], retimed: [], humanClicksByLink: [:], failureDescriptions: [:])
        var optedOut = false

        func humanClick(link: Int, at: Int64) -> MessagePlanner.Fact {
            var first = false
            if input.shortLinkIndices.contains(link) {
                first = out.humanClicksByLink[link, default: 0] == 0
                out.humanClicksByLink[link, default: 0] += 1
            }
            return .humanClick(linkIndex: link, at: at, firstOnLink: first)
        }

        func fold(_ fact: MessagePlanner.Fact) -> MessagePlan {
            let plan = MessagePlanner.plan(state, segments: input.segments, fact: fact)
            state = plan.new
            out.cells.add(plan.eventCells)
            if let d = plan.failureDescription {
                out.failureDescriptions[d.code] = RollupRecount.smaller(out.failureDescriptions[d.code], d.description)
            }
            return plan
        }

        for (index, e) in input.events.enumerated() {
            var at = e.at
            if retime, let receivedAt = e.receivedAt {
                at = EventTime.effective(providerTs: e.ts, sentAt: input.dispatchedAt, receivedAt: receivedAt)
            }
            let fact: MessagePlanner.Fact
            switch e.kind {
            case .submitted, .delivered, .failed:
                fact = .receipt(kind: e.kind, at: at, code: e.code, description: e.description)
            case .clicked:
                let link = ShortCode.providerClickLink(
                    url: e.url, shortURL: e.shortURL, campaignLinks: links, shortLinks: input.shortLinkCodes)
                fact = humanClick(link: link.index, at: at)
            case .replied:
                let intent = e.code.flatMap(OptOutKeywords.Intent.init(rawValue:))
                fact = .reply(at: at, intent: intent, firstOptOut: !optedOut)
                if intent == .optOut { optedOut = true }
            }
            let before = state
            let plan = fold(fact)
            if at != e.at {
                out.retimed.append((index, at))
                out.movedCells.add(plan.eventCells)
                out.movedCells.add(MessagePlanner.plan(before, segments: input.segments, fact: fact.at(e.at)).eventCells, times: -1)
            }
        }
        for c in input.clicks {
            _ = fold(c.isBot ? .botHit(linkIndex: c.linkIndex) : humanClick(link: c.linkIndex, at: c.at))
        }
        out.state = state
        out.humanClicksByLink = out.humanClicksByLink.filter { input.shortLinkIndices.contains($0.key) }
        return out
    }
}
