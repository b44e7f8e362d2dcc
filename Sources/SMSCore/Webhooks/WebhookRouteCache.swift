import Foundation

/// The enabled webhook subscriptions as the stores' outbox writers need them (which types, which
/// campaign; no secret), cached so that a state change with no subscription costs one lock and
/// no query: callback ingestion stays as fast with webhooks configured as without (issue 17,
/// BENCHMARKS.md "webhooks").
///
/// A change made through this process's store drops the cache at once (``invalidate()``); one
/// made on another node is seen within ``ttlSeconds`` (the cache is reloaded, inside the writing
/// transaction, when older). Events of that window for a subscription not yet seen are not queued.
public final class WebhookRouteCache: @unchecked Sendable {
    /// How long a loaded list is trusted, seconds.
    public static let ttlSeconds: Double = 2

    private let lock = NSLock()
    private var routes: [WebhookSubscription]?
    private var loadedAt: Double = 0

    public init() {}

    /// The cached list, or `load()`'s (then cached) when it is missing or older than ``ttlSeconds``.
    /// `load` runs outside the lock.
    public func routes(now: Double = Date().timeIntervalSince1970, load: () throws -> [WebhookSubscription]) rethrows -> [WebhookSubscription] {
        if let fresh = cached(now: now) { return fresh }
        let loaded = try load()
        keep(loaded, now: now)
        return loaded
    }

    /// The same with an async `load` (PostgreSQL).
    public func routes(now: Double = Date().timeIntervalSince1970, load: () async throws -> [WebhookSubscription]) async rethrows -> [WebhookSubscription] {
        if let fresh = cached(now: now) { return fresh }
        let loaded = try await load()
        keep(loaded, now: now)
        return loaded
    }

    private func keep(_ loaded: [WebhookSubscription], now: Double) {
        lock.lock()
        routes = loaded
        loadedAt = now
        lock.unlock()
    }

    private func cached(now: Double) -> [WebhookSubscription]? {
        lock.lock()
        defer { lock.unlock() }
        guard let routes, now - loadedAt < Self.ttlSeconds, now >= loadedAt else { return nil }
        return routes
    }

    /// Forgets the list (a subscription was created, changed or deleted here).
    public func invalidate() {
        lock.lock()
        routes = nil
        lock.unlock()
    }
}
