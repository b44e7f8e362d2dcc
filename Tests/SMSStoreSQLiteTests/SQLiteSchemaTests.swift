import Foundation
import GRDB
import SMSCore
import Testing

@testable import SMSStoreSQLite

/// The SQLite schema gathered in one file (``SQLiteSchema``) is the schema the migrations spread
/// over six files built: the same migration identifiers in the same order (databases in the field
/// have them recorded in `grdb_migrations`), the same tables and indexes, and a database left by
/// the earlier migrator opens without running anything again.
@Suite("SQLite schema: one file, the same migrations")
struct SQLiteSchemaTests {
    /// Every migration identifier, in the order the earlier migrator applied them.
    static let identifiers = [
        "v1", "v2-clicks-by-campaign", "callbacks-v2", "v2-stats-delivery-error-descriptions", "dispatch-claims",
        "click-journal", "settings", "dispatch-dead-letters", "ingestion-errors-raw-bytes", "login-links", "leases",
        "ingestion-errors-body-kind",
        "audience-segments", "profiles-phone-index", "message-log-indexes", "webhooks", "latency-histograms",
        "dispatch-suspects", "raw-purge-marks", "purged-event-keys", "provider-prices", "signature-nonces", "message-network", "webhook-fanout",
    ]

    /// `sqlite_master.sql` of a database the earlier migrator (commit 9a196ae, `smsstats serve`)
    /// created, plus the later `login-links` table, `leases` columns, `audience_segments` table, `profiles_phone` index, the message log's indexes, the webhook tables, the `messages_suspects` index, the `provider_prices` table, the `signature_nonces` table and the `messages.network` column,
    /// whitespace collapsed, ordered by type then name.
    static let earlierSchema = """
        CREATE INDEX clicks_campaign ON clicks (campaign_id, is_bot, id)
        CREATE INDEX clicks_message ON clicks (message_id)
        CREATE INDEX conversion_events_user ON conversion_events (user_id, name)
        CREATE UNIQUE INDEX message_events_dedup ON message_events (message_id, dedup_key)
        CREATE INDEX messages_answered ON messages (id) WHERE answer_outcome IS NOT NULL
        CREATE INDEX messages_campaign_log ON messages (campaign_id, id)
        CREATE INDEX messages_claimed ON messages (send_attempt) WHERE send_attempt IS NOT NULL
        CREATE INDEX messages_dead_letters ON messages (campaign_id, id) WHERE dead_letter IS NOT NULL
        CREATE INDEX messages_phone ON messages (phone) WHERE phone IS NOT NULL
        CREATE INDEX messages_provider_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL
        CREATE INDEX messages_queue ON messages (campaign_id, dispatch, id)
        CREATE INDEX messages_suspects ON messages (campaign_id, id) WHERE dispatch = 'queued' AND dispatch_attempts > 0
        CREATE INDEX messages_user ON messages (user_id)
        CREATE INDEX pending_callbacks_meta ON pending_callbacks (meta)
        CREATE INDEX pending_callbacks_provider_key ON pending_callbacks (provider_key) WHERE provider_key IS NOT NULL
        CREATE INDEX pending_callbacks_received ON pending_callbacks (received_at)
        CREATE INDEX profiles_phone ON profiles (phone)
        CREATE INDEX short_links_message ON short_links (message_id, link_index)
        CREATE INDEX signature_nonces_expiry ON signature_nonces (expires_at)
        CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, subscription_id, id) WHERE status = 'pending'
        CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, status, id)
        CREATE INDEX webhook_outbox_user ON webhook_outbox (user_id) WHERE user_id IS NOT NULL
        CREATE TABLE audience_segments ( id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)
        CREATE TABLE campaign_conversions ( campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, control INTEGER NOT NULL, converted INTEGER NOT NULL, click_through INTEGER NOT NULL, revenue_cents INTEGER NOT NULL, PRIMARY KEY (campaign_id, user_id)) WITHOUT ROWID
        CREATE TABLE campaigns ( id TEXT PRIMARY KEY, json TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL, published_at INTEGER, consecutive_dead_letters INTEGER NOT NULL DEFAULT 0)
        CREATE TABLE click_journal_position ( id INTEGER PRIMARY KEY CHECK (id = 1), segment INTEGER NOT NULL, byte_offset INTEGER NOT NULL)
        CREATE TABLE clicks ( id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, message_id INTEGER NOT NULL, campaign_id TEXT NOT NULL, link_index INTEGER NOT NULL, at INTEGER NOT NULL, user_agent TEXT, ip_hash TEXT, is_bot INTEGER NOT NULL, bot_reason TEXT, click_id TEXT)
        CREATE TABLE conversion_events ( event_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, ts INTEGER NOT NULL, properties TEXT NOT NULL, received_at INTEGER NOT NULL)
        CREATE TABLE delivery_error_descriptions ( campaign_id TEXT NOT NULL, code TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (campaign_id, code)) WITHOUT ROWID
        CREATE TABLE "ingestion_errors" ( id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, provider_id TEXT, reason TEXT NOT NULL, raw BLOB NOT NULL, received_at INTEGER NOT NULL, replayed_at INTEGER, body_kind TEXT)
        CREATE TABLE login_links ( token_hash TEXT PRIMARY KEY, next TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL ) WITHOUT ROWID
        CREATE TABLE "message_events" ( id INTEGER PRIMARY KEY, dedup_key TEXT NOT NULL, message_id INTEGER NOT NULL, provider_id TEXT NOT NULL, kind TEXT NOT NULL, ts INTEGER, effective_ts INTEGER NOT NULL, code TEXT, description TEXT, payload TEXT NOT NULL, received_at INTEGER NOT NULL)
        CREATE TABLE messages ( id INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, phone TEXT, meta TEXT NOT NULL UNIQUE, body TEXT NOT NULL, segments INTEGER NOT NULL, variant INTEGER NOT NULL DEFAULT 0, provider_message_id TEXT, dispatch TEXT NOT NULL, dispatched_at INTEGER, dispatch_error_reason TEXT, submitted_at INTEGER, delivered_at INTEGER, failure_code TEXT, failure_description TEXT, failure_at INTEGER, first_click_at INTEGER, first_event_at INTEGER, created_at INTEGER NOT NULL, send_attempt TEXT, template_variables TEXT, dispatch_attempts INTEGER NOT NULL DEFAULT 0, answer_outcome TEXT, answer_at INTEGER, answer_reason TEXT, answer_attempts INTEGER NOT NULL DEFAULT 0, answer_error TEXT, dead_letter TEXT, dead_lettered_at INTEGER, claim_node TEXT, lease_expires_at INTEGER, network TEXT, UNIQUE (campaign_id, user_id))
        CREATE TABLE pending_callbacks ( id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL UNIQUE, provider_id TEXT NOT NULL, meta TEXT NOT NULL, payload TEXT NOT NULL, received_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, provider_key TEXT, last_attempt_at INTEGER)
        CREATE TABLE profiles ( user_id TEXT PRIMARY KEY, phone TEXT, phone_valid INTEGER NOT NULL, name TEXT, properties TEXT NOT NULL DEFAULT '{}', opted_out INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL)
        CREATE TABLE provider_prices ( provider_id TEXT PRIMARY KEY, currency TEXT NOT NULL, default_micros INTEGER NOT NULL, per_country TEXT NOT NULL, updated_at INTEGER NOT NULL)
        CREATE TABLE providers ( id TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL)
        CREATE TABLE purged_event_keys ( message_id INTEGER NOT NULL, dedup_key TEXT NOT NULL, PRIMARY KEY (message_id, dedup_key)) WITHOUT ROWID
        CREATE TABLE raw_purges ( campaign_id TEXT PRIMARY KEY, purged_at INTEGER NOT NULL, late INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID
        CREATE TABLE rollups ( campaign_id TEXT NOT NULL, variant INTEGER NOT NULL, metric TEXT NOT NULL, dim TEXT NOT NULL, bucket INTEGER NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (campaign_id, variant, metric, dim, bucket)) WITHOUT ROWID
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID
        CREATE TABLE short_links ( code TEXT PRIMARY KEY, message_id INTEGER NOT NULL, campaign_id TEXT NOT NULL, link_index INTEGER NOT NULL, url TEXT NOT NULL, expires_at INTEGER NOT NULL, human_clicks INTEGER NOT NULL DEFAULT 0)
        CREATE TABLE signature_nonces (nonce_key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID
        CREATE TABLE "webhook_outbox" ( id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, subscription_id INTEGER NOT NULL, type TEXT NOT NULL, campaign_id TEXT, message_id INTEGER, user_id TEXT, version INTEGER NOT NULL, occurred_at INTEGER NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, lease_holder TEXT, lease_expires_at INTEGER, last_error TEXT, delivered_at INTEGER, created_at INTEGER NOT NULL)
        CREATE TABLE webhook_subscriptions ( id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, events TEXT NOT NULL, campaign_id TEXT, secret TEXT NOT NULL, enabled INTEGER NOT NULL, disabled_reason TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_status INTEGER, last_error TEXT, last_attempt_at INTEGER, last_latency_ms INTEGER, consecutive_failures INTEGER NOT NULL DEFAULT 0, failed_attempts INTEGER NOT NULL DEFAULT 0, delivered_events INTEGER NOT NULL DEFAULT 0, fanout_position INTEGER)
        CREATE TRIGGER clicks_raw_late AFTER INSERT ON clicks BEGIN UPDATE raw_purges SET late = 1 WHERE campaign_id = NEW.campaign_id; END
        CREATE TRIGGER message_events_purged_key BEFORE INSERT ON message_events WHEN EXISTS (SELECT 1 FROM purged_event_keys WHERE message_id = NEW.message_id AND dedup_key = NEW.dedup_key) BEGIN SELECT RAISE(IGNORE); END
        CREATE TRIGGER message_events_raw_late AFTER INSERT ON message_events BEGIN UPDATE raw_purges SET late = 1 WHERE campaign_id = (SELECT campaign_id FROM messages WHERE id = NEW.message_id); END
        """

    /// The schema of `db` as ``earlierSchema`` lists it.
    static func schema(_ db: Database) throws -> String {
        try String.fetchAll(
            db, sql: "SELECT sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL AND name != 'grdb_migrations' ORDER BY type, name"
        ).map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.joined(separator: "\n")
    }

    static func tempPath() throws -> (dir: String, path: String) {
        let dir = NSTemporaryDirectory() + "smsstats-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (dir, dir + "/db.sqlite")
    }

    @Test func theMigrationIdentifiersAreTheEarlierOnesInOrder() {
        #expect(SQLiteSchema.migrator.migrations == Self.identifiers)
    }

    @Test func aNewDatabaseHasTheEarlierSchema() throws {
        let queue = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(queue)
        let schema = try queue.read { db in try Self.schema(db) }
        #expect(schema == Self.earlierSchema)
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") } == Self.identifiers)
    }

    /// A database as the earlier migrator left it (its tables, indexes and recorded identifiers)
    /// opens as a store: nothing runs again, the schema stays, and it is usable.
    @Test func aDatabaseOfTheEarlierMigratorOpensUnchanged() async throws {
        let (dir, path) = try Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                let statements = Self.earlierSchema.split(separator: "\n").map(String.init)
                for s in statements where s.hasPrefix("CREATE TABLE") { try db.execute(sql: s) }
                for s in statements where !s.hasPrefix("CREATE TABLE") { try db.execute(sql: s) }
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for id in Self.identifiers { try db.execute(sql: "INSERT INTO grdb_migrations VALUES (?)", arguments: [id]) }
            }
        }
        let store = try SQLiteStore(path: path)
        #expect(try await store.setting(key: "k", insertingIfAbsent: "v1") == "v1")
        #expect(try await store.setting(key: "k", insertingIfAbsent: "v2") == "v1")
        let queue = try DatabaseQueue(path: path)
        #expect(try await queue.read { db in try Self.schema(db) } == Self.earlierSchema)
        #expect(try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") } == Self.identifiers.count)
    }

    /// A database the earlier migrator stopped half-way (before `dispatch-claims`) gets the rest.
    @Test func aHalfMigratedDatabaseGetsTheRest() async throws {
        let (dir, path) = try Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "v2-stats-delivery-error-descriptions")
        }
        _ = try SQLiteStore(path: path)
        let queue = try DatabaseQueue(path: path)
        #expect(try await queue.read { db in try Self.schema(db) } == Self.earlierSchema)
    }
}
