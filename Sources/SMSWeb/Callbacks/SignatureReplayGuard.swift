import Foundation
import Synchronization

/// Signed callbacks already seen (a nonce, a JWT id, a signature), each remembered until the end
/// of the window its signature is accepted in, so the same signed request is refused the second
/// time (``NativeCallbackSignature``). In this process only: another node of a cluster may take a
/// replay once, which changes nothing (every event is deduplicated by its key, `docs/DOMAIN.md` §3).
/// At most ``capacity`` entries: when full after dropping the expired ones, the soonest to expire
/// are dropped first.
final class SignatureReplayGuard: Sendable {
    static let capacity = 100_000
    private let seen = Mutex<[String: Int64]>([:])

    init() {}

    /// `true` the first time `key` is seen before it expires; `false` for a replay.
    /// - Parameters:
    ///   - until: epoch seconds after which `key` is forgotten (its signature is stale by then).
    ///   - now: server time, epoch seconds.
    func firstUse(_ key: String, until: Int64, now: Int64) -> Bool {
        seen.withLock { seen in
            if let expiry = seen[key], expiry > now { return false }
            if seen.count >= Self.capacity {
                seen = seen.filter { $0.value > now }
                if seen.count >= Self.capacity {
                    for (k, _) in seen.sorted(by: { $0.value < $1.value }).prefix(seen.count / 10) { seen[k] = nil }
                }
            }
            seen[key] = max(until, now + 1)
            return true
        }
    }
}
