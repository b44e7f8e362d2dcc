import Foundation

/// The Stats-tab numbers of one campaign (`domain.md` §6), computed from rollup counters.
///
/// Counts are integers; every rate is a **percentage 0–100 at full precision** (round only for
/// display); money is in **cents** (`revenueCents`) and in major units (`revenue`, `arpu`).
public struct CampaignStats: Sendable, Equatable, Codable {
    public var sent: Int64
    public var sentSegments: Int64
    public var delivered: Int64
    public var inferredDelivered: Int64
    public var failed: Int64
    public var pending: Int64
    public var queued: Int64
    public var dispatchErrors: Int64
    public var controlGroup: Int64
    public var targeted: Int64
    public var clicks: Int64
    public var uniqueClicks: Int64
    public var botHits: Int64
    /// CTR % = unique clicked / Delivered × 100 with callbacks, else unique clicked / Sent × 100.
    public var ctr: Double
    /// The denominator CTR used: `"delivered"` or `"sent"`.
    public var ctrDenominator: String
    /// Delivered / Sent × 100.
    public var deliveryRate: Double
    public var convertedUsers: Int64
    /// Converted users / users sent × 100.
    public var convertedPercent: Double
    public var clickThroughConversions: Int64
    public var revenueCents: Int64
    /// Revenue in major currency units (cents / 100).
    public var revenue: Double
    /// Average revenue per user sent, major units.
    public var arpu: Double
    public var controlConvertedUsers: Int64
    /// Control group conversion rate %, converted control users / control group × 100.
    public var controlConvertedPercent: Double
    /// (target rate − control rate) / control rate × 100; `nil` with no control group or a zero
    /// control rate.
    public var lift: Double?
    /// (ARPU target − ARPU control) × target users, major units; `nil` without a control group.
    public var incrementalRevenue: Double?
    public var replies: Int64
    public var optOuts: Int64
    public var callbacksEnabled: Bool

    /// Computes every formula of `domain.md` §6 from summed counters.
    /// - Parameters:
    ///   - totals: all-time rollup totals keyed by metric (dimension-less cells).
    ///   - callbacksEnabled: whether delivery callbacks are configured on the provider; switches
    ///     CTR's denominator.
    public init(totals: [RollupMetric: Int64], callbacksEnabled: Bool) {
        func v(_ m: RollupMetric) -> Int64 { totals[m] ?? 0 }
        sent = v(.sent)
        sentSegments = v(.sentSegments)
        delivered = v(.delivered)
        inferredDelivered = v(.inferredDelivered)
        failed = v(.failed)
        pending = v(.pending)
        queued = v(.queued)
        dispatchErrors = v(.dispatchErrors)
        controlGroup = v(.controlGroup)
        targeted = sent + dispatchErrors + controlGroup + queued
        clicks = v(.clicks)
        uniqueClicks = v(.uniqueClicks)
        botHits = v(.botHits)
        self.callbacksEnabled = callbacksEnabled
        ctrDenominator = callbacksEnabled ? "delivered" : "sent"
        ctr = Self.percent(uniqueClicks, callbacksEnabled ? delivered : sent)
        deliveryRate = Self.percent(delivered, sent)
        convertedUsers = v(.convertedUsers)
        convertedPercent = Self.percent(convertedUsers, sent)
        clickThroughConversions = v(.clickThroughUsers)
        revenueCents = v(.revenueCents)
        revenue = Double(revenueCents) / 100
        arpu = sent == 0 ? 0 : Double(revenueCents) / 100 / Double(sent)
        controlConvertedUsers = v(.controlConvertedUsers)
        controlConvertedPercent = Self.percent(controlConvertedUsers, controlGroup)
        if controlGroup > 0 {
            let controlArpu = Double(v(.controlRevenueCents)) / 100 / Double(controlGroup)
            incrementalRevenue = (arpu - controlArpu) * Double(sent)
            lift = controlConvertedPercent == 0 ? nil : (convertedPercent - controlConvertedPercent) / controlConvertedPercent * 100
        } else {
            incrementalRevenue = nil
            lift = nil
        }
        replies = v(.replies)
        optOuts = v(.optOuts)
    }

    /// `numerator / denominator × 100`, 0 when the denominator is 0.
    public static func percent(_ numerator: Int64, _ denominator: Int64) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator) * 100
    }
}
