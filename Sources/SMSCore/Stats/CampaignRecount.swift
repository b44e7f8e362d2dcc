import Foundation

/// The recount of one campaign, message by message: the pure collector behind `smsstats reconcile`
/// in every store. A store reads each message's stored row and raw records, calls ``add(_:userId:variant:stored:input:storedLinkClicks:storedConversion:)``,
/// and with `repair` writes ``stateFixes``, ``linkFixes``, ``conversionFixes``, ``expected`` and
/// ``descriptions``; ``report(stored:storedDescriptions:repaired:)`` compares.
/// `Message` is the store's own row type, handed back in ``stateFixes``.
public struct CampaignRecount<Message> {
    public let campaign: Campaign
    /// Messages recounted.
    public private(set) var messages = 0
    /// The recounted rollup cells per variant.
    public private(set) var expected: [Int: RollupDelta] = [:]
    /// The recounted provider descriptions per failure code (the smallest, ``RollupRecount/smaller(_:_:)``).
    public private(set) var descriptions: [String: String] = [:]
    /// Messages whose stored state differs: the stored row and the re-derived state.
    public private(set) var stateFixes: [(message: Message, state: MessageState)] = []
    /// Short links whose human-click counter differs: (message id, link index, recounted clicks).
    public private(set) var linkFixes: [(messageId: Int64, linkIndex: Int, clicks: Int64)] = []
    /// Users whose stored conversion differs: (user id, control, recounted conversion).
    public private(set) var conversionFixes: [(userId: String, control: Bool, conversion: UserConversion)] = []

    public init(campaign: Campaign) {
        self.campaign = campaign
    }

    /// Recounts one message (``RollupRecount/recount(_:links:goal:)``) and notes what differs.
    /// - Parameters:
    ///   - message: the store's row, returned in ``stateFixes`` when `stored` differs.
    ///   - stored: the message's stored state.
    ///   - storedLinkClicks: `short_links.human_clicks` per link number of the message.
    ///   - storedConversion: the user's stored conversion (none stored: not converted); ignored
    ///     without a goal.
    public mutating func add(
        _ message: Message, messageId: Int64, userId: String, variant: Int, stored: MessageState, input: RecountInput,
        storedLinkClicks: [Int: Int64], storedConversion: UserConversion?
    ) {
        messages += 1
        let result = RollupRecount.recount(input, links: campaign.links, goal: campaign.goal)
        expected[variant, default: [:]].add(result.delta)
        for (code, text) in result.failureDescriptions {
            descriptions[code] = RollupRecount.smaller(descriptions[code], text)
        }
        if result.state != stored { stateFixes.append((message, result.state)) }
        for (index, count) in storedLinkClicks where count != result.humanClicksByLink[index, default: 0] {
            linkFixes.append((messageId, index, result.humanClicksByLink[index, default: 0]))
        }
        if campaign.goal != nil, (storedConversion ?? UserConversion()) != result.conversion {
            conversionFixes.append((userId, stored.dispatch == .control, result.conversion))
        }
    }

    /// The comparison with the stored rollups and descriptions.
    public func report(stored: [Int: RollupDelta], storedDescriptions: [String: String], repaired: Bool) -> ReconcileReport {
        let expected = self.expected.filter { !$0.value.isEmpty }
        let cells = RollupComparison.drifts(stored: stored, expected: expected)
        let descriptionDrifts = Set(storedDescriptions.keys).union(descriptions.keys)
            .filter { storedDescriptions[$0] != descriptions[$0] }.count
        return ReconcileReport(
            campaignId: campaign.id, messages: messages, stateDrifts: stateFixes.count, linkCounterDrifts: linkFixes.count,
            conversionDrifts: conversionFixes.count, descriptionDrifts: descriptionDrifts, cells: cells,
            metrics: RollupComparison.byMetric(cells, stored: stored, expected: expected), repaired: repaired)
    }
}

extension CampaignRecount: Sendable where Message: Sendable {}
