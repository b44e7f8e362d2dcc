import GRDB

/// Schema migrations. Never edit a shipped migration: add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE providers (
                    id TEXT PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE profiles (
                    user_id TEXT PRIMARY KEY, phone TEXT, phone_valid INTEGER NOT NULL, name TEXT,
                    properties TEXT NOT NULL DEFAULT '{}', opted_out INTEGER NOT NULL DEFAULT 0,
                    updated_at INTEGER NOT NULL);
                CREATE TABLE campaigns (
                    id TEXT PRIMARY KEY, json TEXT NOT NULL, status TEXT NOT NULL,
                    created_at INTEGER NOT NULL, published_at INTEGER);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, phone TEXT,
                    meta TEXT NOT NULL UNIQUE, body TEXT NOT NULL, segments INTEGER NOT NULL,
                    variant INTEGER NOT NULL DEFAULT 0, provider_message_id TEXT,
                    dispatch TEXT NOT NULL, dispatched_at INTEGER, dispatch_error_reason TEXT,
                    submitted_at INTEGER, delivered_at INTEGER,
                    failure_code TEXT, failure_description TEXT, failure_at INTEGER,
                    first_click_at INTEGER, first_event_at INTEGER,
                    created_at INTEGER NOT NULL,
                    UNIQUE (campaign_id, user_id));
                CREATE INDEX messages_queue ON messages (campaign_id, dispatch, id);
                CREATE INDEX messages_user ON messages (user_id);
                CREATE INDEX messages_provider_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;
                CREATE TABLE short_links (
                    code TEXT PRIMARY KEY, message_id INTEGER NOT NULL, campaign_id TEXT NOT NULL,
                    link_index INTEGER NOT NULL, url TEXT NOT NULL, expires_at INTEGER NOT NULL,
                    human_clicks INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX short_links_message ON short_links (message_id, link_index);
                CREATE TABLE message_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL UNIQUE,
                    message_id INTEGER NOT NULL, provider_id TEXT NOT NULL, kind TEXT NOT NULL,
                    ts INTEGER, effective_ts INTEGER NOT NULL, code TEXT, description TEXT,
                    payload TEXT NOT NULL, received_at INTEGER NOT NULL);
                CREATE INDEX message_events_message ON message_events (message_id);
                CREATE TABLE pending_callbacks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL UNIQUE,
                    provider_id TEXT NOT NULL, meta TEXT NOT NULL, payload TEXT NOT NULL,
                    received_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
                CREATE INDEX pending_callbacks_meta ON pending_callbacks (meta);
                CREATE TABLE clicks (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL,
                    message_id INTEGER NOT NULL, campaign_id TEXT NOT NULL, link_index INTEGER NOT NULL,
                    at INTEGER NOT NULL, user_agent TEXT, ip_hash TEXT, is_bot INTEGER NOT NULL,
                    bot_reason TEXT);
                CREATE INDEX clicks_message ON clicks (message_id);
                CREATE TABLE conversion_events (
                    event_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL,
                    ts INTEGER NOT NULL, properties TEXT NOT NULL, received_at INTEGER NOT NULL);
                CREATE INDEX conversion_events_user ON conversion_events (user_id, name);
                CREATE TABLE campaign_conversions (
                    campaign_id TEXT NOT NULL, user_id TEXT NOT NULL, control INTEGER NOT NULL,
                    converted INTEGER NOT NULL, click_through INTEGER NOT NULL,
                    revenue_cents INTEGER NOT NULL, PRIMARY KEY (campaign_id, user_id)) WITHOUT ROWID;
                CREATE TABLE rollups (
                    campaign_id TEXT NOT NULL, variant INTEGER NOT NULL, metric TEXT NOT NULL,
                    dim TEXT NOT NULL, bucket INTEGER NOT NULL, value INTEGER NOT NULL,
                    PRIMARY KEY (campaign_id, variant, metric, dim, bucket)) WITHOUT ROWID;
                CREATE TABLE ingestion_errors (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, provider_id TEXT,
                    reason TEXT NOT NULL, raw TEXT NOT NULL, received_at INTEGER NOT NULL,
                    replayed_at INTEGER);
                """)
        }
        m.registerMigration("v2-clicks-by-campaign") { db in
            // Listing a campaign's redirect hits (GET /api/v1/campaigns/{id}/hits), newest first.
            try db.execute(sql: "CREATE INDEX clicks_campaign ON clicks (campaign_id, is_bot, id)")
        }
        m.registerMigration("callbacks-v2", migrate: CallbackMigrations.v2)
        registerStats(&m)
        registerDispatchMigrations(&m)
        registerClickJournalMigrations(&m)
        registerSettingsMigrations(&m)
        registerDeadLetterMigrations(&m)
        registerRawBytesMigrations(&m)
        registerLoginLinkMigrations(&m)
        registerLeaseMigrations(&m)
        return m
    }
}
