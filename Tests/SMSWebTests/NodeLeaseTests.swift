import Foundation
import Logging
import SMSCore
import SMSServer
import SMSStoreTestSupport
import Testing

/// Several nodes on one database (issue 14): claim leases, singleton work, the shared rate bucket.
/// Each node is its own store instance (PostgreSQL: its own connection pool) with its own
/// ``NodeIdentity``; on SQLite the same rules hold for the one process and its dead predecessors.
@Suite("Several nodes: claim leases, singleton publish, shared rate bucket")
struct NodeLeaseTests {
    /// Another instance of the fixture's database (another node's store).
    static func secondStore(_ f: DispatchFixture) async throws -> OpenedStore {
        var logger = Logger(label: "test.node")
        logger.logLevel = .critical
        return try await OpenedStore.open(database: f.testStore.databaseURL, logger: logger)
    }

    static func dispatcher(_ store: any SMSDispatchStore, _ gateway: any SMSGateway, node: String, clock: EpochClock, lease: Int64 = 30)
        -> Dispatcher
    {
        Dispatcher(
            store: store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: "https://s.example"), now: { clock.now },
            node: NodeIdentity(id: node), leasePolicy: LeasePolicy(leaseSeconds: lease))
    }

    /// One claim of `limit` messages by `holder`, leased until `expiresAt`.
    static func claim(_ store: any SMSDispatchStore, _ campaignId: String, limit: Int, holder: String, expiresAt: Int64, now: Int64)
        async throws -> [Int64]
    {
        let step = DispatchStep(
            results: [], limit: limit, attempt: "\(holder)-\(UUID().uuidString)", lease: ClaimLease(holder: holder, expiresAt: expiresAt))
        return try await store.recordAndClaim([step], campaignId: campaignId, now: now, cap: nil)[0].messages.map(\.messageId)
    }

    @Test("lease expiry re-queues exactly the dead node's claims, never the live node's", arguments: StoreKind.allCases)
    func expiryRequeuesOnlyExpired(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let other = try await Self.secondStore(f)
        _ = try await f.provider(batch: 4)
        let users = (0..<10).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users)
        let t0 = f.clock.now
        let live = Self.dispatcher(other.store, FakeGateway(), node: "live", clock: f.clock)
        let dead = Self.dispatcher(f.store, FakeGateway(), node: "dead", clock: f.clock)
        _ = try await live.publish(campaignId: "c1")
        // Both nodes claim (lease 30 s); then "dead" stops renewing, "live" renews at t0 + 20.
        let deadIds = try await Self.claim(f.store, "c1", limit: 4, holder: dead.node.holder, expiresAt: t0 + 30, now: t0)
        let liveIds = try await Self.claim(other.store, "c1", limit: 3, holder: live.node.holder, expiresAt: t0 + 30, now: t0)
        #expect(deadIds.count == 4 && liveIds.count == 3 && Set(deadIds).isDisjoint(with: liveIds))
        f.clock.set(t0 + 20)
        #expect(try await live.renewLeases() == 3)
        // Still running at t0 + 30 (the lease covers its last second): nothing re-queued.
        f.clock.set(t0 + 30)
        #expect(try await live.recoverClaims() == ClaimRecovery(released: 0, deadLettered: 0))
        #expect(try await f.store.claimedCount(campaignId: "c1") == 7)
        // Expired at t0 + 31: the dead node's 4, and only those, are queued again (by either node).
        f.clock.set(t0 + 31)
        #expect(try await live.recoverClaims() == ClaimRecovery(released: 4, deadLettered: 0))
        #expect(try await f.store.claimedCount(campaignId: "c1") == 3)
        let requeued = try await f.store.queuedMessages(campaignId: "c1", limit: 100).map(\.messageId)
        #expect(Set(deadIds).isSubset(of: Set(requeued)))
        // The live node's lease (renewed to t0 + 50) runs; without more renewals it expires at t0 + 51.
        f.clock.set(t0 + 50)
        #expect(try await dead.recoverClaims() == ClaimRecovery(released: 0, deadLettered: 0))
        f.clock.set(t0 + 51)
        #expect(try await dead.recoverClaims() == ClaimRecovery(released: 3, deadLettered: 0))
        #expect(try await f.store.claimedCount(campaignId: "c1") == 0)
        await other.close()
    }

    @Test("a restarted node sends the rest but never a live node's claims; under its pinned id it re-sends its predecessor's at once", arguments: StoreKind.allCases)
    func restartKeepsLiveClaims(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let other = try await Self.secondStore(f)
        _ = try await f.provider(batch: 4)
        let users = (0..<20).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users)
        let t0 = f.clock.now
        let live = Self.dispatcher(other.store, FakeGateway(), node: "b", clock: f.clock)
        _ = try await live.publish(campaignId: "c1")
        // Node "a" (pinned id) claims 4 and dies; node "b" has 3 in flight.
        let predecessor = NodeIdentity(id: "a")
        let deadIds = try await Self.claim(f.store, "c1", limit: 4, holder: predecessor.holder, expiresAt: t0 + 30, now: t0)
        let liveIds = try await Self.claim(other.store, "c1", limit: 3, holder: live.node.holder, expiresAt: t0 + 30, now: t0)
        // A node with a generated id starts 5 s later and runs a whole pass: neither "a"'s nor "b"'s claims are touched.
        f.clock.set(t0 + 5)
        let gateway = FakeGateway()
        let fresh = Dispatcher(
            store: f.store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: "https://s.example"), now: { f.clock.now })
        #expect(!fresh.node.pinned)
        #expect(try await fresh.runOnce() == 13)
        #expect(await fresh.recoveredClaims() == 0)
        let sent = Set(await gateway.sent)
        #expect(sent.count == 13 && sent.isDisjoint(with: liveIds) && sent.isDisjoint(with: deadIds))
        #expect(try await fresh.renewLeases() == 0)
        #expect(try await f.store.claimedCount(campaignId: "c1") == 7)
        // "a" restarts under its pinned id (a new start token): its predecessor's 4 are re-sent at once, "b"'s 3 are not.
        f.clock.set(t0 + 6)
        let restartedGateway = FakeGateway()
        let restarted = Self.dispatcher(f.store, restartedGateway, node: "a", clock: f.clock)
        #expect(restarted.node.id == predecessor.id && restarted.node.holder != predecessor.holder)
        #expect(restarted.node.isPredecessor(predecessor.holder) && !restarted.node.isPredecessor(restarted.node.holder))
        #expect(try await restarted.runOnce() == 4)
        #expect(await restarted.recoveredClaims() == 4)
        #expect(Set(await restartedGateway.sent) == Set(deadIds))
        #expect(try await f.store.claimedCount(campaignId: "c1") == 3)
        // Only the first recovery looks for predecessors; "b" keeps its claims while it renews.
        f.clock.set(t0 + 29)
        #expect(try await live.renewLeases() == 3)
        f.clock.set(t0 + 40)
        #expect(try await restarted.recoverClaims() == ClaimRecovery(released: 0, deadLettered: 0))
        #expect(try await f.store.claimedCount(campaignId: "c1") == 3)
        await other.close()
    }

    @Test("a campaign scheduled for now with 3 nodes passing at once: published once, each message sent once", arguments: StoreKind.allCases)
    func scheduledPublishOnce(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider(batch: 5, concurrency: 2)
        let users = (0..<60).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users, sendAt: f.clock.now - 1)
        // PostgreSQL: three stores (three nodes' pools); SQLite: one process, three dispatchers.
        var opened: [OpenedStore] = []
        var stores: [any SMSDispatchStore] = [f.store]
        if kind == .postgres {
            for _ in 0..<2 { opened.append(try await Self.secondStore(f)) }
            stores += opened.map(\.store)
        } else {
            stores += [f.store, f.store]
        }
        let observers = (0..<3).map { _ in PublishCounter() }
        let gateways = (0..<3).map { _ in FakeGateway(delay: .milliseconds(2)) }
        let dispatchers = (0..<3).map { i in
            var d = Self.dispatcher(stores[i], gateways[i], node: "n\(i)", clock: f.clock)
            d.observer = observers[i]
            return d
        }
        let handled = try await withThrowingTaskGroup(of: Int.self) { group in
            for d in dispatchers { group.addTask { try await d.runOnce() } }
            var n = 0
            for try await h in group { n += h }
            return n
        }
        var sent: [Int64] = []
        for g in gateways { sent += await g.sent }
        #expect(handled == 60)
        #expect(sent.count == 60 && Set(sent).count == 60)
        #expect(observers.map(\.published).reduce(0, +) == 60)
        #expect(observers.filter { $0.published > 0 }.count == 1)
        #expect(try await f.total("c1", .messages) == 60)
        #expect(try await f.total("c1", .sent) == 60)
        for o in opened { await o.close() }
    }

    @Test("the provider's rate bucket is shared: 3 nodes at once stay at 100 msg/s (≤ 110 in every 1 s window)")
    func sharedBucket() async throws {
        guard StoreKind.postgresURL != nil else { return }
        let f = try await DispatchFixture(.postgres)
        var opened: [OpenedStore] = []
        for _ in 0..<2 { opened.append(try await Self.secondStore(f)) }
        let stores: [any SMSDispatchStore] = [f.store] + opened.map(\.store)
        let perNode = 120
        let start = Date().timeIntervalSince1970
        let times = try await withThrowingTaskGroup(of: [Double].self) { group in
            for store in stores {
                // Four workers per node, each reserving one message at a time.
                for _ in 0..<4 {
                    group.addTask {
                        var out: [Double] = []
                        for _ in 0..<(perNode / 4) {
                            let wait = try #require(
                                try await store.reserveRate(providerId: "p-shared", ratePerSecond: 100, burst: 1, messages: 1))
                            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
                            out.append(Date().timeIntervalSince1970)
                        }
                        return out
                    }
                }
            }
            var all: [Double] = []
            for try await t in group { all += t }
            return all.sorted()
        }
        #expect(times.count == 3 * perNode)
        // 360 sends at 100/s (burst 1) take at least 3.59 s; each node alone would have taken 1.2 s.
        #expect(times.last! - start >= 3.5)
        var worst = 0
        var j = 0
        for i in times.indices {
            while times[i] - times[j] >= 1 { j += 1 }
            worst = max(worst, i - j + 1)
        }
        #expect(worst <= 110, "most sends in one second: \(worst)")
        print("shared rate bucket: 3 nodes × 4 workers, 360 reservations at 100/s over \(String(format: "%.2f", times.last! - start)) s; most in any 1 s window: \(worst)")
        for o in opened { await o.close() }
    }

    @Test("the lease rule: expired after its last second, a missing lease is expired, renewal well inside the lease")
    func leaseRule() {
        let p = LeasePolicy(leaseSeconds: 30)
        #expect(p.expiry(now: 100) == 130)
        #expect(!LeasePolicy.isExpired(expiresAt: 130, now: 130))
        #expect(LeasePolicy.isExpired(expiresAt: 130, now: 131))
        #expect(LeasePolicy.isExpired(expiresAt: nil, now: 0))
        for seconds in Int64(2)...120 {
            let q = LeasePolicy(leaseSeconds: seconds)
            // Renewed on time, a lease never expires: the next renewal comes before the current expiry.
            #expect(q.renewIntervalSeconds < Double(seconds) / 3)
            for start in stride(from: 0.0, to: 1.0, by: 0.25) {
                let written = Int64(start)  // floor of the moment (epoch seconds)
                let nextRenewal = start + q.renewIntervalSeconds + 1  // one interval late, at the latest
                #expect(!LeasePolicy.isExpired(expiresAt: q.expiry(now: written), now: Int64(nextRenewal.rounded(.down))))
            }
        }
        #expect(NodeIdentity.isValidId("web-1.eu_2"))
        #expect(!NodeIdentity.isValidId("") && !NodeIdentity.isValidId("a b") && !NodeIdentity.isValidId(String(repeating: "x", count: 65)))
        let a = NodeIdentity(), b = NodeIdentity()
        #expect(a.id != b.id && a.holder.hasPrefix(a.id + "@"))
    }
}

/// Counts the messages a dispatcher's publishes recorded.
final class PublishCounter: DispatchObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var published: Int { lock.withLock { count } }
    func published(_ messages: [NewMessage]) { lock.withLock { count += messages.count } }
    func handedOff(_ results: [DispatchResult]) {}
    func capped(_ count: Int) {}
    func deadLettered(_ count: Int) {}
}

/// The provider's `maxConcurrency` across nodes (``InFlightLimit``).
@Suite("Several nodes: requests in flight")
struct InFlightLimitTests {
    @Test("2 nodes, limit 3: the second node gets one request and then 'busy' until one ends; an expired lease frees its slot", arguments: StoreKind.allCases)
    func sharedConcurrency(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let other = try await NodeLeaseTests.secondStore(f)
        let users = (0..<20).map { "u\($0)" }
        try await f.published("c1", users: users, batch: 2)
        let t0 = f.clock.now
        let limit = InFlightLimit(providerId: "p1", maxRequests: 3)
        func step(_ holder: String, _ n: Int) -> DispatchStep {
            DispatchStep(
                results: [], limit: 2, attempt: "\(holder)-\(n)", lease: ClaimLease(holder: holder, expiresAt: t0 + 30), inFlight: limit)
        }
        // Node A: two requests in one transaction; node B: two more, of which only one fits.
        let a = try await f.store.recordAndClaim([step("a", 1), step("a", 2)], campaignId: "c1", now: t0, cap: nil)
        #expect(a.map(\.messages.count) == [2, 2] && a.allSatisfy { !$0.busy })
        let b = try await other.store.recordAndClaim([step("b", 1), step("b", 2)], campaignId: "c1", now: t0, cap: nil)
        #expect(b.map(\.messages.count) == [2, 0])
        #expect(b.map(\.busy) == [false, true])
        // One of A's requests is answered: its slot is free.
        let answered = a[0].messages.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: t0) }
        let c = try await other.store.recordAndClaim(
            [DispatchStep(results: answered, limit: 0, attempt: "a-1"), step("b", 3)], campaignId: "c1", now: t0, cap: nil)
        #expect(c[1].messages.count == 2 && !c[1].busy)
        #expect(try await f.store.recordAndClaim([step("b", 4)], campaignId: "c1", now: t0, cap: nil)[0].busy)
        // Nobody renews: once the leases have run out (t0 + 30) their requests no longer count, though not yet re-queued.
        #expect(try await f.store.recordAndClaim([step("b", 5)], campaignId: "c1", now: t0 + 31, cap: nil)[0].messages.count == 2)
        await other.close()
    }
}
