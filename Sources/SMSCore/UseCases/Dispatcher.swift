import Foundation

/// Publishes campaigns and dispatches their queued messages through the provider.
///
/// Delivery guarantee: a message is recorded as queued before any provider call, and its result
/// is recorded after the call. A crash between the provider's 2xx and the result's commit sends
/// that chunk again on restart, so the window is **at-least-once for at most one in-flight chunk
/// per campaign** (`chunkSize` messages); everything else is exactly once.
public struct Dispatcher: Sendable {
    public let store: any SMSStore
    public let gateway: any SMSGateway
    public let planner: CampaignPlanner
    /// Messages read and handed to the gateway per step.
    public var chunkSize: Int
    /// The clock, epoch seconds.
    public var now: @Sendable () -> Int64

    public init(
        store: any SMSStore, gateway: any SMSGateway, planner: CampaignPlanner, chunkSize: Int = 500,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.store = store
        self.gateway = gateway
        self.planner = planner
        self.chunkSize = chunkSize
        self.now = now
    }

    /// What publishing did.
    public struct PublishSummary: Sendable, Equatable, Codable {
        public var queued: Int
        public var control: Int
        public var dispatchErrors: Int
        public var missingUserIds: [String]
    }

    /// Plans and records the campaign's messages and marks it sending.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown campaign, ``PublishError`` when it is
    ///   not a draft.
    public func publish(campaignId: String) async throws -> PublishSummary {
        guard let campaign = try await store.campaign(id: campaignId) else {
            throw StoreError.notFound("campaign \(campaignId)")
        }
        guard campaign.status == .draft || campaign.status == .scheduled else {
            throw PublishError.notDraft(campaign.status)
        }
        let t = now()
        let (profiles, missing) = try await store.audienceProfiles(campaign.audience)
        let messages = planner.plan(campaign: campaign, profiles: profiles, now: t)
        try await store.insertMessages(messages)
        try await store.setCampaignStatus(id: campaignId, status: .sending, publishedAt: t)
        return PublishSummary(
            queued: messages.filter { $0.dispatch == .queued }.count,
            control: messages.filter { $0.dispatch == .control }.count,
            dispatchErrors: messages.filter { $0.dispatch == .dispatchError }.count,
            missingUserIds: missing)
    }

    /// Dispatches every queued message of every sending campaign; marks a campaign completed when
    /// it has none left. - Returns: messages handed to providers.
    public func runOnce() async throws -> Int {
        var handled = 0
        for campaign in try await store.campaigns() where campaign.status == .sending {
            guard let provider = try await store.provider(id: campaign.providerId) else { continue }
            while true {
                let batch = try await store.queuedMessages(campaignId: campaign.id, limit: chunkSize)
                if batch.isEmpty { break }
                let results = await gateway.send(batch, via: provider, customValues: ["CampaignID": campaign.id])
                try await store.recordDispatchResults(results)
                handled += batch.count
            }
            try await store.setCampaignStatus(id: campaign.id, status: .completed, publishedAt: nil)
        }
        return handled
    }
}

/// Why a campaign cannot be published.
public enum PublishError: Error, Equatable, Sendable, CustomStringConvertible {
    case notDraft(CampaignStatus)
    public var description: String {
        switch self {
        case .notDraft(let s): "campaign is \(s.rawValue); only a draft can be published"
        }
    }
}
