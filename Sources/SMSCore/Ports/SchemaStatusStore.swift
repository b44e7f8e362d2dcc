import Foundation

/// What a load balancer's readiness probe (`GET /ready`) asks the database: is it reachable, and
/// has every migration this build knows been applied? A server migrates at start-up, so a missing
/// migration means the database was replaced or restored under a running server.
public protocol SchemaStatusStore: Sendable {
    /// The ids of the migrations this build knows that the database has not recorded, in order;
    /// empty when the schema is up to date. One round trip.
    /// - Throws: the driver's errors when the database cannot be reached.
    func missingMigrations() async throws -> [String]
}
