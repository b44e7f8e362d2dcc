import Foundation

/// A server's drain switch: set once when the process is asked to stop (SIGTERM, SIGINT), never
/// cleared. While draining, the server takes no new work — the dispatcher claims no more messages
/// and publishes no scheduled campaign (another server does), and `GET /ready` answers 503 — while
/// what is in flight (HTTP requests, provider calls) finishes and the claims still held are queued
/// again for the other servers. Shared by the dispatcher, its service and the readiness route.
public final class NodeDrain: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Bool = false

    public init() {}

    /// Whether the server is draining.
    public var isDraining: Bool { lock.withLock { started } }

    /// Starts draining. - Returns: `true` the first time, `false` when already draining.
    @discardableResult
    public func start() -> Bool {
        lock.withLock {
            if started { return false }
            started = true
            return true
        }
    }
}
