import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import SMSCore
import SMSGatewayHTTP
import SMSServer
import SMSSimulator
import SMSWeb
import ServiceLifecycle

/// Options of `smsstats demo`.
public struct DemoOptions: Sendable {
    public var profiles: Int
    /// SQLite file or `postgres://` URL (``SMSServer``); `nil` = a new temporary SQLite file.
    public var databasePath: String?
    /// Server port; 0 = any free port.
    public var port: Int
    public var seed: UInt64
    public var keepRunning: Bool

    public init(profiles: Int = 2_000, databasePath: String? = nil, port: Int = 0, seed: UInt64 = 42, keepRunning: Bool = false) {
        self.profiles = profiles
        self.databasePath = databasePath
        self.port = port
        self.seed = seed
        self.keepRunning = keepRunning
    }
}

/// What the demo measured: the platform's stats beside the ground truth it built.
public struct DemoReport: Sendable {
    public var campaignId: String
    public var dashboardURL: String
    public var adminToken: String
    /// `(name, platform's number, ground truth)` rows.
    public var rows: [(name: String, measured: String, expected: String)]
    public var matchesGroundTruth: Bool
}

/// Runs a whole campaign end to end on loopback (`smsstats demo`): the server on SQLite (or
/// PostgreSQL, with a `postgres://` URL as the database), the
/// provider simulator, ~2,000 profiles, a campaign with two links, a goal and a control group,
/// dispatch, callbacks, human and bot clicks through the real redirect, and conversion events.
public struct DemoRunner: Sendable {
    let options: DemoOptions
    let logger: Logger

    public init(options: DemoOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(print say: @escaping @Sendable (String) -> Void) async throws -> DemoReport {
        let started = ContinuousClock.now
        let port = options.port != 0 ? options.port : (FreePort.find() ?? 8080)
        let dbPath = options.databasePath ?? NSTemporaryDirectory() + "smsstats-demo-\(UUID().uuidString).sqlite"
        let token = ShortCode.generate() + ShortCode.generate()
        let config = AppConfig(host: "127.0.0.1", port: port, adminToken: token, dispatchIntervalMs: 50)
        // The provider client's set-up (fail-fast connects), also for the demo's API calls and the simulator.
        var clientConfig = ProviderHTTPClient.configuration()
        clientConfig.redirectConfiguration = .disallow
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfig)
        do {
            return try await SMSServer.withServer(
                ServerConfiguration(database: dbPath, app: config), providerClient: http, logger: logger
            ) { server in
                try await play(http: http, server: server, token: token, started: started, say: say)
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    func play(
        http: HTTPClient, server: RunningServer, token: String, started: ContinuousClock.Instant,
        say: @escaping @Sendable (String) -> Void
    ) async throws -> DemoReport {
        let config = server.config
        let dbPath = server.store.displayName
        let app = server.application
        let simConfig = SimulatorConfig(apiKey: "sim-" + ShortCode.generate(), seed: options.seed)
        let simulator = ProviderSimulator(config: simConfig, httpClient: http, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        let serverTask = Task { try await group.run() }

        do {
            let api = DemoAPIClient(client: http, baseURL: config.publicBaseURL, token: token)
            try await waitForHealth(api)
            let simPort = try await simulator.start()
            let scenario = DemoScenario(options: options, simConfig: simConfig)
            let report = try await scenario.play(api: api, simulator: simulator, simPort: simPort, say: say)
            say("")
            say(String(repeating: "=", count: 64))
            say("SMSStats demo: campaign \(report.campaignId)  (\(Self.seconds(since: started)) s)")
            say("metric".padding(toLength: 22, withPad: " ", startingAt: 0) + "platform".leftPad(12) + "ground truth".leftPad(16))
            for row in report.rows {
                let mark = row.measured == row.expected ? "" : "   <-- differs"
                say(row.name.padding(toLength: 22, withPad: " ", startingAt: 0) + row.measured.leftPad(12) + row.expected.leftPad(16) + mark)
            }
            say(String(repeating: "=", count: 64))
            say(report.matchesGroundTruth ? "All numbers equal the ground truth." : "MISMATCH between platform and ground truth.")
            if options.keepRunning {
                say("Dashboard:   \(config.publicBaseURL)/campaigns/\(report.campaignId)  (sign in with the admin token)")
                say("Stats API:   curl -H 'Authorization: Bearer \(token)' \(config.publicBaseURL)/api/v1/campaigns/\(report.campaignId)/stats")
            }
            say("Admin token: \(token)")
            say("Database:    \(dbPath)")
            if !options.keepRunning {
                say("To look around: smsstats serve --database \(dbPath) --admin-token <the token above>, then open")
                say("/campaigns/\(report.campaignId); or run the demo again with --keep-running.")
            }
            if options.keepRunning {
                say("Serving at \(config.publicBaseURL); Ctrl-C to stop.")
                _ = try? await serverTask.value
            }
            await simulator.stop()
            await group.triggerGracefulShutdown()
            _ = try? await serverTask.value
            try? await http.shutdown()
            return DemoReport(
                campaignId: report.campaignId, dashboardURL: "\(config.publicBaseURL)/campaigns/\(report.campaignId)",
                adminToken: token, rows: report.rows, matchesGroundTruth: report.matchesGroundTruth)
        } catch {
            await simulator.stop()
            await group.triggerGracefulShutdown()
            _ = try? await serverTask.value
            try? await http.shutdown()
            throw error
        }
    }

    func waitForHealth(_ api: DemoAPIClient) async throws {
        for _ in 0..<200 {
            if let (status, _) = try? await api.call(.GET, "/health", auth: false), status == 200 { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw DemoAPIClient.Failure(description: "the server did not start on \(api.baseURL)")
    }

    static func seconds(since start: ContinuousClock.Instant) -> String {
        let d = ContinuousClock.now - start
        return String(format: "%.1f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
