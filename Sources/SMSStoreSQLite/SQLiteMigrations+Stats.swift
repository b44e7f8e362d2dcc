import GRDB

extension SQLiteMigrations {
    /// Tables of the Stats tab added after v1.
    static func registerStats(_ m: inout DatabaseMigrator) {
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
    }
}
