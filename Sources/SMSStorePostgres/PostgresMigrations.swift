import Foundation
import PostgresNIO
import SMSCore

/// The PostgreSQL store's schema, top to bottom in this file: versioned migrations, recorded in
/// `schema_migrations (id, applied_at)`. Applied in one transaction under an advisory lock, so
/// servers starting together migrate once. Never edit a shipped migration: add a new one at the
/// end of ``all``.
///
/// The schema is the SQLite store's (`SQLiteSchema`, all versions applied) translated:
/// `BIGINT` integers and identity ids, `BOOLEAN` flags, JSON as `TEXT`, `BYTEA` for raw input
/// (which may hold any byte), and `COLLATE "C"` on keys and compared text so ordering and
/// `LEAST` are byte order, as in SQLite and in Swift's ``RollupRecount``, whatever the
/// database's locale.
enum PostgresMigrations {
    static let all: [(id: String, sql: String)] = [
        ("v1", v1), ("settings", settings), ("dispatch-dead-letters", deadLetters),
        ("login-links", loginLinks), ("leases", leases), ("rollup-slots", rollupSlots), ("partitions", partitions),
        ("ingestion-errors-body-kind", ingestionErrorsBodyKind),
        ("click-journals", clickJournals),
        ("audience-segments", audienceSegments),
        ("profiles-phone-index", profilesPhoneIndex),
        ("message-log-indexes", messageLogIndexes),
        ("webhooks", webhooks),
        ("latency-histograms", ""),
        ("dispatch-suspects", dispatchSuspects),
        ("raw-purge-marks", rawPurgeMarks),
        ("purged-event-keys", purgedEventKeys),
        ("provider-prices", providerPrices),
        ("signature-nonces", signatureNonces),
        ("message-network", messageNetwork),
        ("webhook-fanout", webhookFanout),
    ]

    /// Work in Swift after a migration's SQL, in the same transaction, by migration id.
    static let steps: [String: @Sendable (PGTx) async throws -> Void] = [
        "partitions": PGPartitions.attachInitial, "latency-histograms": backfillLatency,
    ]

    /// The latency histograms of issue 18 (``LatencyHistogram``): every stored message's cells by
    /// the core's rule (``MessageContribution/latencyCells(of:)``), read in pages of 10,000 by id
    /// and written to the folded `rollups` (as SQLite's migration of the same name). A node of the
    /// previous release running meanwhile writes no latency cells for the messages it changes;
    /// `smsstats reconcile --repair` recounts those.
    @Sendable static func backfillLatency(_ tx: PGTx) async throws {
        var rollups = PGRollupWriter()
        rollups.slot = nil
        var after: Int64 = 0
        while true {
            let rows = try await tx.rows("""
                SELECT \(unescaped: PGMessageRow.columns) FROM messages
                WHERE id > \(after) AND (delivered_at IS NOT NULL OR first_click_at IS NOT NULL) ORDER BY id LIMIT 10000
                """)
            for r in rows {
                let message = try PGMessageRow(r)
                rollups.add(MessageContribution.latencyCells(of: message.state), campaignId: message.campaignId, variant: message.variant)
                after = message.id
            }
            if rows.count < 10000 { break }
        }
        try await rollups.flush(tx)
    }

    /// ``all`` up to and including `id` (`nil`: all).
    static func through(_ id: String?) -> [(id: String, sql: String)] {
        guard let id, let end = all.firstIndex(where: { $0.id == id }) else { return all }
        return Array(all[...end])
    }

    /// Applies the migrations not yet recorded, in order; `migrations`: a prefix of ``all`` for a
    /// test that builds a database of an earlier release.
    static func migrate(_ store: PostgresStore, _ migrations: [(id: String, sql: String)] = all) async throws {
        let schema = store.schema
        try await store.write { tx in
            // A fixed key for "migrating" (any 64-bit number unlikely to be used elsewhere).
            try await tx.exec("SELECT pg_advisory_xact_lock(\(Int64(0x534D_5353_7461_7473)))")
            if let schema {
                // The URL's schema (operator configuration), quoted as an identifier.
                let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try await tx.exec(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS " + quoted))
            }
            try await tx.exec("""
                CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)
                """)
            let done = Set(try await tx.rows("SELECT id FROM schema_migrations").map { try $0.at(0, String.self) })
            for m in migrations where !done.contains(m.id) {
                // One statement at a time (the extended protocol runs one per query).
                for statement in m.sql.components(separatedBy: ";\n") {
                    let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines.union([";"]))
                    if !sql.isEmpty { try await tx.exec(PostgresQuery(unsafeSQL: sql)) }
                }
                if let step = steps[m.id] { try await step(tx) }
                try await tx.exec(
                    "INSERT INTO schema_migrations (id, applied_at) VALUES (\(m.id), \(Int64(Date().timeIntervalSince1970)))")
            }
        }
    }

    static let v1 = """
        CREATE TABLE providers (
            id TEXT COLLATE "C" PRIMARY KEY, json TEXT NOT NULL, created_at BIGINT NOT NULL);
        CREATE TABLE profiles (
            user_id TEXT COLLATE "C" PRIMARY KEY, phone TEXT, phone_valid BOOLEAN NOT NULL, name TEXT,
            properties TEXT NOT NULL DEFAULT '{}', opted_out BOOLEAN NOT NULL DEFAULT FALSE,
            updated_at BIGINT NOT NULL);
        CREATE TABLE campaigns (
            id TEXT COLLATE "C" PRIMARY KEY, json TEXT NOT NULL, status TEXT NOT NULL,
            created_at BIGINT NOT NULL, published_at BIGINT);
        CREATE TABLE messages (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            campaign_id TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, phone TEXT,
            meta TEXT COLLATE "C" NOT NULL UNIQUE, body TEXT NOT NULL, segments BIGINT NOT NULL,
            variant BIGINT NOT NULL DEFAULT 0, provider_message_id TEXT COLLATE "C",
            dispatch TEXT NOT NULL, dispatched_at BIGINT, dispatch_error_reason TEXT COLLATE "C",
            submitted_at BIGINT, delivered_at BIGINT,
            failure_code TEXT COLLATE "C", failure_description TEXT COLLATE "C", failure_at BIGINT,
            first_click_at BIGINT, first_event_at BIGINT,
            created_at BIGINT NOT NULL,
            send_attempt TEXT, template_variables TEXT,
            UNIQUE (campaign_id, user_id));
        CREATE INDEX messages_queue ON messages (campaign_id, dispatch, id);
        CREATE INDEX messages_user ON messages (user_id);
        CREATE INDEX messages_provider_id ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;
        CREATE INDEX messages_claimed ON messages (send_attempt) WHERE send_attempt IS NOT NULL;
        CREATE TABLE short_links (
            code TEXT COLLATE "C" PRIMARY KEY, message_id BIGINT NOT NULL, campaign_id TEXT COLLATE "C" NOT NULL,
            link_index BIGINT NOT NULL, url TEXT NOT NULL, expires_at BIGINT NOT NULL,
            human_clicks BIGINT NOT NULL DEFAULT 0);
        CREATE INDEX short_links_message ON short_links (message_id, link_index);
        CREATE TABLE message_events (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, dedup_key TEXT COLLATE "C" NOT NULL,
            message_id BIGINT NOT NULL, provider_id TEXT NOT NULL, kind TEXT NOT NULL,
            ts BIGINT, effective_ts BIGINT NOT NULL, code TEXT COLLATE "C", description TEXT COLLATE "C",
            payload TEXT NOT NULL, received_at BIGINT NOT NULL,
            UNIQUE (message_id, dedup_key));
        CREATE TABLE pending_callbacks (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, dedup_key TEXT COLLATE "C" NOT NULL UNIQUE,
            provider_id TEXT NOT NULL, meta TEXT COLLATE "C" NOT NULL, payload TEXT NOT NULL,
            received_at BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
            provider_key TEXT COLLATE "C", last_attempt_at BIGINT);
        CREATE INDEX pending_callbacks_meta ON pending_callbacks (meta);
        CREATE INDEX pending_callbacks_provider_key ON pending_callbacks (provider_key) WHERE provider_key IS NOT NULL;
        CREATE INDEX pending_callbacks_received ON pending_callbacks (received_at);
        CREATE TABLE clicks (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, code TEXT COLLATE "C" NOT NULL,
            message_id BIGINT NOT NULL, campaign_id TEXT COLLATE "C" NOT NULL, link_index BIGINT NOT NULL,
            at BIGINT NOT NULL, user_agent TEXT, ip_hash TEXT, is_bot BOOLEAN NOT NULL, bot_reason TEXT);
        CREATE INDEX clicks_message ON clicks (message_id);
        CREATE INDEX clicks_campaign ON clicks (campaign_id, is_bot, id);
        CREATE TABLE conversion_events (
            event_id TEXT COLLATE "C" PRIMARY KEY, user_id TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
            ts BIGINT NOT NULL, properties TEXT NOT NULL, received_at BIGINT NOT NULL);
        CREATE INDEX conversion_events_user ON conversion_events (user_id, name);
        CREATE TABLE campaign_conversions (
            campaign_id TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, control BOOLEAN NOT NULL,
            converted BOOLEAN NOT NULL, click_through BOOLEAN NOT NULL,
            revenue_cents BIGINT NOT NULL, PRIMARY KEY (campaign_id, user_id));
        CREATE TABLE rollups (
            campaign_id TEXT COLLATE "C" NOT NULL, variant BIGINT NOT NULL, metric TEXT COLLATE "C" NOT NULL,
            dim TEXT COLLATE "C" NOT NULL, bucket BIGINT NOT NULL, value BIGINT NOT NULL,
            PRIMARY KEY (campaign_id, variant, metric, dim, bucket));
        CREATE TABLE ingestion_errors (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, source TEXT NOT NULL, provider_id TEXT,
            reason TEXT NOT NULL, raw BYTEA NOT NULL, received_at BIGINT NOT NULL,
            replayed_at BIGINT);
        CREATE TABLE delivery_error_descriptions (
            campaign_id TEXT COLLATE "C" NOT NULL, code TEXT COLLATE "C" NOT NULL,
            description TEXT COLLATE "C" NOT NULL, PRIMARY KEY (campaign_id, code));
        """

    /// `settings`: small installation-wide values by key (the IP-hash salt); the SQLite
    /// migration of the same id.
    /// How a callback's bytes were read (`CallbackBodyKind`: `json` or `fields`); NULL on older rows.
    static let ingestionErrorsBodyKind = """
        ALTER TABLE ingestion_errors ADD COLUMN body_kind TEXT
        """

    static let settings = """
        CREATE TABLE settings (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
        """

    /// Provider calls per message (`dispatch_attempts`), the recorded provider answer waiting for
    /// its derived work (`answer_*`), dead letters, and a campaign's run of dead letters.
    static let deadLetters = """
        ALTER TABLE messages ADD COLUMN dispatch_attempts BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN answer_outcome TEXT;
        ALTER TABLE messages ADD COLUMN answer_at BIGINT;
        ALTER TABLE messages ADD COLUMN answer_reason TEXT;
        ALTER TABLE messages ADD COLUMN answer_attempts BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN answer_error TEXT;
        ALTER TABLE messages ADD COLUMN dead_letter TEXT;
        ALTER TABLE messages ADD COLUMN dead_lettered_at BIGINT;
        CREATE INDEX messages_answered ON messages (id) WHERE answer_outcome IS NOT NULL;
        CREATE INDEX messages_dead_letters ON messages (campaign_id, id) WHERE dead_letter IS NOT NULL;
        ALTER TABLE campaigns ADD COLUMN consecutive_dead_letters BIGINT NOT NULL DEFAULT 0;
        """

    /// `login_links`: one-time sign-in links by token hash; the SQLite migration of the same id.
    /// Additive: a server of the previous release ignores the table.
    static let loginLinks = """
        CREATE TABLE login_links (
            token_hash TEXT COLLATE "C" PRIMARY KEY, next TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
        """

    /// Claim leases (the claiming node and the lease's expiry, epoch seconds) and the providers'
    /// shared token buckets (tokens, last refill in epoch seconds). Additive only.
    static let leases = """
        ALTER TABLE messages ADD COLUMN claim_node TEXT;
        ALTER TABLE messages ADD COLUMN lease_expires_at BIGINT;
        CREATE TABLE provider_rate_buckets (
            provider_id TEXT COLLATE "C" PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, refilled_at DOUBLE PRECISION NOT NULL)
        """

    /// Slotted rollup counters (``PGRollupWriter``): increments go to one of a few slot rows per
    /// cell; `rollup_cells` is what every read uses, the base `rollups` plus the slots, summed.
    /// Additive: a server of the previous release keeps writing and reading `rollups` (during a
    /// rolling deploy its stats miss the new servers' slot rows until it is replaced; nothing is lost).
    static let rollupSlots = """
        CREATE TABLE rollup_slots (
            campaign_id TEXT COLLATE "C" NOT NULL, variant BIGINT NOT NULL, metric TEXT COLLATE "C" NOT NULL,
            dim TEXT COLLATE "C" NOT NULL, bucket BIGINT NOT NULL, slot BIGINT NOT NULL, value BIGINT NOT NULL,
            PRIMARY KEY (campaign_id, variant, metric, dim, bucket, slot));
        CREATE VIEW rollup_cells AS
            SELECT campaign_id, variant, metric, dim, bucket, SUM(value)::bigint AS value FROM (
              SELECT campaign_id, variant, metric, dim, bucket, value FROM rollups
              UNION ALL SELECT campaign_id, variant, metric, dim, bucket, value FROM rollup_slots) AS c
            GROUP BY campaign_id, variant, metric, dim, bucket
        """

    /// The receipt log and the clicks become range partitions by `message_id` (``PGPartitions``):
    /// each former table is renamed `<table>_initial` and attached as is (no row moves; its
    /// primary key becomes `(id, message_id)`, built once, as a partitioned table's keys must
    /// hold the partition key); ids continue from a sequence of the new parent. Safe beside a
    /// node of the previous release: it writes the same columns under the same name, and its
    /// `ON CONFLICT (message_id, dedup_key)` finds the same unique key. The step attaches the
    /// former tables and creates the spans ahead and the default partitions.
    static let partitions = """
        ALTER TABLE message_events RENAME TO message_events_initial;
        ALTER TABLE message_events_initial
            RENAME CONSTRAINT message_events_message_id_dedup_key_key TO message_events_initial_message_id_dedup_key_key;
        CREATE SEQUENCE message_events_ids;
        SELECT setval('message_events_ids', COALESCE((SELECT max(id) FROM message_events_initial), 0) + 1, false);
        ALTER TABLE message_events_initial DROP CONSTRAINT message_events_pkey;
        ALTER TABLE message_events_initial ALTER COLUMN id DROP IDENTITY;
        CREATE TABLE message_events (
            id BIGINT NOT NULL DEFAULT nextval('message_events_ids'), dedup_key TEXT COLLATE "C" NOT NULL,
            message_id BIGINT NOT NULL, provider_id TEXT NOT NULL, kind TEXT NOT NULL,
            ts BIGINT, effective_ts BIGINT NOT NULL, code TEXT COLLATE "C", description TEXT COLLATE "C",
            payload TEXT NOT NULL, received_at BIGINT NOT NULL,
            PRIMARY KEY (id, message_id), UNIQUE (message_id, dedup_key)) PARTITION BY RANGE (message_id);
        ALTER SEQUENCE message_events_ids OWNED BY message_events.id;
        ALTER TABLE clicks RENAME TO clicks_initial;
        ALTER INDEX clicks_message RENAME TO clicks_initial_message;
        ALTER INDEX clicks_campaign RENAME TO clicks_initial_campaign;
        CREATE SEQUENCE clicks_ids;
        SELECT setval('clicks_ids', COALESCE((SELECT max(id) FROM clicks_initial), 0) + 1, false);
        ALTER TABLE clicks_initial DROP CONSTRAINT clicks_pkey;
        ALTER TABLE clicks_initial ALTER COLUMN id DROP IDENTITY;
        CREATE TABLE clicks (
            id BIGINT NOT NULL DEFAULT nextval('clicks_ids'), code TEXT COLLATE "C" NOT NULL,
            message_id BIGINT NOT NULL, campaign_id TEXT COLLATE "C" NOT NULL, link_index BIGINT NOT NULL,
            at BIGINT NOT NULL, user_agent TEXT, ip_hash TEXT, is_bot BOOLEAN NOT NULL, bot_reason TEXT,
            PRIMARY KEY (id, message_id)) PARTITION BY RANGE (message_id);
        ALTER SEQUENCE clicks_ids OWNED BY clicks.id;
        CREATE INDEX clicks_message ON clicks (message_id);
        CREATE INDEX clicks_campaign ON clicks (campaign_id, is_bot, id)
        """

    /// Each node's click journal (``ClickJournalStore``): its applied position, one row per journal
    /// id (`segment`, `byte_offset`: ``ClickJournalPosition``; `-1, -1` before its first batch), and
    /// the click id a journaled hit carries, as in SQLite (a hit stored twice would show as a
    /// repeated id). Additive: a node of the previous release writes clicks without an id.
    static let clickJournals = """
        CREATE TABLE click_journal_positions (
            journal_id TEXT COLLATE "C" PRIMARY KEY, segment BIGINT NOT NULL, byte_offset BIGINT NOT NULL,
            updated_at BIGINT NOT NULL);
        ALTER TABLE clicks ADD COLUMN IF NOT EXISTS click_id TEXT
        """

    /// Saved audience segments (issue 15); the SQLite migration of the same id. Additive.
    static let audienceSegments = """
        CREATE TABLE audience_segments (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, json TEXT NOT NULL,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """

    /// An index serving the profile search's phone prefix (`phone LIKE '+49151%'`, issue 15):
    /// `text_pattern_ops` compares bytes whatever the database's locale. The SQLite migration of
    /// the same id. Additive.
    static let profilesPhoneIndex = """
        CREATE INDEX IF NOT EXISTS profiles_phone ON profiles (phone text_pattern_ops)
        """

    /// The message log (issue 17) pages a campaign's messages by id (keyset); the phone index
    /// serves the support lookup by phone. Additive.
    static let messageLogIndexes = """
        CREATE INDEX IF NOT EXISTS messages_campaign_log ON messages (campaign_id, id);
        CREATE INDEX IF NOT EXISTS messages_phone ON messages (phone) WHERE phone IS NOT NULL;
        """

    /// Queued messages that already had a provider call (``SuspectClaim``: claims re-queued after a
    /// crash, and the ones in flight): every claim asks whether the campaign has one, so the
    /// question reads this small index, not the campaign's queue. The SQLite migration of the same
    /// id. Additive.
    static let dispatchSuspects = """
        CREATE INDEX IF NOT EXISTS messages_suspects ON messages (campaign_id, id) WHERE dispatch = 'queued' AND dispatch_attempts > 0;
        """

    /// Providers' price tables (issue 18, ``PriceTable``): exact integer micro-units; `per_country`
    /// a JSON object of country → micro-units. The SQLite migration of the same id. Additive.
    static let providerPrices = """
        CREATE TABLE provider_prices (
            provider_id TEXT COLLATE "C" PRIMARY KEY, currency TEXT NOT NULL, default_micros BIGINT NOT NULL,
            per_country TEXT NOT NULL, updated_at BIGINT NOT NULL);
        """

    /// The carrier / network (MCC-MNC) the message's callbacks reported (issue 18, ``NetworkCode``);
    /// the SQLite migration of the same id. Additive; no backfill (no callback logged before this
    /// release kept a network). `COLLATE "C"`: the smallest code is taken in byte order.
    static let messageNetwork = "ALTER TABLE messages ADD COLUMN network TEXT COLLATE \"C\";"

    /// Outbound webhooks (issue 17): subscriptions with their delivery stats and the durable
    /// outbox; the SQLite migration of the same id. Additive.
    static let webhooks = """
        CREATE TABLE webhook_subscriptions (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL,
            campaign_id TEXT COLLATE "C", secret TEXT NOT NULL, enabled BOOLEAN NOT NULL, disabled_reason TEXT,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
            last_status BIGINT, last_error TEXT, last_attempt_at BIGINT, last_latency_ms BIGINT,
            consecutive_failures BIGINT NOT NULL DEFAULT 0, failed_attempts BIGINT NOT NULL DEFAULT 0,
            delivered_events BIGINT NOT NULL DEFAULT 0);
        CREATE TABLE webhook_outbox (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, event_id TEXT COLLATE "C" NOT NULL,
            subscription_id BIGINT NOT NULL, type TEXT NOT NULL, campaign_id TEXT COLLATE "C", message_id BIGINT,
            user_id TEXT COLLATE "C", version BIGINT NOT NULL, occurred_at BIGINT NOT NULL, payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts BIGINT NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL, lease_holder TEXT, lease_expires_at BIGINT,
            last_error TEXT, delivered_at BIGINT, created_at BIGINT NOT NULL,
            UNIQUE (subscription_id, event_id));
        CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, subscription_id, id) WHERE status = 'pending';
        CREATE INDEX webhook_outbox_subscription ON webhook_outbox (subscription_id, status, id);
        CREATE INDEX webhook_outbox_user ON webhook_outbox (user_id) WHERE user_id IS NOT NULL;
        CREATE SEQUENCE webhook_outbox_versions;
        """

    /// Webhook fan-out at lease time (issue 17, ``WebhookFanout``); the SQLite migration of the
    /// same id: one outbox row per event (`subscription_id` 0, `status` 'event') carrying `txid`,
    /// its transaction's id (`pg_current_xact_id()`), and a per-subscription fan-out position
    /// `(fanout_txid, fanout_id)` in the `(txid, id)` order of the event rows (NULL: not yet
    /// placed, the head at the next pass). The worker fans out only events whose transaction id
    /// is below the oldest running transaction's (`pg_snapshot_xmin`): every event there is
    /// committed or never will be, so a position never passes an event still in flight
    /// (identity ids are taken at INSERT, not at COMMIT). The `(subscription_id, event_id)` UNIQUE
    /// constraint goes. Additive for a server of the previous release (it writes and delivers
    /// rows per subscription; it never sees subscription 0). Existing subscriptions start at
    /// (0, 0): no event row exists yet.
    static let webhookFanout = """
        ALTER TABLE webhook_outbox DROP CONSTRAINT IF EXISTS webhook_outbox_subscription_id_event_id_key;
        ALTER TABLE webhook_outbox ADD COLUMN txid BIGINT;
        CREATE INDEX webhook_outbox_fanout ON webhook_outbox (txid, id) WHERE subscription_id = 0;
        ALTER TABLE webhook_subscriptions ADD COLUMN fanout_txid BIGINT, ADD COLUMN fanout_id BIGINT;
        UPDATE webhook_subscriptions SET fanout_txid = 0, fanout_id = 0
        """

    /// Retention marks (issue 15); the SQLite migration of the same id: one row per purged
    /// campaign, `late` set by row triggers on the partitioned `message_events` and `clicks`
    /// (their partitions, present and future, inherit them) when a row of that campaign is
    /// written after its last purge. The trigger's `UPDATE` takes the mark's row lock, so a
    /// retention pass clearing the mark waits for a writer still in flight and then sees its row.
    /// Campaigns purged before are marked late once. Additive (a node of the previous release
    /// writes rows that fire the triggers too). Function bodies stay on one line: the migration
    /// runner splits statements at a semicolon ending a line.
    static let rawPurgeMarks = """
        CREATE TABLE raw_purges (campaign_id TEXT COLLATE "C" PRIMARY KEY, purged_at BIGINT NOT NULL, late BOOLEAN NOT NULL DEFAULT false);
        CREATE OR REPLACE FUNCTION raw_purges_event_late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE raw_purges SET late = true WHERE campaign_id = (SELECT campaign_id FROM messages WHERE id = NEW.message_id); RETURN NULL; END $$;
        CREATE OR REPLACE FUNCTION raw_purges_click_late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE raw_purges SET late = true WHERE campaign_id = NEW.campaign_id; RETURN NULL; END $$;
        CREATE TRIGGER message_events_raw_late AFTER INSERT ON message_events FOR EACH ROW EXECUTE FUNCTION raw_purges_event_late();
        CREATE TRIGGER clicks_raw_late AFTER INSERT ON clicks FOR EACH ROW EXECUTE FUNCTION raw_purges_click_late();
        INSERT INTO raw_purges (campaign_id, purged_at, late)
            SELECT id, (json::jsonb ->> 'rawPurgedAt')::bigint, true FROM campaigns WHERE json::jsonb ->> 'rawPurgedAt' IS NOT NULL
        """

    /// Dedup keys of purged receipt-log rows (issue 15); the SQLite migration of the same id: a
    /// purge (and a dropped partition) keeps each removed row's (message id, dedup key). The one
    /// insert into `message_events` (``PostgresStore/insertEvents(_:_:)``) skips a row whose key
    /// is kept (an anti-join in its `INSERT … SELECT`), so it returns nothing for it, as for a
    /// duplicate. Not a row trigger as on SQLite: a PL/pgSQL row trigger cost about 12 µs per
    /// inserted row here (BENCHMARKS.md "Retention triggers on callback writes").
    static let purgedEventKeys = """
        CREATE TABLE purged_event_keys (message_id BIGINT NOT NULL, dedup_key TEXT COLLATE "C" NOT NULL, PRIMARY KEY (message_id, dedup_key))
        """

    /// The nonces of signed provider callbacks already accepted (``SignatureNonceStore``, issue 16):
    /// the key (hex SHA-256, ``SignatureReplay/Nonce``) and the first second it is forgotten; swept
    /// by its index. The SQLite migration of the same id. Additive (a node of the previous release
    /// keeps its nonces in its process).
    static let signatureNonces = """
        CREATE TABLE signature_nonces (nonce_key TEXT COLLATE "C" PRIMARY KEY, expires_at BIGINT NOT NULL);
        CREATE INDEX signature_nonces_expiry ON signature_nonces (expires_at)
        """
}
