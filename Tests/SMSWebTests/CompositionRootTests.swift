import Foundation
import Logging
import SMSCore
import SMSServer
import SMSStoreTestSupport
import SMSWeb
import ServiceLifecycle
import Testing

/// The composition root (``SMSServer``): a configuration becomes a running application over the
/// store the `database` names, with the click journal decided by what the store declares
/// (``StoreCapabilities``), never by its type or a name.
@Suite("Composition root")
struct CompositionRootTests {
    static let logger: Logger = {
        var l = Logger(label: "test.root")
        l.logLevel = .critical
        return l
    }()

    @Test("each store declares its capabilities", arguments: StoreKind.allCases)
    func storesDeclareCapabilities(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let capabilities = testStore.store.capabilities
        switch kind {
        case .sqlite:
            #expect(capabilities.engine == "sqlite")
            #expect(capabilities.clickJournal != nil)
        case .postgres:
            #expect(capabilities.engine == "postgresql")
            #expect(capabilities.clickJournal != nil)
            #expect(!capabilities.localFile)
        }
    }

    @Test("the journal setting gives a directory only for a store that declares a journal; beside the database only for a file")
    func journalSettingFollowsCapabilities() async throws {
        let testStore = try await TestStore.make(.sqlite)
        let withJournal = testStore.store.capabilities
        let without = StoreCapabilities(engine: "other", clickJournal: nil, localFile: false)
        let server = StoreCapabilities(engine: "postgresql", clickJournal: withJournal.clickJournal, localFile: false)
        #expect(ClickJournalSetting.besideDatabase.directory(database: "postgres://h/db", capabilities: server) == nil)
        #expect(ClickJournalSetting.directory("/j").directory(database: "postgres://h/db", capabilities: server) == "/j")
        #expect(ClickJournalSetting.off.directory(database: "postgres://h/db", capabilities: server) == nil)
        #expect(ClickJournalSetting.besideDatabase.directory(database: "/d/x.sqlite", capabilities: withJournal) == "/d/x.sqlite-clicks")
        #expect(ClickJournalSetting.directory("/j").directory(database: "/d/x.sqlite", capabilities: withJournal) == "/j")
        #expect(ClickJournalSetting.off.directory(database: "/d/x.sqlite", capabilities: withJournal) == nil)
        for setting in [ClickJournalSetting.besideDatabase, .directory("/j"), .off] {
            #expect(setting.directory(database: "postgres://h/db", capabilities: without) == nil)
        }
    }

    @Test("serve's path: the database value picks the store and the journal; the application runs and stops", arguments: StoreKind.allCases)
    func configurationBecomesARunningApplication(kind: StoreKind) async throws {
        let testStore = try await TestStore.make(kind)
        let configuration = ServerConfiguration(
            database: testStore.databaseURL, app: AppConfig(host: "127.0.0.1", port: 0, adminToken: "root-test-token"),
            runDispatcher: false)
        let journal = try await SMSServer.withServer(configuration, logger: Self.logger) { server in
            #expect(server.store.capabilities.engine == (kind == .sqlite ? "sqlite" : "postgresql"))
            let group = ServiceGroup(configuration: .init(services: [server.application], logger: Self.logger))
            let task = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await task.value
            return server.config.clickJournalDirectory
        }
        switch kind {
        case .sqlite: #expect(journal == testStore.databaseURL + "-clicks")
        case .postgres: #expect(journal == nil)
        }
        if let journal { try? FileManager.default.removeItem(atPath: journal) }
    }

    @Test("--no-click-journal on SQLite: no journal directory")
    func journalOff() async throws {
        let testStore = try await TestStore.make(.sqlite)
        let configuration = ServerConfiguration(
            database: testStore.databaseURL, app: AppConfig(port: 0, adminToken: "root-test-token"), clickJournal: .off,
            runDispatcher: false)
        let journal = try await SMSServer.withServer(configuration, logger: Self.logger) { $0.config.clickJournalDirectory }
        #expect(journal == nil)
        #expect(!FileManager.default.fileExists(atPath: testStore.databaseURL + "-clicks"))
    }

    @Test("PostgreSQL with a journal directory: the node journals there, under an id that starts with its node id")
    func postgresJournalDirectory() async throws {
        let testStore = try await TestStore.make(.postgres)
        let dir = NSTemporaryDirectory() + "smsstats-pg-journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var app = AppConfig(host: "127.0.0.1", port: 0, adminToken: "root-test-token")
        app.node = NodeIdentity(id: "web-7")
        let configuration = ServerConfiguration(
            database: testStore.databaseURL, app: app, clickJournal: .directory(dir), runDispatcher: false)
        let journal = try await SMSServer.withServer(configuration, logger: Self.logger) { $0.config.clickJournalDirectory }
        #expect(journal == dir)
        let id = try String(contentsOfFile: dir + "/journal-id", encoding: .utf8)
        #expect(id.hasPrefix("web-7."))
        #expect(id.count == "web-7.".count + 12 + 1)
    }

    @Test("stats and reconcile refuse a SQLite path with no database")
    func withStoreRefusesAMissingFile() async throws {
        let path = NSTemporaryDirectory() + "smsstats-missing-\(UUID().uuidString).sqlite"
        await #expect(throws: StoreOpenError.self) {
            try await SMSServer.withStore(database: path, logger: Self.logger) { _ in }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
