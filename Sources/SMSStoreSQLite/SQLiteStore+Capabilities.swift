import SMSCore

extension SQLiteStore {
    /// SQLite applies the redirect's click journal (``ClickJournalStore``): one writer, so redirects
    /// must not wait for their click's commit. The database is a file: the journal's default
    /// directory is beside it.
    public var capabilities: StoreCapabilities { StoreCapabilities(engine: "sqlite", clickJournal: self, localFile: true) }
}
