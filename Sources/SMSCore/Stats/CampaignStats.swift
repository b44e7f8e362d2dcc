import Foundation

/// The Stats-tab numbers of one campaign (`docs/DOMAIN.md` §6), computed from rollup counters.
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

    /// The control group a variant's lift and incremental revenue are measured against: the
    /// campaign's whole control group (it is not split by variant).
    public struct ControlBaseline: Sendable, Equatable {
        /// Control-group users.
        public var users: Int64
        /// Control-group users who converted in the window.
        public var convertedUsers: Int64
        /// Revenue of the control group's qualifying events, cents.
        public var revenueCents: Int64
        public init(users: Int64, convertedUsers: Int64, revenueCents: Int64) {
            self.users = users
            self.convertedUsers = convertedUsers
            self.revenueCents = revenueCents
        }
        /// The baseline held in all-time totals (metrics control_group, control_converted_users,
        /// control_revenue_cents).
        public init(totals: [RollupMetric: Int64]) {
            self.init(
                users: totals[.controlGroup] ?? 0, convertedUsers: totals[.controlConvertedUsers] ?? 0,
                revenueCents: totals[.controlRevenueCents] ?? 0)
        }
    }

    /// Computes every formula of `docs/DOMAIN.md` §6 from summed counters.
    ///
    /// Formulas (rates are percent 0–100, 0 when the denominator is 0):
    /// - CTR = uniqueClicks / delivered × 100 when `callbacksEnabled`, else uniqueClicks / sent × 100.
    /// - deliveryRate = delivered / sent × 100; convertedPercent = convertedUsers / sent × 100
    ///   (one message per user and campaign, so messages sent = users sent).
    /// - revenue = revenueCents / 100; ARPU = revenue / sent.
    /// - control rate = control converted / control users × 100; lift = (convertedPercent −
    ///   control rate) / control rate × 100 (`nil` without a control group or at a 0 control rate);
    ///   incremental revenue = (ARPU − control ARPU) × sent (`nil` without a control group).
    /// - targeted = sent + dispatchErrors + controlGroup + queued (queued is 0 once dispatch ends).
    /// - Parameters:
    ///   - totals: all-time rollup totals keyed by metric (dimension-less cells).
    ///   - callbacksEnabled: whether delivery callbacks are configured on the provider; switches
    ///     CTR's denominator.
    ///   - control: the control group to measure lift against; `nil` = the one in `totals`.
    public init(totals: [RollupMetric: Int64], callbacksEnabled: Bool, control: ControlBaseline? = nil) {
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
        ctr = Self.ctr(uniqueClicks: uniqueClicks, delivered: delivered, sent: sent, callbacksEnabled: callbacksEnabled)
        deliveryRate = Self.percent(delivered, sent)
        convertedUsers = v(.convertedUsers)
        convertedPercent = Self.percent(convertedUsers, sent)
        clickThroughConversions = v(.clickThroughUsers)
        revenueCents = v(.revenueCents)
        revenue = Double(revenueCents) / 100
        arpu = sent == 0 ? 0 : Double(revenueCents) / 100 / Double(sent)
        let baseline = control ?? ControlBaseline(totals: totals)
        controlConvertedUsers = baseline.convertedUsers
        controlConvertedPercent = Self.percent(baseline.convertedUsers, baseline.users)
        if baseline.users > 0 {
            let controlArpu = Double(baseline.revenueCents) / 100 / Double(baseline.users)
            incrementalRevenue = (arpu - controlArpu) * Double(sent)
            lift = controlConvertedPercent == 0 ? nil : (convertedPercent - controlConvertedPercent) / controlConvertedPercent * 100
        } else {
            incrementalRevenue = nil
            lift = nil
        }
        replies = v(.replies)
        optOuts = v(.optOuts)
    }

    /// CTR, percent 0–100 (`docs/DOMAIN.md` §6, PITFALLS.md #13): `uniqueClicks / delivered × 100` when
    /// callbacks are configured, else `uniqueClicks / sent × 100`; 0 when the denominator is 0.
    /// Every view (summary, trend, funnel, export) uses this one function.
    public static func ctr(uniqueClicks: Int64, delivered: Int64, sent: Int64, callbacksEnabled: Bool) -> Double {
        percent(uniqueClicks, ctrDenominator(delivered: delivered, sent: sent, callbacksEnabled: callbacksEnabled))
    }

    /// CTR's denominator, messages: `delivered` when callbacks are configured, else `sent` (the rule
    /// of ``ctr(uniqueClicks:delivered:sent:callbacksEnabled:)``; sums over campaigns add these).
    public static func ctrDenominator(delivered: Int64, sent: Int64, callbacksEnabled: Bool) -> Int64 {
        callbacksEnabled ? delivered : sent
    }

    /// `numerator / denominator × 100`, 0 when the denominator is 0.
    public static func percent(_ numerator: Int64, _ denominator: Int64) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator) * 100
    }
}
