import SMSCore

extension PostgresStore {
    /// PostgreSQL applies the click journal of each node (``ClickJournalStore``: one position per
    /// journal in `click_journal_positions`); a database server has no directory beside it, so a
    /// node journals only into one it is given. Its raw tables are partitioned (``RawTablePartitions``).
    public var capabilities: StoreCapabilities {
        StoreCapabilities(engine: "postgresql", clickJournal: self, localFile: false, partitions: self)
    }
}
