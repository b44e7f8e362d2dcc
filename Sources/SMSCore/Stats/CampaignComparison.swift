import Foundation

/// The body of `GET /api/v1/compare?ids=a,b` (issue 18): 2–5 campaigns side by side, in the order
/// asked. Each entry holds the campaign's `/stats` summary (all variants, ``CampaignStats``), its
/// `/latency` p50 and p90 (``DeliveryLatencyReport``) and its `/cost` total and cost per
/// delivered message (``CampaignCost``; `null` when its provider has no price table): the same
/// numbers the per-campaign routes answer.
public struct CampaignComparison: Sendable, Equatable, Codable {
    public var campaigns: [Entry]

    public init(campaigns: [Entry]) { self.campaigns = campaigns }

    public struct Entry: Sendable, Equatable, Codable {
        public var id: String
        public var name: String
        public var status: String
        public var stats: CampaignStats
        public var latency: Latency
        public var cost: Cost?

        public init(campaign: Campaign, stats: CampaignStats, latency: DeliveryLatencyReport, cost: CampaignCost?) {
            id = campaign.id
            name = campaign.name
            status = campaign.status.rawValue
            self.stats = stats
            self.latency = Latency(
                delivered: latency.delivered, p50Seconds: latency.p50Seconds, p90Seconds: latency.p90Seconds,
                resolutionSeconds: latency.resolutionSeconds)
            self.cost = cost.map { Cost(currency: $0.currency, total: $0.total, totalMicros: $0.totalMicros, perDelivered: $0.perDelivered) }
        }

        enum CodingKeys: String, CodingKey { case id, name, status, stats, latency, cost }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            try c.encode(status, forKey: .status)
            try c.encode(stats, forKey: .stats)
            try c.encode(latency, forKey: .latency)
            try c.encode(cost, forKey: .cost)
        }
    }

    /// Sent → delivered latency, seconds (bucket bounds; `null` without a delivered receipt).
    public struct Latency: Sendable, Equatable, Codable {
        public var delivered: Int64
        public var p50Seconds: Int64?
        public var p90Seconds: Int64?
        public var resolutionSeconds: Int64?

        enum CodingKeys: String, CodingKey { case delivered, p50Seconds, p90Seconds, resolutionSeconds }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(delivered, forKey: .delivered)
            try c.encode(p50Seconds, forKey: .p50Seconds)
            try c.encode(p90Seconds, forKey: .p90Seconds)
            try c.encode(resolutionSeconds, forKey: .resolutionSeconds)
        }
    }

    /// The campaign's cost, major units of `currency`.
    public struct Cost: Sendable, Equatable, Codable {
        public var currency: String
        public var total: Double
        public var totalMicros: Int64
        /// total / delivered, `null` without a delivered message.
        public var perDelivered: Double?

        enum CodingKeys: String, CodingKey { case currency, total, totalMicros, perDelivered }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(currency, forKey: .currency)
            try c.encode(total, forKey: .total)
            try c.encode(totalMicros, forKey: .totalMicros)
            try c.encode(perDelivered, forKey: .perDelivered)
        }
    }
}
