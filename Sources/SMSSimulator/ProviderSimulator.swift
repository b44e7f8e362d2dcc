import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import SMSCore
import ServiceLifecycle

/// A simulated SMS provider: a real HTTP server that accepts send requests like a provider, and
/// posts delivery receipts back over real HTTP in the generic callback contract (`docs/DOMAIN.md` §3),
/// keeping its own ground truth (``SimulatorTally``) to check the platform's stats against.
///
/// ## Provider API
/// `POST /sms/send`
/// - Header `Authorization: Bearer <config.apiKey>`; otherwise 401 `{"error":"unauthorized"}`.
/// - Body `{"messages":[{"to":"+4915112345678","text":"Hi","ref":"<our meta>"}]}` with 1…1000
///   items, each with non-empty `to`, `text` and `ref` strings; otherwise 400 `{"error":"…"}`.
/// - 200 `{"messages":[{"id":"SIM-1","ref":"…","status":"accepted"}]}`, one entry per item in
///   order (ids count up from 1 over the simulator's life).
/// - `config.transientFailureRate` of requests (chosen by a seeded draw over their refs) are
///   answered 503 with `Retry-After: 0` the first time they are seen; the same request again is
///   accepted.
///
/// A provider config for it (what the demo uses):
/// `method: "POST"`, `url: "http://127.0.0.1:<port>/sms/send"`, `bodyType: "json"`,
/// `bodyTemplate: {"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}`,
/// `headers: ["Authorization": "Bearer <apiKey>"]`, `batch: BatchConfig(key: "messages", size: ≤1000)`,
/// `messageIdPath: "messages.*.id"`.
///
/// `GET /sim/tally` answers the ground truth as JSON (``SimulatorTally``); `GET /health` answers 200.
///
/// ## Receipts
/// Each newly accepted `ref` gets a ``SimulatedFate`` (seeded, order-independent). After its delay
/// the receipt is queued; every `config.flushInterval` a flusher posts the queued items (up to
/// `maxItemsPerCallback`) as ONE request to the callback URL:
/// `[{"event":"delivered","data":[{"meta","ts","description"}]},{"event":"failed","data":[{"meta","ts","code","description"}]}]`,
/// `ts` in epoch seconds, descriptions from ``DeliveryErrorCatalog``. 2xx and 4xx answers end an
/// item's life (4xx is logged); 5xx and connection errors keep the items queued and retry with
/// backoff (0.1 s doubling to 5 s). A duplicate, and an out-of-order extra `failed` "914"
/// (stamped 2 s before the delivery), are queued only after the original was acknowledged, so
/// they always travel in a later request.
///
/// A `ref` sent again (a gateway retry after a lost answer) is answered with a new id but gets no
/// second fate or receipt: the tally counts messages by `ref`.
public actor ProviderSimulator {
    let config: SimulatorConfig
    let httpClient: HTTPClient
    let logger: Logger

    var callbackURL: String?
    var serverTask: Task<Void, any Error>?
    var serviceGroup: ServiceGroup?
    var flusherTask: Task<Void, Never>?
    var boundPort: Int?

    /// Ground truth and counters.
    var tally = SimulatorTally()
    /// Messages accepted, first copy of each ref (what the phones received).
    var inboxMessages: [SimulatedSMS] = []
    /// Fates by ref.
    var fates: [String: SimulatedFate] = [:]
    /// Send requests that already got their transient 503.
    var transientlyRefused: Set<String> = []
    var nextId = 1

    /// Receipts waiting for their delay.
    var scheduled: [ScheduledReceipt] = []
    /// Receipts due, waiting for the next flush.
    var queue: [ReceiptEntry] = []
    /// Receipts in the callback request being posted.
    var inFlight: [ReceiptEntry] = []
    var consecutivePostFailures = 0
    var nextPostAllowed = ContinuousClock.now

    /// - Parameters:
    ///   - config: behaviour and seed.
    ///   - httpClient: client for posting callbacks (owned by the caller).
    ///   - logger: logger for the server and the flusher.
    public init(config: SimulatorConfig, httpClient: HTTPClient, logger: Logger) {
        self.config = config
        self.httpClient = httpClient
        self.logger = logger
        self.callbackURL = config.callbackURL
    }

    /// Starts the HTTP server and the callback flusher.
    /// - Parameters:
    ///   - host: address to bind (loopback by default).
    ///   - port: port to bind; 0 picks a free one.
    /// - Returns: the bound port (the same one when already started).
    /// - Throws: when the server cannot bind.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        if let boundPort { return boundPort }
        let router = Router()
        router.post("/sms/send") { request, _ -> Response in
            var request = request
            let auth = request.headers[.authorization]
            let body = try await request.collectBody(upTo: 8 << 20)
            return await self.handleSend(authorization: auth, body: Data(body.readableBytesView))
        }
        router.get("/sim/tally") { _, _ -> Response in
            let tally = await self.groundTruth()
            let data = (try? Self.encoder.encode(tally)) ?? Data("{}".utf8)
            return Self.json(.ok, data)
        }
        router.get("/health") { _, _ -> HTTPResponse.Status in .ok }

        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "SMSSimulator"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? port)
                portContinuation.finish()
            },
            logger: logger
        )
        // Run inside our own ServiceGroup so `stop()` can shut the server down gracefully.
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            // The server stopped before it ran: report its error.
            try await task.value
            throw SimulatorError.serverDidNotStart
        }
        serverTask = task
        serviceGroup = group
        boundPort = bound
        flusherTask = Task { await self.flushLoop() }
        logger.info("provider simulator listening", metadata: ["port": "\(bound)"])
        return bound
    }

    /// Stops the flusher and the server (graceful shutdown: open requests finish; after 5 s the
    /// server task is cancelled). Queued receipts stay queued (and unposted).
    public func stop() async {
        flusherTask?.cancel()
        flusherTask = nil
        if let serverTask, let serviceGroup {
            await serviceGroup.triggerGracefulShutdown()
            let watchdog = Task {
                try await Task.sleep(for: .seconds(5))
                serverTask.cancel()
            }
            _ = try? await serverTask.value
            watchdog.cancel()
        }
        serverTask = nil
        serviceGroup = nil
        boundPort = nil
    }

    /// Sets where receipts are posted (e.g. `http://127.0.0.1:8080/callbacks/generic/<id>?secret=…`).
    public func setCallbackURL(_ url: String) {
        callbackURL = url
    }

    /// Waits until every receipt scheduled so far has been posted and acknowledged.
    /// - Parameter timeout: how long to wait at most.
    /// - Returns: `true` when idle, `false` when the timeout passed first.
    public func waitUntilIdle(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if scheduled.isEmpty && queue.isEmpty && inFlight.isEmpty { return true }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The ground truth so far.
    public func groundTruth() -> SimulatorTally {
        tally
    }

    // MARK: - Send

    struct SendBody: Decodable {
        struct Item: Decodable {
            var to: String?
            var text: String?
            var ref: String?
        }
        var messages: [Item]?
    }

    struct SendAnswer: Encodable {
        struct Item: Encodable {
            var id: String
            var ref: String
            var status: String
        }
        var messages: [Item]
    }

    /// Handles `POST /sms/send` (see the type's documentation).
    func handleSend(authorization: String?, body: Data) -> Response {
        guard authorization == "Bearer \(config.apiKey)" else {
            return Self.error(.unauthorized, "unauthorized")
        }
        guard let decoded = try? JSONDecoder().decode(SendBody.self, from: body), let items = decoded.messages else {
            return Self.error(.badRequest, "body must be {\"messages\":[{\"to\",\"text\",\"ref\"}]}")
        }
        guard (1...1000).contains(items.count) else {
            return Self.error(.badRequest, "messages must hold 1 to 1000 items, got \(items.count)")
        }
        var refs: [String] = []
        var received: [SimulatedSMS] = []
        for (index, item) in items.enumerated() {
            guard let to = item.to, !to.isEmpty, let text = item.text, !text.isEmpty, let ref = item.ref, !ref.isEmpty
            else {
                return Self.error(.badRequest, "messages[\(index)] needs non-empty to, text and ref")
            }
            refs.append(ref)
            received.append(SimulatedSMS(to: to, text: text, ref: ref))
        }
        let requestKey = refs.joined(separator: "\u{1F}")
        if SimulatedFate.transientFailure(requestKey: requestKey, config: config),
            transientlyRefused.insert(requestKey).inserted
        {
            var headers = HTTPFields()
            headers[.retryAfter] = "0"
            headers[.contentType] = "application/json"
            return Response(
                status: .serviceUnavailable,
                headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"temporarily unavailable"}"#))
            )
        }

        let now = ContinuousClock.now
        let epoch = Date().timeIntervalSince1970
        var answer: [SendAnswer.Item] = []
        for sms in received {
            answer.append(.init(id: "SIM-\(nextId)", ref: sms.ref, status: "accepted"))
            nextId += 1
            if fates[sms.ref] == nil {
                accept(ref: sms.ref, now: now, epoch: epoch)
                inboxMessages.append(sms)
            }
        }
        let data = (try? Self.encoder.encode(SendAnswer(messages: answer))) ?? Data()
        return Self.json(.ok, data)
    }

    /// Decides a new message's fate, counts it, and schedules its receipt.
    func accept(ref: String, now: ContinuousClock.Instant, epoch: Double) {
        let fate = SimulatedFate.decide(ref: ref, config: config)
        fates[ref] = fate
        tally.accepted += 1
        let ts = Int64((epoch + Double(SimulatedFate.milliseconds(fate.callbackDelay)) / 1000).rounded(.down))
        let receipt: ReceiptItem
        switch fate.outcome {
        case .noReceipt:
            tally.noReceipt += 1
            return
        case .delivered:
            tally.delivered += 1
            receipt = ReceiptItem(event: "delivered", meta: ref, ts: ts, code: nil, description: "Delivered")
        case .failed(let code):
            tally.failed += 1
            tally.failedByCode[code, default: 0] += 1
            receipt = ReceiptItem(event: "failed", meta: ref, ts: ts, code: code, description: Self.describe(code))
        }
        var followUps: [ReceiptEntry] = []
        if fate.duplicate {
            followUps.append(ReceiptEntry(item: receipt, kind: .duplicate, followUps: []))
        }
        if fate.outOfOrder {
            let early = ReceiptItem(
                event: "failed",
                meta: ref,
                ts: ts - 2,
                code: "914",
                description: Self.describe("914")
            )
            followUps.append(ReceiptEntry(item: early, kind: .outOfOrder, followUps: []))
        }
        scheduled.append(
            ScheduledReceipt(
                due: now + fate.callbackDelay,
                entry: ReceiptEntry(item: receipt, kind: .original, followUps: followUps)
            )
        )
    }

    static func describe(_ code: String) -> String {
        DeliveryErrorCatalog.lookup(code: code, provider: .generic, description: nil).description
    }

    // MARK: - JSON helpers

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let data = (try? encoder.encode(["error": message])) ?? Data()
        return json(status, data)
    }
}

/// Errors of ``ProviderSimulator/start(host:port:)``.
public enum SimulatorError: Error, Sendable {
    /// The server finished before it reported a listening port.
    case serverDidNotStart
}
