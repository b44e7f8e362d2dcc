import GRDB

/// Schema changes of the callback pipeline (registered in ``SQLiteMigrations``).
enum CallbackMigrations {
    /// Pending items remember the provider's (normalised) message id, so a receipt that beat the
    /// dispatcher's commit is matched when the send answer's id is stored, and when they were
    /// last tried, so the periodic re-match goes round all of them.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE pending_callbacks ADD COLUMN provider_key TEXT;
            ALTER TABLE pending_callbacks ADD COLUMN last_attempt_at INTEGER;
            CREATE INDEX pending_callbacks_provider_key ON pending_callbacks (provider_key) WHERE provider_key IS NOT NULL;
            CREATE INDEX pending_callbacks_received ON pending_callbacks (received_at);
            """)
    }
}
