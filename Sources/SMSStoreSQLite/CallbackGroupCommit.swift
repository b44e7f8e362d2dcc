import Foundation
import GRDB
import SMSCore
import Synchronization

/// Group commit for callback batches: batches that arrive while a callback write transaction is
/// running wait, and the next transaction applies all of them, each with its own
/// ``SQLiteStore/applyPlanned(_:providerId:encoded:plan:receivedAt:)``, in arrival order. Each
/// caller is answered after the commit that holds its batch.
///
/// A transaction's fixed cost (the hop to the writer, BEGIN, COMMIT with its WAL write and the
/// periodic checkpoint) was about as large as the work of a 100-item batch (BENCHMARKS.md
/// "callbacks"); under concurrent requests it is now shared.
///
/// Failure: when a grouped transaction throws, it is rolled back and every batch of the group is
/// retried in its own transaction, so an error fails only the request whose batch causes it.
final class CallbackGroupCommit: Sendable {
    struct Job: Sendable {
        var providerId: String
        var encoded: [(CallbackItem, String, String)]
        var plan: CallbackPlan
        var receivedAt: Int64
    }

    private struct Waiting {
        var job: Job
        var continuation: CheckedContinuation<CallbackIngestResult, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        var running = false
    }

    /// Most batches per transaction (bounds a transaction's length and its callers' latency).
    static let maxBatches = 16

    private let state = Mutex(State())

    /// Applies `job` in the next callback write transaction. - Returns: its result after the commit.
    func apply(_ job: Job, store: SQLiteStore) async throws -> CallbackIngestResult {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { s in
                s.queue.append(Waiting(job: job, continuation: continuation))
                if s.running { return false }
                s.running = true
                return true
            }
            if start { Task { await self.drain(store: store) } }
        }
    }

    /// Runs transactions until the queue is empty.
    private func drain(store: SQLiteStore) async {
        while true {
            let group = state.withLock { s -> [Waiting] in
                let n = min(s.queue.count, Self.maxBatches)
                let group = Array(s.queue.prefix(n))
                s.queue.removeFirst(n)
                if group.isEmpty { s.running = false }
                return group
            }
            if group.isEmpty { return }
            let jobs = group.map(\.job)
            do {
                let results = try await store.db.write { db in
                    try jobs.map { try store.applyPlanned(db, providerId: $0.providerId, encoded: $0.encoded, plan: $0.plan, receivedAt: $0.receivedAt) }
                }
                for (w, r) in zip(group, results) { w.continuation.resume(returning: r) }
            } catch {
                guard group.count > 1 else {
                    group[0].continuation.resume(throwing: error)
                    continue
                }
                for w in group {
                    let job = w.job
                    do {
                        let r = try await store.db.write { db in
                            try store.applyPlanned(db, providerId: job.providerId, encoded: job.encoded, plan: job.plan, receivedAt: job.receivedAt)
                        }
                        w.continuation.resume(returning: r)
                    } catch {
                        w.continuation.resume(throwing: error)
                    }
                }
            }
        }
    }
}
