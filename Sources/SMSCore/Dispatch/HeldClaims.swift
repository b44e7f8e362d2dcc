import Foundation

/// The claims (attempt ids) this dispatcher holds: claimed, handed or about to be handed to the
/// provider, and not yet recorded. A drained server queues these again for the other servers
/// (``Dispatcher/releaseHeldClaims()``); normally the set is empty once every worker has stopped.
final class HeldClaims: @unchecked Sendable {
    private let lock = NSLock()
    private var attempts: Set<String> = []

    func insert(_ attempt: String) { _ = lock.withLock { attempts.insert(attempt) } }
    func remove(_ attempt: String) { _ = lock.withLock { attempts.remove(attempt) } }
    /// Empties the set and returns what it held.
    func takeAll() -> Set<String> {
        lock.withLock {
            defer { attempts = [] }
            return attempts
        }
    }
    var count: Int { lock.withLock { attempts.count } }
}
