import Foundation

/// The store implementations every store-level test runs against (`@Test(arguments: StoreKind.allCases)`).
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The environment variable naming the PostgreSQL server for tests
    /// (`postgres://user:password@host:port/database`; `scripts/setup/postgres.sh` starts one and sets it).
    public static let postgresURLVariable = "SMSSTATS_TEST_POSTGRES_URL"

    /// The server URL for PostgreSQL cases, `nil` when unset (those cases are skipped).
    public static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment[postgresURLVariable] ?? ""
        return url.isEmpty ? nil : url
    }
}
