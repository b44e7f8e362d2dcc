import Foundation

/// The provider configuration one campaign's dispatch workers send with: the one read at the start
/// of the pass, replaced by a newer read when a claim reports a newer stored version
/// (``ClaimResult/providerVersion``; `Dispatcher` "dispatch"). Shared by the workers, so one
/// worker's read serves them all; never goes back to an older version.
final class LiveProvider: @unchecked Sendable {
    private let lock = NSLock()
    private var provider: ProviderConfig

    init(_ provider: ProviderConfig) { self.provider = provider }

    /// The newest configuration read so far.
    var current: ProviderConfig { lock.withLock { provider } }

    /// Keeps `read` when its version (`nil` = 0) is newer than the current one's.
    func offer(_ read: ProviderConfig) {
        lock.withLock {
            if (read.version ?? 0) > (provider.version ?? 0) { provider = read }
        }
    }
}
