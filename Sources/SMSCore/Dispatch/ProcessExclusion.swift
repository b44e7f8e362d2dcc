import Foundation

/// ``NodeCoordination/exclusively(_:_:)`` inside one process (a store that only one process opens,
/// like SQLite): a set of names being run; a second caller of a held name gets `nil` at once.
public final class ProcessExclusion: @unchecked Sendable {
    private let lock = NSLock()
    private var running: Set<String> = []

    public init() {}

    /// Runs `body` unless `name` is running. - Returns: its result, or `nil` when `name` was held.
    public func exclusively<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        let taken = lock.withLock { running.insert(name).inserted }
        guard taken else { return nil }
        defer { lock.withLock { _ = running.remove(name) } }
        return try await body()
    }
}
