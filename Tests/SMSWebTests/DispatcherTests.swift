import Foundation
import Logging
import SMSCore
import SMSGatewayHTTP
import SMSStoreSQLite
import SMSStoreTestSupport
import Testing

/// A gateway that records what it is handed, tracks how many sends run at once, and can hold
/// sends at a gate.
actor FakeGateway: SMSGateway {
    private(set) var sent: [Int64] = []
    private(set) var calls = 0
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0
    private var gateClosed = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    let delay: Duration
    let outcome: @Sendable (OutboundMessage) -> DispatchResult.Outcome
    let at: @Sendable () -> Int64
    /// Hold each send until this many are in flight (or 250 ms passed): makes overlap certain on a busy machine.
    let holdUntilInFlight: Int?

    init(
        delay: Duration = .zero, closedGate: Bool = false, holdUntilInFlight: Int? = nil,
        at: @escaping @Sendable () -> Int64 = { 1_700_000_100 },
        outcome: @escaping @Sendable (OutboundMessage) -> DispatchResult.Outcome = { _ in .sent(providerMessageId: nil) }
    ) {
        self.at = at
        self.holdUntilInFlight = holdUntilInFlight
        self.delay = delay
        self.gateClosed = closedGate
        self.outcome = outcome
    }

    nonisolated func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async -> [DispatchResult] {
        await enter(messages)
        if let hold = holdUntilInFlight {
            // Long enough for the dispatcher's other requests to start on a loaded machine (the
            // full suite: 250 ms once saw only 2 of 3 in flight).
            let deadline = ContinuousClock.now + .seconds(1)
            while await inFlight < hold, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        await waitGate()
        await leave()
        let t = at()
        return messages.map { DispatchResult(messageId: $0.messageId, outcome: outcome($0), at: t) }
    }

    private func enter(_ messages: [OutboundMessage]) {
        calls += 1
        sent += messages.map(\.messageId)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }
    private func leave() { inFlight -= 1 }
    private func waitGate() async {
        guard gateClosed else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func openGate() {
        gateClosed = false
        for w in waiters { w.resume() }
        waiters = []
    }
}

/// A fixed, settable epoch clock.
final class EpochClock: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Int64
    init(_ t: Int64) { self.t = t }
    var now: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return t
    }
    func set(_ v: Int64) {
        lock.lock()
        t = v
        lock.unlock()
    }
}

struct DispatchFixture {
    /// A fresh SQLite file or PostgreSQL schema (``TestStore``).
    let testStore: TestStore
    var store: any SMSDispatchStore { testStore.store }
    let clock = EpochClock(1_700_000_000)

    init(_ kind: StoreKind) async throws { testStore = try await TestStore.make(kind) }

    func provider(id: String = "p1", batch: Int? = 10, concurrency: Int? = nil, rate: Double? = nil) async throws -> ProviderConfig {
        let p = ProviderConfig(
            id: id, name: "P", url: "http://127.0.0.1:9/sms", bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: batch.map { BatchConfig(key: "messages", size: $0) }, callbackSecret: "s", ratePerSecond: rate, createdAt: 0,
            maxConcurrency: concurrency)
        try await store.insertProvider(p)
        return p
    }

    func profiles(_ ids: [String]) async throws {
        try await store.upsertProfiles(ids.enumerated().map { i, id in
            Profile(userId: id, phone: "+491511234\(String(format: "%04d", i))", phoneValid: true)
        })
    }

    func campaign(_ id: String, users: [String], providerId: String = "p1", createdAt: Int64 = 0, sendAt: Int64? = nil) async throws {
        var c = Campaign(
            id: id, name: id, providerId: providerId, body: "Hello", links: [], audience: .userIds(users), timezone: "UTC", goal: nil,
            createdAt: createdAt)
        if let sendAt {
            c.status = .scheduled
            c.sendAt = sendAt
        }
        try await store.insertCampaign(c)
    }

    /// The setup most dispatch tests share: provider `p1` (batches of `batch`, at most
    /// `concurrency` requests in flight), a profile per user, campaign `id` to them, published
    /// (its messages queued; nothing sent yet).
    func published(_ id: String, users: [String], batch: Int? = 10, concurrency: Int? = nil) async throws {
        _ = try await provider(batch: batch, concurrency: concurrency)
        try await profiles(users)
        try await campaign(id, users: users)
        _ = try await dispatcher(FakeGateway()).publish(campaignId: id)
    }

    func dispatcher(_ gateway: any SMSGateway, cap: FrequencyCap? = nil, limiters: RateLimiterRegistry = RateLimiterRegistry()) -> Dispatcher {
        let clock = self.clock
        return Dispatcher(
            store: store, gateway: gateway, planner: CampaignPlanner(linkBaseURL: "https://s.example"), now: { clock.now },
            frequencyCap: cap, limiters: limiters)
    }

    func total(_ campaignId: String, _ metric: RollupMetric, dim: String = "") async throws -> Int64 {
        try await CampaignStatsQueries(store: store).totals(campaignId: campaignId)[RollupKey(metric, dim: dim)] ?? 0
    }
}

@Suite("Dispatcher: concurrency, rate, frequency cap, crash recovery, stop, schedule")
struct DispatcherTests {
    @Test("at most maxConcurrency requests are in flight, each message is sent once, and the campaign completes", arguments: StoreKind.allCases)
    func concurrencyLimit(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider(batch: 10, concurrency: 3)
        let users = (0..<200).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users)
        let gateway = FakeGateway(holdUntilInFlight: 4)  // asks for more than the limit: never reached
        let d = f.dispatcher(gateway)
        _ = try await d.publish(campaignId: "c1")
        #expect(try await d.runOnce() == 200)
        #expect(await gateway.maxInFlight == 3)
        #expect(await gateway.calls == 20)
        let sent = await gateway.sent
        #expect(sent.count == 200 && Set(sent).count == 200)
        #expect(try await f.total("c1", .sent) == 200)
        #expect(try await f.total("c1", .queued) == 0)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
    }

    /// The process's limiter: SQLite's (one process per database). PostgreSQL's bucket is shared by
    /// the nodes at the database's clock (`NodeLeaseTests`).
    @Test("the rate limit spaces sends on the injected clock: 1,000 messages at 100/s take 9 s after the 1 s burst", arguments: [StoreKind.sqlite])
    func rateLimit(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider(batch: 50, concurrency: 1, rate: 100)
        let users = (0..<1_000).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users)
        let clock = FakeClockSeconds()
        let limiters = RateLimiterRegistry(now: { clock.now }, sleep: { clock.sleep($0) })
        let d = f.dispatcher(FakeGateway(), limiters: limiters)
        _ = try await d.publish(campaignId: "c1")
        #expect(try await d.runOnce() == 1_000)
        #expect(abs(clock.now - 9) < 1e-9)
        #expect(try await f.total("c1", .sent) == 1_000)
    }

    @Test("frequency cap at send time: a user already sent to in the last 24 h gets 'frequency cap exceeded'; after 24 h they are sent again", arguments: StoreKind.allCases)
    func frequencyCap(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider()
        try await f.profiles(["u1", "u2", "u3"])
        let clock = f.clock
        let d = f.dispatcher(FakeGateway(at: { clock.now }), cap: FrequencyCap(maxMessages: 1))
        try await f.campaign("a", users: ["u1"])
        _ = try await d.publish(campaignId: "a")
        _ = try await d.runOnce()
        // Campaign b, 1 h later: u1 is capped, u2 is not.
        f.clock.set(1_700_003_600)
        try await f.campaign("b", users: ["u1", "u2"], createdAt: 1)
        _ = try await d.publish(campaignId: "b")
        _ = try await d.runOnce()
        #expect(try await f.total("b", .sent) == 1)
        #expect(try await f.total("b", .dispatchErrorsByReason, dim: "frequency cap exceeded") == 1)
        // Campaign c, 24 h + 1 s after a's send: u1 may be sent again; u2 (sent 1 h after) may not.
        f.clock.set(1_700_000_000 + 86_401)
        try await f.campaign("c", users: ["u1", "u2", "u3"], createdAt: 2)
        _ = try await d.publish(campaignId: "c")
        _ = try await d.runOnce()
        #expect(try await f.total("c", .sent) == 2)
        #expect(try await f.total("c", .dispatchErrorsByReason, dim: "frequency cap exceeded") == 1)
        // Identity: Targeted = Sent + dispatch errors + control.
        for id in ["a", "b", "c"] {
            #expect(try await f.total(id, .messages) == (try await f.total(id, .sent)) + (try await f.total(id, .dispatchErrors)))
        }
    }

    @Test("property: random campaigns over random times: the cap's decisions equal a brute-force recount of the rolling window", arguments: StoreKind.allCases)
    func frequencyCapProperty(kind: StoreKind) async throws {
        for trial in 0..<25 {
            let f = try await DispatchFixture(kind)
            _ = try await f.provider(batch: 3, concurrency: 1)
            let users = (0..<5).map { "u\($0)" }
            try await f.profiles(users)
            let cap = Int.random(in: 1...3)
            let clock = f.clock
            let d = f.dispatcher(FakeGateway(at: { clock.now }), cap: FrequencyCap(maxMessages: cap))
            var model: [(user: String, at: Int64)] = []
            var t: Int64 = 1_700_000_000
            for n in 0..<Int.random(in: 3...7) {
                t += [0, 3_600, 43_200, 86_399, 86_400, 90_000].randomElement()!
                f.clock.set(t)
                let audience = users.filter { _ in Bool.random() }
                guard !audience.isEmpty else { continue }
                try await f.campaign("t\(trial)c\(n)", users: audience, createdAt: Int64(n))
                _ = try await d.publish(campaignId: "t\(trial)c\(n)")
                _ = try await d.runOnce()
                var expectedSent = 0
                var expectedCapped = 0
                for user in audience {
                    let recent = model.filter { $0.user == user && $0.at >= t - 86_400 }.count
                    if recent >= cap {
                        expectedCapped += 1
                    } else {
                        expectedSent += 1
                        model.append((user, t))
                    }
                }
                #expect(try await f.total("t\(trial)c\(n)", .sent) == Int64(expectedSent), "trial \(trial) campaign \(n) cap \(cap)")
                #expect(
                    try await f.total("t\(trial)c\(n)", .dispatchErrorsByReason, dim: "frequency cap exceeded") == Int64(expectedCapped))
            }
        }
    }

    @Test("without a cap (the default) every eligible user is sent, however often", arguments: StoreKind.allCases)
    func noCapByDefault(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider()
        try await f.profiles(["u1"])
        let d = f.dispatcher(FakeGateway())
        for (i, id) in ["a", "b", "c"].enumerated() {
            try await f.campaign(id, users: ["u1"], createdAt: Int64(i))
            _ = try await d.publish(campaignId: id)
            _ = try await d.runOnce()
            #expect(try await f.total(id, .sent) == 1)
        }
    }

    @Test("claims left by a crashed process are queued again and resent once by the next dispatcher", arguments: StoreKind.allCases)
    func crashRecovery(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = (0..<10).map { "u\($0)" }
        try await f.published("c1", users: users, batch: 4)
        // A dead process claimed 4 (its provider call's outcome is unknown).
        let claim = try await f.store.claimMessages(campaignId: "c1", limit: 4, attempt: "dead-1", now: f.clock.now, cap: nil)
        #expect(claim.messages.count == 4)
        #expect(try await f.store.claimedCount(campaignId: "c1") == 4)
        // Claims never overlap.
        let second = try await f.store.claimMessages(campaignId: "c1", limit: 100, attempt: "other", now: f.clock.now, cap: nil)
        #expect(Set(second.messages.map(\.messageId)).isDisjoint(with: claim.messages.map(\.messageId)))
        #expect(second.messages.count == 6)
        #expect(try await f.store.releaseClaims(attempt: "other") == 6)
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        #expect(await d.recoveredClaims() == nil)
        #expect(try await d.runOnce() == 10)
        #expect(await d.recoveredClaims() == 4)
        #expect(await d.takeRecoveryReport() == ClaimRecovery(released: 4, deadLettered: 0))
        #expect(await d.takeRecoveryReport() == nil)
        #expect(Set(await gateway.sent).count == 10)
        #expect(try await f.total("c1", .sent) == 10)
        #expect(try await f.store.claimedCount(campaignId: "c1") == 0)
    }

    @Test("stop: the unsent become 'campaign stopped'; messages in flight that the provider accepts still count as Sent", arguments: StoreKind.allCases)
    func stop(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider(batch: 5, concurrency: 1)
        let users = (0..<20).map { "u\($0)" }
        try await f.profiles(users)
        try await f.campaign("c1", users: users)
        let gateway = FakeGateway(closedGate: true)
        let d = f.dispatcher(gateway)
        _ = try await d.publish(campaignId: "c1")
        let run = Task { try await d.runOnce() }
        while await gateway.calls == 0 { try await Task.sleep(for: .milliseconds(2)) }
        let summary = try await f.store.stopCampaign(id: "c1", now: f.clock.now)
        #expect(summary == StopSummary(stopped: 20, inFlight: 5))
        await gateway.openGate()
        #expect(try await run.value == 5)
        #expect(try await f.total("c1", .sent) == 5)
        #expect(try await f.total("c1", .dispatchErrorsByReason, dim: "campaign stopped") == 15)
        #expect(try await f.store.campaign(id: "c1")?.status == .stopped)
        // Stopping again is harmless; a completed campaign cannot be stopped.
        #expect(try await f.store.stopCampaign(id: "c1", now: f.clock.now) == StopSummary(stopped: 0, inFlight: 0))
        try await f.campaign("done", users: ["u1"], createdAt: 5)
        _ = try await d.publish(campaignId: "done")
        _ = try await d.runOnce()
        await #expect(throws: CampaignTransitionError(status: .completed, action: "stopped")) {
            try await f.store.stopCampaign(id: "done", now: f.clock.now)
        }
    }

    @Test("a queued message the provider already reported on (receipt before the send was recorded) is not sent again, and the campaign completes", arguments: StoreKind.allCases)
    func receiptBeforeSend(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider()
        try await f.profiles(["u1", "u2"])
        try await f.campaign("c1", users: ["u1", "u2"])
        let gateway = FakeGateway()
        let d = f.dispatcher(gateway)
        _ = try await d.publish(campaignId: "c1")
        let queued = try await f.store.queuedMessages(campaignId: "c1", limit: 10)
        _ = try await f.store.applyCallbacks(
            providerId: "p1", items: [CallbackItem(kind: .delivered, meta: queued[0].meta, ts: f.clock.now)], receivedAt: f.clock.now)
        #expect(try await d.runOnce() == 1)
        #expect(await gateway.sent == [queued[1].messageId])
        #expect(try await f.total("c1", .sent) == 2)
        #expect(try await f.total("c1", .delivered) == 1)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
    }

    @Test("a scheduled campaign is published when its sendAt comes, not before", arguments: StoreKind.allCases)
    func scheduled(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        _ = try await f.provider()
        try await f.profiles(["u1", "u2"])
        try await f.campaign("s", users: ["u1", "u2"], sendAt: 1_700_000_600)
        let d = f.dispatcher(FakeGateway())
        #expect(try await d.runOnce() == 0)
        #expect(try await f.store.campaign(id: "s")?.status == .scheduled)
        f.clock.set(1_700_000_600)
        #expect(try await d.runOnce() == 2)
        let c = try await f.store.campaign(id: "s")
        #expect(c?.status == .completed)
        #expect(c?.publishedAt == 1_700_000_600)
    }

    @Test("after the last retry the stored dispatch error names the reason and the HTTP status", arguments: StoreKind.allCases)
    func retriesExhausted(kind: StoreKind) async throws {
        try await ScriptedProvider.serve([.init(status: .serviceUnavailable)]) { url, script in
            let f = try await DispatchFixture(kind)
            let p = ProviderConfig(
                id: "p1", name: "P", url: url, bodyTemplate: #"{"to":"$$To","text":"$$Body"}"#, callbackSecret: "s", createdAt: 0)
            try await f.store.insertProvider(p)
            try await f.profiles(["u1", "u2"])
            try await f.campaign("c1", users: ["u1", "u2"])
            let log = SleepLog()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let gateway = HTTPProviderGateway(
                httpClient: .shared, retry: RetryPolicy(maxAttempts: 3, sleep: { await log.add($0) }, random: { 0.5 }), logger: logger)
            let d = f.dispatcher(gateway)
            _ = try await d.publish(campaignId: "c1")
            _ = try await d.runOnce()
            #expect(await script.received.count == 6)  // 2 messages × 3 attempts
            #expect(await log.sleeps.sorted() == [.milliseconds(100), .milliseconds(100), .milliseconds(200), .milliseconds(200)])
            #expect(try await f.total("c1", .dispatchErrorsByReason, dim: "provider HTTP error 503") == 2)
            #expect(try await f.total("c1", .sent) == 0)
            #expect(try await f.store.campaign(id: "c1")?.status == .completed)
        }
    }
}

/// A seconds clock that advances when the limiter sleeps.
final class FakeClockSeconds: @unchecked Sendable {
    private let lock = NSLock()
    private var t: Double = 0
    var now: Double {
        lock.lock()
        defer { lock.unlock() }
        return t
    }
    func sleep(_ s: Double) {
        lock.lock()
        t += s
        lock.unlock()
    }
}
