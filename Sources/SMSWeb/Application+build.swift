import Foundation
import Hummingbird
import Logging
import Mustache
import Prometheus
import SMSCore
import SMSTemplating
import ServiceLifecycle

/// Builds the HTTP application: API, callbacks, redirects, dashboard, `/health`, `/ready`,
/// `/metrics`, `/openapi.json`, plus the dispatch loop as a service.
/// - Parameters:
///   - config: server configuration.
///   - store: the storage adapter (SQLite, PostgreSQL, or a test store).
///   - gateway: the outbound provider adapter.
///   - runDispatcher: run the background dispatch loop (tests may drive it by hand).
///   - metrics: the domain metrics served at `/metrics` (``AppMetrics``; tests pass their own).
///   - drain: the server's drain switch (``NodeDrain``): once started, `/ready` answers 503 and the
///     dispatcher claims nothing more. The dispatch service starts it on graceful shutdown; the
///     caller may start it earlier (``SMSServer``'s `RunningServer` does on SIGTERM).
public func buildApplication(
    config: AppConfig, store: any SMSDispatchStore, gateway: any SMSGateway, runDispatcher: Bool = true, logger: Logger,
    metrics: AppMetrics = .shared, drain: NodeDrain = NodeDrain()
) async throws -> some ApplicationProtocol {
    let planner = CampaignPlanner(
        linkBaseURL: config.publicBaseURL, linkLifetime: config.linkLifetimeSeconds, engine: MustacheTemplateEngine())
    let dispatcher = Dispatcher(
        store: store, gateway: gateway, planner: planner,
        frequencyCap: config.frequencyCap.map { FrequencyCap(maxMessages: $0) }, observer: metrics, drain: drain, node: config.node,
        leasePolicy: config.leasePolicy)
    // The click journal (SQLite: next to the database; PostgreSQL: the node's own directory):
    // replayed before the server accepts requests. Only a store that declares one has it
    // (``StoreCapabilities/clickJournal``).
    var journal: ClickJournal?
    if let dir = config.clickJournalDirectory {
        guard let journalStore = store.capabilities.clickJournal else {
            throw ApplicationConfigurationError(
                description: "a click journal directory was given, but the \(store.capabilities.engine) store records clicks directly")
        }
        journal = try await ClickJournal.open(
            directory: URL(fileURLWithPath: dir), store: journalStore, logger: logger, nodeId: config.node.id)
    }
    let router = try await buildRouter(
        config: config, store: store, dispatcher: dispatcher, logger: logger, clickJournal: journal, metrics: metrics, drain: drain)
    var app = Application(
        router: router,
        // Closes a connection that stops sending mid-request (slow loris) or idles between requests.
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(config.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "smsstats"),
        logger: logger)
    if let journal { app.addServices(ClickJournalService(journal: journal)) }
    if runDispatcher {
        app.addServices(DispatchService(dispatcher: dispatcher, store: store, intervalMs: config.dispatchIntervalMs, logger: logger, retention: config.retention))
        app.addServices(WebhookDeliveryService(store: store, holder: config.node.holder, logger: logger, metrics: metrics))
    }
    return app
}

/// The router of ``buildApplication(config:store:gateway:runDispatcher:logger:)``.
/// `clickJournal`: redirects journal their hits and answer at once (``ClickJournal``); `nil` =
/// each redirect waits for its commit. `metrics`: the domain metrics (``AppMetrics``); pass the
/// same object as the dispatcher's `observer` for dispatch outcomes. `drain`: the switch `/ready`
/// reads (``HealthController``).
public func buildRouter(
    config: AppConfig, store: any SMSDispatchStore, dispatcher: Dispatcher, logger: Logger, clickJournal: ClickJournal? = nil,
    metrics: AppMetrics = .shared, drain: NodeDrain = NodeDrain()
) async throws
    -> Router<AppRequestContext>
{
    let registry = MetricsSetup.registry
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RedactingLogRequestsMiddleware(.debug))
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: CloseAfterTooLargeMiddleware())
    let routeMethods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeMethods))
    router.add(middleware: StoreErrorMiddleware(logger: logger))
    HealthController(schema: store, drain: drain, logger: logger).addRoutes(to: router)
    router.get("metrics") { _, _ in
        // The backlog is read at scrape time: the journal's append path stays as it is.
        if let clickJournal { metrics.journalBacklog.record(clickJournal.backlog) }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        if metrics.registry !== registry { metrics.registry.emit(into: &buffer) }
        return JSON.raw(Data(buffer), contentType: "text/plain; version=0.0.4")
    }
    let openAPI = try Data(contentsOf: Resources.url("openapi.json"))
    router.get("openapi.json") { _, _ in JSON.raw(openAPI) }

    let api = router.group("api/v1").add(middleware: AdminAuthMiddleware(token: config.adminToken))
        .add(middleware: AdminRequestContractMiddleware(contract: try APIContract(openAPI: openAPI)))
    ProviderController(store: store, config: config).addRoutes(to: api)
    ProfileController(store: store).addRoutes(to: api)
    let profiles = ProfileManagementController(store: store, clickJournal: clickJournal)
    profiles.addRoutes(to: api)
    SegmentController(store: store, config: config).addRoutes(to: api)
    WebhookController(store: store, config: config).addRoutes(to: api)
    let campaignController = CampaignController(store: store, dispatcher: dispatcher)
    campaignController.addRoutes(to: api)
    CampaignManagementController(campaigns: campaignController, management: CampaignManagement(store: store, dispatcher: dispatcher))
        .addRoutes(to: api)
    StatsController(store: store).addRoutes(to: api)
    OverviewController(store: store).addRoutes(to: api)
    EventController(store: store, maxEvents: config.maxEventsPerRequest, metrics: metrics).addRoutes(to: api)
    ClickHitsController(store: store).addRoutes(to: api)
    let messageLog = MessageLogController(store: store)
    messageLog.addRoutes(to: api)
    messageLog.addLookupRoutes(to: api)
    IngestionErrorController(store: store, config: config).addRoutes(to: api)
    UnmatchedCallbackController(store: store).addRoutes(to: api)
    CallbackController(store: store, config: config, logger: logger, metrics: metrics, nonces: store).addRoutes(to: router)
    // The click IP-hash salt: the configured one, else the database's (generated once, stored).
    let ipHashSalt: String
    if let configured = config.ipHashSalt {
        ipHashSalt = configured
    } else {
        let resolved = try await IPHashSalt.storedOrGenerated(in: store)
        ipHashSalt = resolved.salt
        if resolved.generated {
            logger.notice(
                "generated the IP-hash salt and stored it in the database (no SMSSTATS_IP_HASH_SALT); click IP hashes of runs with another salt will not match these")
        }
    }
    RedirectController(
        store: store, config: config, ipHashSalt: ipHashSalt, bots: BotDetector(extraPatterns: config.botUserAgentSubstrings), journal: clickJournal,
        logger: logger, metrics: metrics
    ).addRoutes(to: router)
    let templates = try await MustacheLibrary(directory: Resources.url("templates").path)
    try DashboardController(store: store, loginLinks: store, config: config, templates: templates, dispatcher: dispatcher, profiles: profiles)
        .addRoutes(to: router, api: api)
    routeMethods.fill(from: router)
    return router
}

/// Files shipped in the module's resource bundle.
enum Resources {
    static func url(_ name: String) -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if let url = Bundle.module.url(
            forResource: parts[0], withExtension: parts.count > 1 ? parts[1] : nil, subdirectory: "Resources")
        {
            return url
        }
        return Bundle.module.bundleURL.appendingPathComponent("Resources").appendingPathComponent(name)
    }
}
