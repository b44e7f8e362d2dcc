import SMSCore

extension SQLiteStore {
    /// SQLite applies the redirect's click journal (``ClickJournalStore``): one writer, so redirects
    /// must not wait for their click's commit.
    public var capabilities: StoreCapabilities { StoreCapabilities(engine: "sqlite", clickJournal: self) }
}
