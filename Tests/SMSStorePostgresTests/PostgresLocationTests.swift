import Foundation
@testable import SMSStorePostgres
import Testing

@Suite("PostgreSQL: --database URL parsing")
struct PostgresLocationTests {
    @Test func fullURL() throws {
        let l = try PostgresLocation(url: "postgres://sms:s3cret@db.example:6543/smsstats")
        #expect(l == PostgresLocation(host: "db.example", port: 6543, username: "sms", password: "s3cret", database: "smsstats"))
    }

    @Test func percentEncodedCredentialsDefaultPortAndSchema() throws {
        let l = try PostgresLocation(url: "postgresql://us%40er:p%3Aw%2Fd@127.0.0.1/app?search_path=tenant_1")
        #expect(l.username == "us@er")
        #expect(l.password == "p:w/d")
        #expect(l.port == 5432)
        #expect(l.database == "app")
        #expect(l.schema == "tenant_1")
    }

    @Test func noPasswordNoDatabase() throws {
        let l = try PostgresLocation(url: "postgres://sms@localhost")
        #expect(l.password == nil)
        #expect(l.database == nil)
        #expect(l.schema == nil)
    }

    @Test(arguments: ["postgres://", "postgres://host-only:5432/db", "postgres:///db", "http://u:p@h/db", "./smsstats.sqlite"])
    func malformedURLsAreRejectedWithAMessage(url: String) {
        #expect(throws: PostgresLocation.ParseError.self) { try PostgresLocation(url: url) }
    }

    @Test(arguments: ["Tenant", "1abc", "a-b", "x;drop", "a b"])
    func schemaNamesMustBePlainLowerCaseIdentifiers(name: String) {
        let url = "postgres://u@h/db?search_path=" + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)
        #expect(throws: PostgresLocation.ParseError.self) { try PostgresLocation(url: url) }
    }

    @Test func sslModeDefaultsToPreferAndIsValidated() throws {
        #expect(try PostgresLocation(url: "postgres://u@h/db").sslMode == .prefer)
        #expect(try PostgresLocation(url: "postgres://u@h/db?sslmode=disable").sslMode == .disable)
        #expect(try PostgresLocation(url: "postgres://u@h/db?search_path=s&sslmode=require").sslMode == .require)
        #expect(try PostgresLocation(url: "postgres://u@h/db?sslmode=verify-full").sslMode == .verifyFull)
        #expect(throws: PostgresLocation.ParseError.self) { try PostgresLocation(url: "postgres://u@h/db?sslmode=maybe") }
    }

    @Test func onlyPostgresSchemesSelectPostgreSQL() {
        #expect(PostgresLocation.isPostgresURL("postgres://u@h/db"))
        #expect(PostgresLocation.isPostgresURL("PostgreSQL://u@h/db"))
        #expect(!PostgresLocation.isPostgresURL("./smsstats.sqlite"))
        #expect(!PostgresLocation.isPostgresURL("/var/lib/postgres/smsstats.sqlite"))
        #expect(!PostgresLocation.isPostgresURL("postgres.sqlite"))
    }

    @Test func passwordsAreRedactedForLogs() {
        #expect(PostgresLocation.redacted("postgres://sms:s3cret@h:5432/db") == "postgres://sms:***@h:5432/db")
        #expect(PostgresLocation.redacted("postgres://sms@h/db") == "postgres://sms@h/db")
    }
}

/// The PostgreSQL schema reads top to bottom in one file; its migration ids and their order are
/// what databases in the field have recorded in `schema_migrations`.
@Suite("PostgreSQL: migrations")
struct PostgresMigrationIdsTests {
    @Test func theMigrationIdsInOrder() {
        #expect(PostgresMigrations.all.map(\.id) == ["v1", "settings", "dispatch-dead-letters", "login-links", "leases", "rollup-slots", "partitions", "ingestion-errors-body-kind", "click-journals", "audience-segments", "profiles-phone-index", "message-log-indexes", "webhooks", "latency-histograms", "dispatch-suspects", "raw-purge-marks", "purged-event-keys", "provider-prices", "signature-nonces", "message-network", "webhook-fanout"])
    }
}
