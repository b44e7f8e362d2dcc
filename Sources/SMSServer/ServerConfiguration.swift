import SMSCore
import SMSWeb

/// Everything ``SMSServer`` needs to turn into a running application: where the data lives, the
/// server's settings, the click journal choice and the opt-out keywords. Built by `smsstats serve`
/// from its flags and environment, by the demo, and by tests.
public struct ServerConfiguration: Sendable {
    /// A SQLite file path, or a `postgres://` / `postgresql://` URL (``OpenedStore``).
    public var database: String
    /// Host, port, public URL, admin token, IP-hash salt, limits, frequency cap, … Its
    /// ``AppConfig/clickJournalDirectory`` is decided by ``SMSServer`` from ``clickJournal`` and the
    /// store's capabilities; a value set here is replaced.
    public var app: AppConfig
    /// Where the redirect's click journal goes, for a store that has one.
    public var clickJournal: ClickJournalSetting
    /// The reply keywords that opt a profile out or back in (the store applies them).
    public var optOutKeywords: OptOutKeywords
    /// Run the background dispatch loop (`false`: tests drive the dispatcher by hand).
    public var runDispatcher: Bool
    /// Longest drain after SIGTERM or SIGINT, **seconds** (`smsstats serve --drain-seconds`, default
    /// 20): in-flight HTTP requests and provider calls get this long to finish; then what is left
    /// is cancelled, the claims still held are queued again, and the process exits.
    public var drainSeconds: Int

    public init(
        database: String, app: AppConfig, clickJournal: ClickJournalSetting = .besideDatabase,
        optOutKeywords: OptOutKeywords = OptOutKeywords(), runDispatcher: Bool = true, drainSeconds: Int = 20
    ) {
        self.database = database
        self.app = app
        self.clickJournal = clickJournal
        self.optOutKeywords = optOutKeywords
        self.runDispatcher = runDispatcher
        self.drainSeconds = drainSeconds
    }
}

/// Where the redirect's write-behind click journal goes (`smsstats serve --click-journal DIR`,
/// `--no-click-journal`). It only applies to a store that declares a journal
/// (``StoreCapabilities/clickJournal``: SQLite and PostgreSQL); any other store records each click
/// directly.
public enum ClickJournalSetting: Sendable, Equatable {
    /// `<database>-clicks`, next to the database file (the default). A database server
    /// (``StoreCapabilities/localFile`` false: PostgreSQL) has no place beside it: no journal, each
    /// redirect waits for its click's commit, until the node is given a directory.
    case besideDatabase
    /// This directory.
    case directory(String)
    /// No journal: each redirect waits for its click's commit.
    case off

    /// The journal directory for a store with `capabilities` at `database`, or `nil` for none.
    public func directory(database: String, capabilities: StoreCapabilities) -> String? {
        guard capabilities.clickJournal != nil else { return nil }
        switch self {
        case .besideDatabase: return capabilities.localFile ? database + "-clicks" : nil
        case .directory(let path): return path
        case .off: return nil
        }
    }
}
