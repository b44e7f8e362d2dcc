import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Hummingbird
import Logging
import SMSCore
import SMSDemo
import SMSServer
import SMSSimulator
import SMSWeb

/// `smsstats`: the command line.
@main
struct SMSStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smsstats",
        abstract: "Self-hosted SMS campaign engine with trustworthy stats.",
        discussion: """
            Environment: SMSSTATS_EXIT_WITH_PARENT=<parent pid> makes any subcommand exit (status 1) \
            within 0.2 s of its parent process ending; tests that spawn `serve` or `sink` set it.
            """,
        subcommands: [
            Serve.self, Demo.self,
            StatsCommand.self,
            ReconcileCommand.self,
            BackupCommand.self, RestoreCommand.self, PurgeCommand.self,
            Sink.self,
        ])

    /// Logs through ``EscapingLogHandler`` (control characters from request text escaped, so a
    /// log line is always one line), starts the parent watch (``ParentWatch``,
    /// `SMSSTATS_EXIT_WITH_PARENT`), then runs the command.
    static func main() async {
        LoggingSystem.bootstrap { label in EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: label)) }
        ParentWatch.startFromEnvironment()
        await main(nil)
    }
}

/// `smsstats serve`: runs the server (API, callbacks, redirects, dashboard, dispatcher).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server on the embedded SQLite database, or on PostgreSQL with --database postgres://….")

    @Option(help: "Interface to listen on (env SMSSTATS_HOST).")
    var host: String = ProcessInfo.processInfo.environment["SMSSTATS_HOST"] ?? "127.0.0.1"

    @Option(help: "Port (env SMSSTATS_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["SMSSTATS_PORT"] ?? "") ?? 8080

    @Option(
        help: """
            SQLite database file, or a PostgreSQL URL postgres://user:password@host:port/database \
            (postgresql:// too; optional ?search_path=schema) (env SMSSTATS_DATABASE).
            """)
    var database: String = ProcessInfo.processInfo.environment["SMSSTATS_DATABASE"] ?? "./smsstats.sqlite"

    @Option(help: "Public base URL for short links and callback URLs (env SMSSTATS_PUBLIC_URL).")
    var publicURL: String?

    @Option(help: "Admin token for the API and dashboard (env SMSSTATS_ADMIN_TOKEN; generated and printed when unset).")
    var adminToken: String?

    @Option(help: "Dashboard password, accepted at sign-in besides the admin token (env SMSSTATS_DASHBOARD_PASSWORD).")
    var dashboardPassword: String?

    @Option(
        help: """
            Secret salt of the click IP hashes, at least 16 characters (env SMSSTATS_IP_HASH_SALT; default: one \
            generated once and stored in the database, never printed).
            """)
    var ipHashSalt: String?

    @Option(help: "Short-link lifetime in days.")
    var linkLifetimeDays: Int = 30

    @Option(
        help: """
            Extra opt-out keywords, comma-separated, added to STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT \
            (env SMSSTATS_OPT_OUT_KEYWORDS; a reply equal to one, case-insensitive, opts the profile out; START opts back in).
            """)
    var optOutKeywords: String = ProcessInfo.processInfo.environment["SMSSTATS_OPT_OUT_KEYWORDS"] ?? ""

    @Option(help: "Extra bot user-agent substring (case-insensitive), added to the crawler-user-agents list; repeatable.")
    var botUserAgent: [String] = []

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = ProcessInfo.processInfo.environment["SMSSTATS_LOG_LEVEL"] ?? "info"

    @Option(help: "Frequency cap: at most N SMS per user per rolling 24 h across campaigns (default: off).")
    var frequencyCap: Int?

    @Option(
        help: """
            Seconds an HTTP connection may wait mid-request for the rest of its head or body, or idle between \
            requests, before it is closed (1-3600; env SMSSTATS_IDLE_TIMEOUT).
            """)
    var idleTimeout: Int = Int(ProcessInfo.processInfo.environment["SMSSTATS_IDLE_TIMEOUT"] ?? "") ?? 30

    @Option(help: "Dispatcher polling interval in milliseconds.")
    var dispatchIntervalMs: Int = 200

    @Option(help: "Remove the raw history (receipts, replies, clicks, message texts) of campaigns finished more than N days ago (1-36500), hourly; stats are kept (default: off; see smsstats purge).")
    var retainRawDays: Int?

    @Option(help: "This server's node id in a cluster (1-64 of A-Z a-z 0-9 . _ -; default: generated at start; env SMSSTATS_NODE_ID).")
    var nodeId: String?

    @Option(help: "Seconds a claim stays leased without renewal; a dead node's claims are re-sent after it (min 2).")
    var leaseSeconds: Int = 30

    @Option(
        help: """
            Directory of the redirect's click journal (SQLite default: <database>-clicks next to the database; \
            PostgreSQL: none unless given, one directory per server on its own disk).
            """)
    var clickJournal: String?

    @Flag(help: "Record each redirect's click before answering (no journal; slower under load).")
    var noClickJournal = false

    @Option(
        help: """
            Longest drain on SIGTERM/SIGINT, in seconds (env SMSSTATS_DRAIN_SECONDS): /ready answers 503, no new \
            claims, in-flight requests and sends finish, held claims are queued again, then exit 0.
            """)
    var drainSeconds: Int = Int(ProcessInfo.processInfo.environment["SMSSTATS_DRAIN_SECONDS"] ?? "") ?? 20

    func validate() throws {
        if let frequencyCap, frequencyCap < 1 { throw ValidationError("--frequency-cap must be at least 1") }
        if !(1...36_500).contains(linkLifetimeDays) { throw ValidationError("--link-lifetime-days must be from 1 to 36500") }
        if dispatchIntervalMs < 1 { throw ValidationError("--dispatch-interval-ms must be at least 1") }
        if !AppConfig.idleTimeoutRange.contains(idleTimeout) {
            throw ValidationError("--idle-timeout must be from \(AppConfig.idleTimeoutRange.lowerBound) to \(AppConfig.idleTimeoutRange.upperBound) (seconds); got \(idleTimeout)")
        }
        if let retainRawDays, !RawRetention.serveDays.contains(retainRawDays) {
            throw ValidationError(
                "--retain-raw-days must be from \(RawRetention.serveDays.lowerBound) to \(RawRetention.serveDays.upperBound) (days; leave it out to keep raw history, "
                    + "or run smsstats purge --older-than 0d once); got \(retainRawDays)")
        }
        if !(1...3_600).contains(drainSeconds) { throw ValidationError("--drain-seconds must be from 1 to 3600") }
        if !(LeasePolicy.minimumLeaseSeconds...86_400).contains(Int64(leaseSeconds)) {
            throw ValidationError("--lease-seconds must be from \(LeasePolicy.minimumLeaseSeconds) to 86400")
        }
        if let nodeId, !NodeIdentity.isValidId(nodeId) {
            throw ValidationError("--node-id must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        }
    }

    func run() async throws {
        var logger = Logger(label: "smsstats")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        // Options win over the environment (argument-parser deprecates optional options with defaults).
        let env = ProcessInfo.processInfo.environment
        let publicURL = publicURL ?? env["SMSSTATS_PUBLIC_URL"]
        let adminToken = adminToken ?? env["SMSSTATS_ADMIN_TOKEN"]
        let dashboardPassword = dashboardPassword ?? env["SMSSTATS_DASHBOARD_PASSWORD"]
        let ipHashSalt = try Self.ipHashSalt(option: self.ipHashSalt, environment: env["SMSSTATS_IP_HASH_SALT"])
        let token = adminToken ?? ShortCode.generate() + ShortCode.generate()
        if adminToken == nil {
            // Written straight to the file descriptor: visible at once when stdout is a file or a pipe.
            FileHandle.standardOutput.write(Data("admin token (generated): \(token)\n".utf8))
        }
        var config = AppConfig(
            host: host, port: port, publicBaseURL: publicURL, adminToken: token,
            linkLifetimeSeconds: Int64(linkLifetimeDays) * 86_400, dispatchIntervalMs: dispatchIntervalMs,
            dashboardPassword: dashboardPassword, frequencyCap: frequencyCap)
        config.botUserAgentSubstrings = botUserAgent
        config.idleTimeoutSeconds = idleTimeout
        config.retention = retainRawDays.map { RawRetention(olderThanSeconds: Int64($0) * 86_400) }
        let nodeId = nodeId ?? env["SMSSTATS_NODE_ID"].flatMap { $0.isEmpty ? nil : $0 }
        if let nodeId, !NodeIdentity.isValidId(nodeId) {
            throw ValidationError("SMSSTATS_NODE_ID must be 1 to 64 characters of A-Z a-z 0-9 . _ -")
        }
        config.node = NodeIdentity(id: nodeId)
        config.leasePolicy = LeasePolicy(leaseSeconds: Int64(leaseSeconds))
        // nil: buildApplication reads the database's salt (generated and stored on first start).
        config.ipHashSalt = ipHashSalt
        let configuration = ServerConfiguration(
            database: database, app: config,
            clickJournal: noClickJournal ? .off : clickJournal.map { .directory($0) } ?? .besideDatabase,
            optOutKeywords: OptOutKeywords(extraOptOut: Self.keywordList(optOutKeywords)), drainSeconds: drainSeconds)
        try await SMSServer.withServer(configuration, logger: logger) { server in
            logger.info(
                "serving",
                metadata: [
                    "url": "\(server.config.publicBaseURL)", "database": "\(server.store.displayName)",
                    "store": "\(server.store.capabilities.engine)",
                    "clickJournal": "\(server.config.clickJournalDirectory ?? "off")",
                    "node": "\(server.config.node.id)", "leaseHolder": "\(server.config.node.holder)",
                    "leaseSeconds": "\(server.config.leasePolicy.leaseSeconds)",
                ])
            do {
                try await server.run()
            } catch is CancellationError {
                // SIGTERM / SIGINT: a normal stop, exit status 0.
            } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw ServeError(
                    description: "cannot listen on \(host):\(port): the address is already in use (another smsstats serve? choose another --port)")
            }
        }
    }

    /// The operator's IP-hash salt: the option, else the environment variable; `nil` (the stored
    /// salt) when neither is set or the variable is empty.
    /// - Throws: `ValidationError` for a salt shorter than 16 characters (a short salt can be
    ///   guessed, and with it every IPv4 hash reversed).
    static func ipHashSalt(option: String?, environment: String?) throws -> String? {
        guard let salt = option ?? environment.flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        if salt.count < 16 {
            throw ValidationError("--ip-hash-salt (or SMSSTATS_IP_HASH_SALT) must be at least 16 characters")
        }
        return salt
    }

    /// `"STOPP, arret,,"` → `["STOPP", "arret"]`.
    static func keywordList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// `smsstats demo`: a whole campaign end to end on loopback, with the simulator's ground truth.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a whole campaign end to end against a provider simulator and print stats beside ground truth.")

    @Option(help: "Number of profiles.")
    var profiles: Int = 2_000

    @Option(help: "SQLite database file or postgres:// URL (default: a new temporary SQLite file).")
    var database: String?

    @Option(help: "Port for the server (0 = any free port).")
    var port: Int = 0

    @Option(help: "Random seed for the simulator and the demo's clicks and events.")
    var seed: UInt64 = 42

    @Flag(help: "Keep serving after the demo (Ctrl-C to stop).")
    var keepRunning = false

    @Flag(help: "Log the server's warnings and errors.")
    var verbose = false

    func run() async throws {
        var logger = Logger(label: "smsstats.demo")
        logger.logLevel = verbose ? .warning : .critical
        let options = DemoOptions(
            profiles: profiles, databasePath: database, port: port, seed: seed, keepRunning: keepRunning)
        // Unbuffered writes, so progress shows at once even when stdout is a pipe.
        let report = try await DemoRunner(options: options, logger: logger).run { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        if !report.matchesGroundTruth { throw ExitCode(1) }
    }
}

/// `smsstats sink`: a provider that records every received ref to a file (crash tests, benchmarks).
struct Sink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sink provider: accepts POST /sms/send and appends each received ref to a file.")

    @Option(help: "Interface to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port (0 = any free port; the bound port is printed as 'sink listening on port N').")
    var port: Int = 0

    @Option(help: "File the refs are written to, one per line.")
    var out: String

    @Option(help: "Require Authorization: Bearer <key>.")
    var apiKey: String?

    @Option(help: "Answer each send this many milliseconds after recording its refs (a slow provider).")
    var delayMs: Int = 0

    func validate() throws {
        if !(0...60_000).contains(delayMs) { throw ValidationError("--delay-ms must be from 0 to 60000") }
    }

    func run() async throws {
        var logger = Logger(label: "smsstats.sink")
        logger.logLevel = .warning
        let sink = try SinkProvider(outputPath: out, apiKey: apiKey, delay: .milliseconds(delayMs), logger: logger)
        let app = sink.application(host: host, port: port) { bound in
            // Unbuffered: the parent process waits for this line.
            FileHandle.standardOutput.write(Data("sink listening on port \(bound)\n".utf8))
        }
        try await app.runService()
    }
}

/// A `serve` failure told in one line (exit status 1, no usage text).
struct ServeError: Error, CustomStringConvertible {
    var description: String
}
