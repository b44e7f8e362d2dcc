import Foundation

/// What a store offers beyond ``SMSDispatchStore``, declared by the store itself
/// (``SMSDispatchStore/capabilities``) and read by the composition root (`SMSServer`) and
/// `buildApplication`: nobody guesses a capability from the store's type or from a name.
public struct StoreCapabilities: Sendable {
    /// The database engine, for logs and messages only (`"sqlite"`, `"postgresql"`); never tested
    /// to decide behaviour.
    public var engine: String
    /// The store that applies the redirect's write-behind click journal (``ClickJournalStore``), or
    /// `nil` when the store records each click directly. Both stores have one: SQLite has one
    /// writer, so a redirect that waited for its click's commit would queue behind callbacks;
    /// PostgreSQL's commit round trips cost a synchronous redirect a tenth of the journal's
    /// requests/s (BENCHMARKS.md "Clicks on PostgreSQL"), so each node journals on its own disk.
    public var clickJournal: (any ClickJournalStore)?
    /// Whether the database is a local file (SQLite): the journal's default directory is then
    /// `<database>-clicks` beside it. A database server (PostgreSQL) has no such place: a node
    /// journals only into a directory it is given (`--click-journal DIR`).
    public var localFile: Bool
    /// The store's partitions of its raw tables (``RawTablePartitions``: PostgreSQL), kept ahead
    /// of the message ids by the server's periodic singleton work; `nil` when not partitioned.
    public var partitions: (any RawTablePartitions)?

    public init(
        engine: String, clickJournal: (any ClickJournalStore)?, localFile: Bool, partitions: (any RawTablePartitions)? = nil
    ) {
        self.engine = engine
        self.clickJournal = clickJournal
        self.localFile = localFile
        self.partitions = partitions
    }
}
