import Foundation

/// Runs a retention pass (``RawRetention``) over a store: drops the raw tables' partitions that
/// only due campaigns use (PostgreSQL, ``RawTablePartitions``), then removes each due campaign's
/// remaining raw rows in batches and records ``Campaign/rawPurgedAt``; first, every campaign
/// purged before that received raw rows since (marked late by the store,
/// ``SMSDispatchStore/rawPurgeLateCampaigns()``) is purged again; a purged campaign without late
/// rows is not visited, so a pass costs the due and late campaigns, not every purged one
/// (BENCHMARKS.md "Retention pass with many purged campaigns"). With `dryRun` it counts
/// and changes nothing. `smsstats purge` runs it once; `serve --retain-raw-days` periodically as
/// singleton work `"retention"` (one node at a time).
public struct RawHistoryPurge: Sendable {
    public let store: any SMSDispatchStore
    public let retention: RawRetention

    public init(store: any SMSDispatchStore, retention: RawRetention) {
        self.store = store
        self.retention = retention
    }

    /// What one pass did.
    public struct Report: Sendable, Equatable {
        /// The due campaigns, oldest first, with their counts.
        public var campaigns: [(id: String, counts: RawPurgeCounts)]
        /// Partitions dropped whole (PostgreSQL; none in a dry run).
        public var droppedPartitions: [String]
        /// Campaigns purged before that held raw rows again (late receipts, replies, clicks),
        /// oldest first, with what was removed (``RawRetention`` "Late arrivals").
        public var late: [(id: String, counts: RawPurgeCounts)] = []
        public static func == (a: Report, b: Report) -> Bool {
            a.droppedPartitions == b.droppedPartitions && a.campaigns.map(\.id) == b.campaigns.map(\.id)
                && a.campaigns.map(\.counts) == b.campaigns.map(\.counts)
                && a.late.map(\.id) == b.late.map(\.id) && a.late.map(\.counts) == b.late.map(\.counts)
        }
    }

    /// - Parameter now: epoch seconds.
    public func run(now: Int64, dryRun: Bool) async throws -> Report {
        let all = try await store.campaigns()
        let oldestFirst: (Campaign, Campaign) -> Bool = { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        var late: [(id: String, counts: RawPurgeCounts)] = []
        let marked = try await store.rawPurgeLateCampaigns()
        for c in all.filter({ $0.rawPurgedAt != nil && marked.contains($0.id) }).sorted(by: oldestFirst) {
            let counts = try await store.purgeRawHistory(campaignId: c.id, now: now, batchSize: RawRetention.batchSize, dryRun: dryRun)
            if counts != RawPurgeCounts() { late.append((c.id, counts)) }
        }
        let due = all.filter { retention.isDue($0, now: now) }.sorted(by: oldestFirst)
        guard !due.isEmpty else { return Report(campaigns: [], droppedPartitions: [], late: late) }
        var dropped: [String] = []
        if !dryRun, let partitions = store.capabilities.partitions {
            dropped = try await partitions.dropPartitions(messagesCreatedBefore: retention.partitionCutoff(campaigns: all, now: now))
        }
        var out: [(id: String, counts: RawPurgeCounts)] = []
        for c in due {
            out.append((c.id, try await store.purgeRawHistory(campaignId: c.id, now: now, batchSize: RawRetention.batchSize, dryRun: dryRun)))
        }
        return Report(campaigns: out, droppedPartitions: dropped, late: late)
    }
}
