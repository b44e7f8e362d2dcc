import GRDB
import SMSCore

/// The SQLite store's schema, top to bottom: every migration in the order it is applied. GRDB
/// records each identifier in `grdb_migrations`, so an existing database runs only the ones it
/// lacks. Never edit, rename or reorder a shipped migration (databases in the field have applied
/// it): add a new one at the end. The PostgreSQL store's translation is ``PostgresMigrations``.
enum SQLiteSchema {
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
        // Pending items remember the provider's (normalised) message id, so a receipt that beat the
        // dispatcher's commit is matched when the send answer's id is stored, and when they were
        // last tried, so the periodic re-match goes round all of them.
        //
        // The event log's dedup constraint becomes UNIQUE (message_id, dedup_key), replacing the
        // UNIQUE on dedup_key alone and the plain index on message_id: the same event always resolves
        // to the same message, so deduplication is unchanged, but a batch's inserts now land on the few
        // index pages of its (clustered) messages instead of ~one random page per item (a random
        // 36-byte hash key dirtied ~100 index pages per 100-item commit, most of the WAL volume in
        // the callbacks benchmark). The table is rebuilt without AUTOINCREMENT (event ids need not
        // be unique forever, and AUTOINCREMENT costs a `sqlite_sequence` write per event).
        m.registerMigration("callbacks-v2") { db in
            try db.execute(sql: """
                CREATE TABLE message_events_v2 (
                    id INTEGER PRIMARY KEY, dedup_key TEXT NOT NULL,
                    message_id INTEGER NOT NULL, provider_id TEXT NOT NULL, kind TEXT NOT NULL,
                    ts INTEGER, effective_ts INTEGER NOT NULL, code TEXT, description TEXT,
                    payload TEXT NOT NULL, received_at INTEGER NOT NULL);
                INSERT INTO message_events_v2 (id, dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description,
                  payload, received_at)
                  SELECT id, dedup_key, message_id, provider_id, kind, ts, effective_ts, code, description, payload, received_at
                  FROM message_events;
                DROP TABLE message_events;
                ALTER TABLE message_events_v2 RENAME TO message_events;
                CREATE UNIQUE INDEX message_events_dedup ON message_events (message_id, dedup_key);
                ALTER TABLE pending_callbacks ADD COLUMN provider_key TEXT;
                ALTER TABLE pending_callbacks ADD COLUMN last_attempt_at INTEGER;
                CREATE INDEX pending_callbacks_provider_key ON pending_callbacks (provider_key) WHERE provider_key IS NOT NULL;
                CREATE INDEX pending_callbacks_received ON pending_callbacks (received_at);
                """)
        }
        // The provider's own description of each delivery error code seen in a campaign, kept so
        // the Errors tab can show it for codes the catalog does not know (`docs/DOMAIN.md` §3). Filled
        // when a failed receipt is applied; the smallest description wins (order-independent).
        m.registerMigration("v2-stats-delivery-error-descriptions") { db in
            try db.execute(sql: """
                CREATE TABLE delivery_error_descriptions (
                    campaign_id TEXT NOT NULL, code TEXT NOT NULL, description TEXT NOT NULL,
                    PRIMARY KEY (campaign_id, code)) WITHOUT ROWID;
                """)
        }
        // Dispatch claims (`send_attempt`: the attempt id of a message whose provider call is in
        // flight) and the `$$TemplateVariables` value of each message.
        m.registerMigration("dispatch-claims") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN send_attempt TEXT;
                ALTER TABLE messages ADD COLUMN template_variables TEXT;
                CREATE INDEX messages_claimed ON messages (send_attempt) WHERE send_attempt IS NOT NULL;
                """)
        }
        // The click journal: the id of each journaled hit on its click row, and the applied position
        // (one row).
        m.registerMigration("click-journal") { db in
            try db.execute(sql: """
                ALTER TABLE clicks ADD COLUMN click_id TEXT;
                CREATE TABLE click_journal_position (
                    id INTEGER PRIMARY KEY CHECK (id = 1), segment INTEGER NOT NULL, byte_offset INTEGER NOT NULL);
                """)
        }
        // `settings`: small installation-wide values by key (the IP-hash salt).
        m.registerMigration("settings") { db in
            try db.execute(sql: "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        }
        // Provider calls per message (`dispatch_attempts`), the recorded provider answer waiting for
        // its derived work (`answer_*`), dead letters, and a campaign's run of dead letters.
        m.registerMigration("dispatch-dead-letters") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN dispatch_attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE messages ADD COLUMN answer_outcome TEXT;
                ALTER TABLE messages ADD COLUMN answer_at INTEGER;
                ALTER TABLE messages ADD COLUMN answer_reason TEXT;
                ALTER TABLE messages ADD COLUMN answer_attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE messages ADD COLUMN answer_error TEXT;
                ALTER TABLE messages ADD COLUMN dead_letter TEXT;
                ALTER TABLE messages ADD COLUMN dead_lettered_at INTEGER;
                CREATE INDEX messages_answered ON messages (id) WHERE answer_outcome IS NOT NULL;
                CREATE INDEX messages_dead_letters ON messages (campaign_id, id) WHERE dead_letter IS NOT NULL;
                ALTER TABLE campaigns ADD COLUMN consecutive_dead_letters INTEGER NOT NULL DEFAULT 0;
                """)
        }
        // `ingestion_errors.raw` becomes a BLOB: raw input is kept byte for byte (NUL, UTF-16, invalid
        // UTF-8), where TEXT was cut at a NUL when read. The table is rebuilt with its rows (ids and
        // the AUTOINCREMENT sequence kept); each stored text becomes the blob of its UTF-8 bytes.
        m.registerMigration("ingestion-errors-raw-bytes") { db in
            try db.execute(sql: """
                CREATE TABLE ingestion_errors_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, provider_id TEXT,
                    reason TEXT NOT NULL, raw BLOB NOT NULL, received_at INTEGER NOT NULL,
                    replayed_at INTEGER);
                INSERT INTO ingestion_errors_new (id, source, provider_id, reason, raw, received_at, replayed_at)
                    SELECT id, source, provider_id, reason, CAST(raw AS BLOB), received_at, replayed_at FROM ingestion_errors;
                DROP TABLE ingestion_errors;
                ALTER TABLE ingestion_errors_new RENAME TO ingestion_errors;
                """)
        }
        // `login_links`: one-time sign-in links by token hash (additive: a server of the previous
        // release ignores the table).
        m.registerMigration("login-links") { db in
            try db.execute(sql: """
                CREATE TABLE login_links (
                    token_hash TEXT PRIMARY KEY, next TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
        }
        // Claim leases: the claiming node (``NodeIdentity/holder``) and the lease's expiry (epoch
        // seconds). Additive: a server of the previous release ignores the columns.
        m.registerMigration("leases") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN claim_node TEXT;
                ALTER TABLE messages ADD COLUMN lease_expires_at INTEGER;
                """)
        }
        // How a callback's bytes were read (CallbackBodyKind: 'json' or 'fields'); NULL on older rows.
        m.registerMigration("ingestion-errors-body-kind") { db in
            try db.execute(sql: "ALTER TABLE ingestion_errors ADD COLUMN body_kind TEXT")
        }
        // Saved audience segments (issue 15): the definition as JSON (`AudienceSegment.Definition`).
        // Additive: a server of the previous release ignores the table.
        m.registerMigration("audience-segments") { db in
            try db.execute(sql: """
                CREATE TABLE audience_segments (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL,
                    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)
                """)
        }
        // An index serving the profile search's phone prefix (`phone GLOB '+49151*'`, issue 15);
        // BINARY, as GLOB needs. Additive.
        m.registerMigration("profiles-phone-index") { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS profiles_phone ON profiles (phone)")
        }
        // The message log (issue 17) pages a campaign's messages by id (keyset); the phone index
        // serves the support lookup by phone. Additive.
        m.registerMigration("message-log-indexes") { db in
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS messages_campaign_log ON messages (campaign_id, id);
                CREATE INDEX IF NOT EXISTS messages_phone ON messages (phone) WHERE phone IS NOT NULL;
                """)
        }
        // Outbound webhooks (issue 17): subscriptions with their delivery stats, and the durable
        // outbox, one row per (event, subscription), written in the transaction of the state change
        // that caused the event and leased by the delivery worker (`lease_holder`,
        // `lease_expires_at`). `status`: 'pending', 'delivered' or 'failed' (given up; replayable).
        // Additive: a server of the previous release ignores the tables.
        m.registerMigration("webhooks") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_subscriptions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, events TEXT NOT NULL,
                    campaign_id TEXT, secret TEXT NOT NULL, enabled INTEGER NOT NULL, disabled_reason TEXT,
                    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                    last_status INTEGER, last_error TEXT, last_attempt_at INTEGER, last_latency_ms INTEGER,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0, failed_attempts INTEGER NOT NULL DEFAULT 0,
                    delivered_events INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE webhook_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, subscription_id INTEGER NOT NULL,
                    type TEXT NOT NULL, campaign_id TEXT, message_id INTEGER, user_id TEXT,
                    version INTEGER NOT NULL, occurred_at INTEGER NOT NULL, payload TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL, lease_holder TEXT, lease_expires_at INTEGER,
                    last_error TEXT, delivered_at INTEGER, created_at INTEGER NOT NULL,
                    UNIQUE (subscription_id, event_id));
                CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, subscription_id, id) WHERE status = 'pending';
                CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, status, id);
                CREATE INDEX webhook_outbox_user ON webhook_outbox (user_id) WHERE user_id IS NOT NULL;
                """)
        }
        // The latency histograms of issue 18 (`delivery_latency`, `first_click_latency` rollup
        // cells, ``LatencyHistogram``), backfilled from every stored message's state by the core's
        // own rule (``MessageContribution/latencyCells(of:)``), so existing campaigns show their
        // latency and `reconcile` finds no drift.
        m.registerMigration("latency-histograms") { db in
            var rollups = RollupWriter()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT \(MessageRow.columns) FROM messages WHERE delivered_at IS NOT NULL OR first_click_at IS NOT NULL
                """)
            while let row = try rows.next() {
                let message = MessageRow(positional: row)
                rollups.add(MessageContribution.latencyCells(of: message.state), campaignId: message.campaignId, variant: message.variant)
            }
            try rollups.flush(db)
        }
        // Queued messages that already had a provider call (``SuspectClaim``): every claim asks
        // whether the campaign has one, so the question reads this small index. Additive.
        m.registerMigration("dispatch-suspects") { db in
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS messages_suspects ON messages (campaign_id, id) WHERE dispatch = 'queued' AND dispatch_attempts > 0
                """)
        }
        // Retention marks (issue 15, ``RawRetention``): one row per campaign whose raw history was
        // purged; `late` = 1 once a receipt log row or a redirect hit of that campaign is written
        // after its last purge (the triggers mark it, whichever path writes the row), so a
        // retention pass revisits only those. Campaigns purged before this migration are marked
        // late once (one more pass finds out).
        m.registerMigration("raw-purge-marks") { db in
            try db.execute(sql: """
                CREATE TABLE raw_purges (
                    campaign_id TEXT PRIMARY KEY, purged_at INTEGER NOT NULL, late INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
                CREATE TRIGGER message_events_raw_late AFTER INSERT ON message_events BEGIN
                    UPDATE raw_purges SET late = 1 WHERE campaign_id = (SELECT campaign_id FROM messages WHERE id = NEW.message_id);
                END;
                CREATE TRIGGER clicks_raw_late AFTER INSERT ON clicks BEGIN
                    UPDATE raw_purges SET late = 1 WHERE campaign_id = NEW.campaign_id;
                END;
                INSERT INTO raw_purges (campaign_id, purged_at, late)
                    SELECT id, json_extract(json, '$.rawPurgedAt'), 1 FROM campaigns WHERE json_extract(json, '$.rawPurgedAt') IS NOT NULL;
                """)
        }
        // Dedup keys of purged receipt-log rows (issue 15, ``RawRetention``): a purge keeps each
        // removed row's (message id, dedup key), 36 characters of an FNV-1a hash
        // (``CallbackDedupKey``), and the trigger skips an insert whose key is kept, as the log's
        // unique index does while the row is there: a provider repeating a callback after the
        // purge changes nothing, so the stats stay exact.
        m.registerMigration("purged-event-keys") { db in
            try db.execute(sql: """
                CREATE TABLE purged_event_keys (
                    message_id INTEGER NOT NULL, dedup_key TEXT NOT NULL, PRIMARY KEY (message_id, dedup_key)) WITHOUT ROWID;
                CREATE TRIGGER message_events_purged_key BEFORE INSERT ON message_events
                WHEN EXISTS (SELECT 1 FROM purged_event_keys WHERE message_id = NEW.message_id AND dedup_key = NEW.dedup_key)
                BEGIN SELECT RAISE(IGNORE); END;
                """)
        }
        // Providers' price tables (issue 18, ``PriceTable``): exact integer micro-units (1/1,000,000
        // of a major unit); `per_country` is a JSON object of country → micro-units. Additive.
        m.registerMigration("provider-prices") { db in
            try db.execute(sql: """
                CREATE TABLE provider_prices (
                    provider_id TEXT PRIMARY KEY, currency TEXT NOT NULL, default_micros INTEGER NOT NULL,
                    per_country TEXT NOT NULL, updated_at INTEGER NOT NULL)
                """)
        }
        // The nonces of signed provider callbacks already accepted (issue 16, ``SignatureReplay``):
        // the key (hex SHA-256) and the first second it is forgotten; swept by its index. Additive.
        m.registerMigration("signature-nonces") { db in
            try db.execute(sql: """
                CREATE TABLE signature_nonces (nonce_key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
                CREATE INDEX signature_nonces_expiry ON signature_nonces (expires_at);
                """)
        }
        // The carrier / network (MCC-MNC) the message's callbacks reported (issue 18,
        // ``NetworkCode``): the smallest valid code, written by the callback paths. Additive; no
        // backfill (no callback logged before this release kept a network).
        m.registerMigration("message-network") { db in
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN network TEXT")
        }
        // Webhook fan-out at lease time (issue 17, ``WebhookFanout``, BENCHMARKS.md "webhooks"): a
        // state change writes one outbox row per event (`subscription_id` 0, `status` 'event'), and
        // the delivery worker copies it into a row per subscription that takes it, moving the
        // subscription's `fanout_position` (the last event row id fanned out to it; NULL: not yet
        // placed, the head at the next pass) past it. The `(subscription_id, event_id)` UNIQUE
        // index goes (SQLite drops a table constraint only by rebuilding the table: same columns,
        // rows and indexes). Additive for a server of the previous release: it writes and delivers
        // rows per subscription as before (the new code delivers those too), and never sees the
        // event rows (no subscription 0). Existing subscriptions start at 0: no event row exists yet.
        m.registerMigration("webhook-fanout") { db in
            try db.execute(sql: """
                CREATE TABLE webhook_outbox_fanout (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, subscription_id INTEGER NOT NULL,
                    type TEXT NOT NULL, campaign_id TEXT, message_id INTEGER, user_id TEXT,
                    version INTEGER NOT NULL, occurred_at INTEGER NOT NULL, payload TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL, lease_holder TEXT, lease_expires_at INTEGER,
                    last_error TEXT, delivered_at INTEGER, created_at INTEGER NOT NULL);
                INSERT INTO webhook_outbox_fanout SELECT * FROM webhook_outbox;
                DROP TABLE webhook_outbox;
                ALTER TABLE webhook_outbox_fanout RENAME TO webhook_outbox;
                CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, subscription_id, id) WHERE status = 'pending';
                CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, status, id);
                CREATE INDEX webhook_outbox_user ON webhook_outbox (user_id) WHERE user_id IS NOT NULL;
                ALTER TABLE webhook_subscriptions ADD COLUMN fanout_position INTEGER;
                UPDATE webhook_subscriptions SET fanout_position = 0;
                """)
        }
        return m
    }
}
