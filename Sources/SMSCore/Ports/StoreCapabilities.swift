import Foundation

/// What a store offers beyond ``SMSDispatchStore``, declared by the store itself
/// (``SMSDispatchStore/capabilities``) and read by the composition root (`SMSServer`) and
/// `buildApplication`: nobody guesses a capability from the store's type or from a name.
public struct StoreCapabilities: Sendable {
    /// The database engine, for logs and messages only (`"sqlite"`, `"postgresql"`); never tested
    /// to decide behaviour.
    public var engine: String
    /// The store that applies the redirect's write-behind click journal (``ClickJournalStore``), or
    /// `nil` when the store records each click directly. SQLite has one writer, so a redirect that
    /// waited for its click's commit would queue behind callbacks: it journals. PostgreSQL's
    /// writers run concurrently: it does not.
    public var clickJournal: (any ClickJournalStore)?

    public init(engine: String, clickJournal: (any ClickJournalStore)?) {
        self.engine = engine
        self.clickJournal = clickJournal
    }
}
