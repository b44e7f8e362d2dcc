import Foundation

/// Groups the concurrent record-and-claim steps of one campaign's dispatch workers into one store
/// transaction (group commit): while a transaction runs, arriving steps wait and go together in
/// the next one. Each worker still records its answer before it claims again, so the
/// at-least-once window does not grow; only the number of transactions shrinks (up to
/// `concurrency` times, which matters most for unbatched providers: one request per message).
actor StepBatcher {
    private let store: any SMSDispatchStore
    private let campaignId: String
    private let cap: FrequencyCap?
    private let now: @Sendable () -> Int64
    private var waiting: [(step: DispatchStep, continuation: CheckedContinuation<ClaimResult, any Error>)] = []
    private var running = false

    init(store: any SMSDispatchStore, campaignId: String, cap: FrequencyCap?, now: @escaping @Sendable () -> Int64) {
        self.store = store
        self.campaignId = campaignId
        self.cap = cap
        self.now = now
    }

    /// Records `step.results` and claims `step.limit` messages, in the next transaction.
    /// - Throws: the store's error (every step of a failed transaction gets it).
    func submit(_ step: DispatchStep) async throws -> ClaimResult {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((step, continuation))
            if !running {
                running = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting = []
            do {
                let claims = try await store.recordAndClaim(batch.map(\.step), campaignId: campaignId, now: now(), cap: cap)
                for (entry, claim) in zip(batch, claims) { entry.continuation.resume(returning: claim) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        running = false
    }
}
