import Foundation

/// One step of the influenced conversion funnel.
public struct FunnelStep: Sendable, Equatable, Codable {
    /// `sent`, `delivered`, `clicked` or `converted`.
    public var step: String
    /// Users (= messages: one per user and campaign) at this step. For `delivered` without
    /// callbacks this is only the deliveries inferred from clicks: see ``tracked``.
    public var users: Int64
    /// Whether the number is a measured fact. `false` only for `delivered` when callbacks are not
    /// configured (`docs/DOMAIN.md` §6: "never show 0 as a fact").
    public var tracked: Bool
    /// The step's rate, percent 0–100, by the same formula as the summary's field of that name:
    /// sent 100, delivered = deliveryRate, clicked = ctr, converted = convertedPercent.
    public var rate: Double
    /// The formula of ``rate``, e.g. `"unique clicked / delivered × 100"`.
    public var formula: String
    /// `users / sent × 100`.
    public var percentOfSent: Double
}

/// The influenced conversion funnel of `docs/DOMAIN.md` §6: Sent → Delivered → Clicked → Converted
/// (users). Every rate is the summary's own (PITFALLS.md #13: CTR has one denominator everywhere);
/// "converted" counts influenced (view-through) conversions, so it is not a subset of "clicked";
/// the click-through ones are given apart.
public struct CampaignFunnel: Sendable, Equatable, Codable {
    public var callbacksEnabled: Bool
    /// The CTR denominator: `"delivered"` with callbacks, else `"sent"`.
    public var ctrDenominator: String
    /// Same value as the summary's `ctr`.
    public var ctr: Double
    public var steps: [FunnelStep]
    /// Converted users who clicked before converting, inside the window.
    public var clickThroughConversions: Int64

    /// The funnel of a campaign's (or one variant's) numbers.
    public init(stats s: CampaignStats) {
        callbacksEnabled = s.callbacksEnabled
        ctrDenominator = s.ctrDenominator
        ctr = s.ctr
        clickThroughConversions = s.clickThroughConversions
        func step(_ name: String, _ users: Int64, _ rate: Double, _ formula: String, tracked: Bool = true) -> FunnelStep {
            FunnelStep(
                step: name, users: users, tracked: tracked, rate: rate, formula: formula,
                percentOfSent: CampaignStats.percent(users, s.sent))
        }
        steps = [
            step("sent", s.sent, s.sent == 0 ? 0 : 100, "sent / sent × 100"),
            step("delivered", s.delivered, s.deliveryRate, "delivered / sent × 100", tracked: s.callbacksEnabled),
            step("clicked", s.uniqueClicks, s.ctr, "unique clicked / \(s.ctrDenominator) × 100"),
            step("converted", s.convertedUsers, s.convertedPercent, "converted users / sent × 100"),
        ]
    }
}
