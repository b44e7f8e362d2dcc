import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SMSCore
import SMSStorePostgres
import SMSStoreSQLite
import SMSWeb
import ServiceLifecycle
import Synchronization

/// `profiles`: one `POST /api/v1/profiles` of N profiles (default 20,000: a phone each, a name, two
/// properties) over HTTP on loopback into a SQLite file store, end to end (read, strict decode,
/// text rules, phone normalisation, upsert), then the same body again (every row an update). Its
/// parts are timed alone in the same process: the read and decode of the body (``JSONBody``), the
/// phone normalisation of every row (``PhoneNumber/normalize(_:defaultRegion:)``) and the store's
/// upsert of the rows (``SMSStore/upsertProfiles(_:)``).
///
/// `--database postgres://…`: the same against a PostgreSQL store (a new schema, dropped at the
/// end). `--opt-out-column`: every row also gives `"optedOut":false` (a CRM export with the
/// column), the case that cleared each opt-out in its own transaction before (issue 12).
struct ProfilesBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles", abstract: "One profiles upsert request of N rows, end to end and by part.")

    @Option(help: "Profiles in the request.") var profiles = 20_000
    @Option(help: "A PostgreSQL server URL: measure the PostgreSQL store instead of SQLite.") var database: String?
    @Flag(help: "Every row gives \"optedOut\":false.") var optOutColumn = false

    /// The shape of a row, to time the decode alone (the route's own type is internal).
    struct Row: Decodable {
        var userId: String
        var phone: String?
        var name: String?
        var properties: [String: JSONValue]?
        var region: String?
        var optedOut: Bool?
    }

    func run() async throws {
        printMachine()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store: any SMSDispatchStore
        var postgresSchema: (String, String)?
        if let database {
            let (pg, schema) = try await StoreBench.connectInNewSchema(database)
            store = pg
            postgresSchema = (database, schema)
            print("store: PostgreSQL (schema \(schema))")
        } else {
            store = try SQLiteStore(path: dir.appendingPathComponent("profiles.sqlite").path)
            print("store: SQLite")
        }
        let optOut = optOutColumn ? #","optedOut":false"# : ""
        let rows = (0..<profiles).map { i in
            #"{"userId":"user-\#(i)","phone":"+49 151 \#(String(10_000_000 + i * 7 % 90_000_000))","name":"Person \#(i)","properties":{"city":"\#(["Berlin", "Hamburg", "Köln"][i % 3])","score":\#(i % 100)}\#(optOut)}"#
        }
        let body = "[" + rows.joined(separator: ",") + "]"
        print("body: \(profiles) profiles, \(body.utf8.count) bytes")

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let config = AppConfig(host: "127.0.0.1", port: 0, adminToken: "bench")
        let port = Mutex<Int?>(nil)
        let served = Application(
            router: try await buildRouter(
                config: config, store: store,
                dispatcher: Dispatcher(store: store, gateway: NoGateway(), planner: CampaignPlanner(linkBaseURL: config.publicBaseURL, linkLifetime: 86_400)),
                logger: logger),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "bench"),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [served], logger: logger))
        let server = Task { try await group.run() }
        defer { server.cancel() }
        var bound: Int?
        for _ in 0..<200 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ValidationError("the server did not start") }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        func post() async throws -> (Double, String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(bound)/api/v1/profiles")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer bench")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            var answer = ""
            let seconds = try await measureAsync {
                let response = try await http.execute(request, timeout: .seconds(600))
                answer = String(buffer: try await response.body.collect(upTo: 100_000_000))
            }
            return (seconds, answer)
        }
        let (insert, first) = try await post()
        let (update, _) = try await post()
        try await http.shutdown()
        await group.triggerGracefulShutdown()
        _ = try? await server.value
        guard first.hasPrefix(#"{"rejected":0,"upserted":\#(profiles)"#) else { throw ValidationError("unexpected answer: \(first.prefix(300))") }
        let stored = try await store.profileCount()
        guard stored == profiles else { throw ValidationError("stored \(stored) profiles, expected \(profiles)") }

        // The parts alone.
        var decoded: [Row] = []
        let decode = try measure { decoded = try JSONBody.read(Data(body.utf8)).decode([Row].self) }
        // What the route did before the strict decoder: the strict read, then Foundation's decoder
        // parsing the same bytes a second time (unknown keys ignored).
        let twice = try measure {
            let data = Data(body.utf8)
            _ = try JSONBody.read(data)
            decoded = try JSONDecoder().decode([Row].self, from: data)
        }
        var normalized = 0
        let phones = measure {
            for row in decoded where (try? PhoneNumber.normalize(row.phone ?? "", defaultRegion: nil)) != nil { normalized += 1 }
        }
        let asProfiles = decoded.map {
            Profile(userId: $0.userId + "-again", phone: $0.phone, phoneValid: true, name: $0.name, properties: $0.properties ?? [:])
        }
        let upsert = try await measureAsync { try await store.upsertProfiles(asProfiles) }
        print(String(format: "request, new profiles:      %7.3f s  (%8.0f profiles/s)", insert, Double(profiles) / insert))
        print(String(format: "request, every row updated: %7.3f s  (%8.0f profiles/s)", update, Double(profiles) / update))
        print(String(format: "  read + strict decode:     %7.3f s  (read + JSONDecoder, the two parses before: %.3f s)", decode, twice))
        print(String(format: "  phone normalisation:      %7.3f s  (%d of %d valid)", phones, normalized, profiles))
        print(String(format: "  store upsert alone:       %7.3f s", upsert))
        if let (url, name) = postgresSchema, let pg = store as? PostgresStore {
            await pg.close()
            try await StoreBench.dropSchema(url, name)
        }
    }
}
