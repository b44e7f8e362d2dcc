import Foundation
import Logging
import SMSCore
import ServiceLifecycle

/// Background loop: dispatches queued messages of sending campaigns and re-matches callbacks that
/// arrived before their message (`domain.md` §3). Polls every `interval`; stops on graceful
/// shutdown.
public struct DispatchService: Service {
    let dispatcher: Dispatcher
    let store: any SMSStore
    let interval: Duration
    let logger: Logger

    public init(dispatcher: Dispatcher, store: any SMSStore, intervalMs: Int, logger: Logger) {
        self.dispatcher = dispatcher
        self.store = store
        self.interval = .milliseconds(intervalMs)
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await step()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// One pass: dispatch, then re-match pending callbacks.
    public func step() async {
        do {
            let n = try await dispatcher.runOnce()
            if n > 0 { logger.info("dispatched messages", metadata: ["count": "\(n)"]) }
            _ = try await store.rematchPendingCallbacks(now: Int64(Date().timeIntervalSince1970))
        } catch {
            logger.error("dispatch step failed", metadata: ["error": "\(error)"])
        }
    }
}
