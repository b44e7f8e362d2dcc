import Foundation

/// The body of `GET /api/v1/campaigns/{id}/stats`: the campaign's numbers over all variants,
/// flat (the field names of `docs/DOMAIN.md` §6), plus `variants: [{variant, …same fields}]` when the
/// campaign has more than one variant.
///
/// "All variants" adds each variant's counters; a user has one message per campaign, so a user
/// counts once in "all". Each variant's lift is measured against the campaign's whole control
/// group (the control group is not split by variant).
public struct StatsSummary: Sendable, Equatable, Codable {
    public var all: CampaignStats
    /// One entry per variant, ascending; empty when the campaign has one variant.
    public var variants: [VariantStats]

    public init(all: CampaignStats, variants: [VariantStats]) {
        self.all = all
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey { case variants }

    public init(from decoder: any Decoder) throws {
        all = try CampaignStats(from: decoder)
        variants = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([VariantStats].self, forKey: .variants) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        try all.encode(to: encoder)
        guard !variants.isEmpty else { return }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variants, forKey: .variants)
    }
}

/// One variant's numbers: `{variant, …the CampaignStats fields}`.
public struct VariantStats: Sendable, Equatable, Codable {
    /// The variant number as recorded on the messages.
    public var variant: Int
    public var stats: CampaignStats

    public init(variant: Int, stats: CampaignStats) {
        self.variant = variant
        self.stats = stats
    }

    enum CodingKeys: String, CodingKey { case variant }

    public init(from decoder: any Decoder) throws {
        variant = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .variant)
        stats = try CampaignStats(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variant, forKey: .variant)
        try stats.encode(to: encoder)
    }
}
