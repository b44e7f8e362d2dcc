import Foundation
import Logging
import SMSCore
import ServiceLifecycle
import Synchronization

/// Background loop: dispatches queued messages of sending campaigns and re-matches callbacks that
/// arrived before their message (`docs/DOMAIN.md` §3). Polls every `interval`; stops on graceful
/// shutdown. The periodic re-match runs at most every `rematchInterval` (items are also matched
/// at once when their message or provider id is recorded, so this only catches the rest), on one
/// node at a time; so does the creation of the raw tables' next partitions (PostgreSQL). With the
/// re-match, the nonces of signed callbacks whose window has passed are swept (``SignatureNonceStore``).
///
/// Beside the loop, until the service returns (a long campaign's dispatch and the drain included),
/// the lease loop renews this node's claims and queues again the claims whose lease expired (a dead
/// node's), every ``LeasePolicy/renewIntervalSeconds``.
///
/// Graceful shutdown drains instead of cancelling: it starts the dispatcher's ``NodeDrain`` (no new
/// claim, no publish), lets the running pass finish its in-flight provider requests and record their
/// answers, then queues again any claim the dispatcher still holds (``Dispatcher/releaseHeldClaims()``)
/// and returns. How long that may take is bounded by the service group's
/// `maximumGracefulShutdownDuration` (`smsstats serve --drain-seconds`): past it the pass is
/// cancelled, and the claims it held are released all the same.
public struct DispatchService: Service {
    let dispatcher: Dispatcher
    let store: any SMSStore
    let interval: Duration
    let logger: Logger
    let rematchInterval: Int64
    let lastRematch = LastRun()
    /// Retention of raw history (``RawRetention``), run every ``retentionIntervalSeconds``; `nil` = off.
    let retention: RawRetention?
    let lastRetention = LastRun()
    /// Least time between two retention passes, seconds.
    static let retentionIntervalSeconds: Int64 = 3_600

    /// - Parameters:
    ///   - intervalMs: dispatch polling interval, milliseconds.
    ///   - rematchIntervalSeconds: least time between two periodic re-matches, seconds (default 60).
    ///   - retention: raw-history retention (`--retain-raw-days`); `nil` = off.
    public init(
        dispatcher: Dispatcher, store: any SMSStore, intervalMs: Int, logger: Logger, rematchIntervalSeconds: Int64 = 60,
        retention: RawRetention? = nil
    ) {
        self.retention = retention
        self.dispatcher = dispatcher
        self.store = store
        self.interval = .milliseconds(intervalMs)
        self.logger = logger
        self.rematchInterval = rematchIntervalSeconds
    }

    public func run() async throws {
        let drain = dispatcher.drain
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    await leaseStep()
                    try? await Task.sleep(for: .seconds(dispatcher.leasePolicy.renewIntervalSeconds))
                }
            }
            await withGracefulShutdownHandler {
                while !drain.isDraining, !Task.isCancelled {
                    await step()
                    // Woken early by the drain (a cancelled sleep throws: the loop condition decides).
                    try? await Task.sleep(for: interval)
                }
            } onGracefulShutdown: {
                if drain.start() { logger.notice("draining: no new claims; finishing the provider requests in flight") }
            }
            await releaseHeldClaims()
            group.cancelAll()
        }
        // The drain can start before the service group's graceful shutdown reaches this service
        // (``SMSServer``'s DrainOnShutdown hears it first and starts the drain, while the
        // application's own group has not yet signalled its services). A service that returns
        // before its shutdown is "finished unexpectedly" to ServiceLifecycle and the process would
        // exit 1 on SIGTERM; so wait for the shutdown (returns at once when it has begun; ends
        // with cancellation).
        try? await gracefulShutdown()
    }

    /// Renews this node's leases, then queues again the expired claims of dead nodes.
    public func leaseStep() async {
        do {
            try await dispatcher.renewLeases()
            try await dispatcher.recoverClaims()
            await logRecovery()
        } catch is CancellationError {
        } catch {
            logger.error("lease renewal failed", metadata: ["error": "\(error)", "node": "\(dispatcher.node.id)"])
        }
    }

    private func logRecovery() async {
        guard let recovered = await dispatcher.takeRecoveryReport() else { return }
        if recovered.released > 0 {
            logger.warning(
                "queued again messages whose provider call had an unknown outcome (at-least-once window)",
                metadata: ["count": "\(recovered.released)"])
        }
        if recovered.deadLettered > 0 {
            logger.error(
                "dead-lettered messages whose dispatch crashed the process repeatedly (not sent again)",
                metadata: ["count": "\(recovered.deadLettered)"])
        }
    }

    /// Queues again the claims the dispatcher still holds, in a task of its own (a cancelled
    /// service task must not cancel the release).
    func releaseHeldClaims() async {
        let dispatcher = self.dispatcher
        let logger = self.logger
        await Task {
            do {
                let released = try await dispatcher.releaseHeldClaims()
                logger.notice("drained: dispatcher stopped", metadata: ["released": "\(released)"])
            } catch {
                logger.error(
                    "drain: claims could not be released; they are queued again by the next recovery",
                    metadata: ["error": "\(error)", "held": "\(dispatcher.heldClaimCount)"])
            }
        }.value
    }

    /// One pass: dispatch, then re-match pending callbacks.
    public func step() async {
        do {
            let pass = try await dispatcher.runPass()
            await logRecovery()
            let answers = pass.answers
            if answers.applied + answers.failed + answers.deadLettered > 0 {
                logger.warning(
                    "recorded provider answers finished after a crash or an error",
                    metadata: [
                        "applied": "\(answers.applied)", "failed": "\(answers.failed)", "deadLettered": "\(answers.deadLettered)",
                    ])
            }
            let n = pass.handled
            if n > 0 { logger.info("dispatched messages", metadata: ["count": "\(n)"]) }
            let now = Int64(Date().timeIntervalSince1970)
            let due = lastRematch.time.withLock { last in
                guard last.map({ now - $0 >= rematchInterval }) ?? true else { return false }
                last = now
                return true
            }
            if due {
                let store = self.store
                let matched = try await dispatcher.store.exclusively("pending-callbacks-rematch") {
                    try await store.rematchPendingCallbacks(now: now)
                } ?? 0
                if matched > 0 { logger.info("matched pending callbacks", metadata: ["count": "\(matched)"]) }
                try await ensurePartitions()
                // Signed callbacks' nonces past their window (SignatureReplay): on any node, idempotent.
                let swept = try await dispatcher.store.sweepSignatureNonces(now: now)
                if swept > 0 { logger.debug("swept expired signature nonces", metadata: ["count": "\(swept)"]) }
            }
            try await purgeRawHistory(now: now)
        } catch is CancellationError {
            // The server is stopping (SIGTERM, or it could not start): not a dispatch failure.
        } catch {
            logger.error("dispatch step failed", metadata: ["error": "\(error)"])
        }
    }
}

extension DispatchService {
    /// Creates the raw tables' partitions for the messages to come, on a store that partitions them
    /// (``RawTablePartitions``), by one node at a time; same period as the re-match.
    func ensurePartitions() async throws {
        let store = dispatcher.store
        guard let partitions = store.capabilities.partitions else { return }
        let created = try await store.exclusively("partitions") { try await partitions.ensurePartitions() } ?? []
        if !created.isEmpty { logger.notice("created partitions", metadata: ["names": "\(created.joined(separator: ", "))"]) }
    }
}

extension DispatchService {
    /// With a retention policy, at most every ``retentionIntervalSeconds`` and on one node at a
    /// time (singleton work `"retention"`): removes the raw history of the campaigns that are due
    /// (``RawHistoryPurge``), in batches, between dispatch passes.
    func purgeRawHistory(now: Int64) async throws {
        guard let retention else { return }
        let due = lastRetention.time.withLock { last in
            guard last.map({ now - $0 >= Self.retentionIntervalSeconds }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let store = dispatcher.store
        guard let report = try await store.exclusively("retention", { try await RawHistoryPurge(store: store, retention: retention).run(now: now, dryRun: false) })
        else { return }
        for c in report.campaigns {
            logger.notice(
                "purged raw history", metadata: ["campaign": "\(c.id)", "events": "\(c.counts.events)", "clicks": "\(c.counts.clicks)", "messages": "\(c.counts.messages)"])
        }
        for c in report.late {
            logger.notice(
                "purged late raw rows of a purged campaign", metadata: ["campaign": "\(c.id)", "events": "\(c.counts.events)", "clicks": "\(c.counts.clicks)"])
        }
        if !report.droppedPartitions.isEmpty {
            logger.notice("dropped partitions", metadata: ["names": "\(report.droppedPartitions.joined(separator: ", "))"])
        }
    }
}

/// When the periodic re-match last ran (epoch seconds), shared by copies of the service.
final class LastRun: Sendable {
    let time = Mutex<Int64?>(nil)
}
