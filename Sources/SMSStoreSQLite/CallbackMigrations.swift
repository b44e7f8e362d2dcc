import GRDB

/// Schema changes of the callback pipeline (registered in ``SQLiteMigrations``).
enum CallbackMigrations {
    /// Pending items remember the provider's (normalised) message id, so a receipt that beat the
    /// dispatcher's commit is matched when the send answer's id is stored, and when they were
    /// last tried, so the periodic re-match goes round all of them.
    ///
    /// The event log's dedup constraint becomes UNIQUE (message_id, dedup_key), replacing the
    /// UNIQUE on dedup_key alone and the plain index on message_id: the same event always resolves
    /// to the same message, so deduplication is unchanged, but a batch's inserts now land on the few
    /// index pages of its (clustered) messages instead of ~one random page per item (a random
    /// 36-byte hash key dirtied ~100 index pages per 100-item commit, most of the WAL volume in
    /// the callbacks benchmark). The table is rebuilt without AUTOINCREMENT (event ids need not
    /// be unique forever, and AUTOINCREMENT costs a `sqlite_sequence` write per event).
    static func v2(_ db: Database) throws {
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
}
