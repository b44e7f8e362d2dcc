import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSGatewayHTTP
import SMSSimulator
import Testing

/// Collects the callback requests a simulator posts, in arrival order.
actor CallbackInbox {
    private(set) var bodies: [String] = []
    func add(_ body: String) { bodies.append(body) }

    /// Runs `body` with the URL of a live loopback receiver (port 0) that answers 200.
    static func serve<T: Sendable>(
        _ body: @escaping @Sendable (_ url: String, _ inbox: CallbackInbox) async throws -> T
    ) async throws -> T {
        let inbox = CallbackInbox()
        let router = Router()
        router.post("/callbacks") { request, _ -> HTTPResponse.Status in
            var request = request
            await inbox.add(String(buffer: try await request.collectBody(upTo: 4 << 20)))
            return .ok
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/callbacks", inbox)
        }
    }
}

/// One received callback item with the index of the request that carried it.
struct SeenItem: Hashable {
    var request: Int
    var event: String
    var meta: String
    var ts: Int64
    var code: String?
}

@Suite("Provider simulator")
struct SimulatorTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.simulator")
        logger.logLevel = .critical
        return logger
    }()

    static func fastConfig(seed: UInt64) -> SimulatorConfig {
        SimulatorConfig(
            apiKey: "sim-test",
            seed: seed,
            duplicateRate: 0.2,
            outOfOrderRate: 0.2,
            transientFailureRate: 0.5,
            callbackDelay: .milliseconds(10) ... .milliseconds(60),
            flushInterval: .milliseconds(20)
        )
    }

    static func provider(port: Int, apiKey: String) -> ProviderConfig {
        ProviderConfig(
            id: "sim",
            name: "Simulator",
            method: "POST",
            url: "http://127.0.0.1:\(port)/sms/send",
            bodyType: "json",
            bodyTemplate: #"{"messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            headers: ["Authorization": "Bearer \(apiKey)"],
            batch: BatchConfig(key: "messages", size: 20),
            callbackSecret: "s",
            messageIdPath: "messages.*.id",
            createdAt: 0
        )
    }

    static func parse(_ bodies: [String]) throws -> [SeenItem] {
        var items: [SeenItem] = []
        for (index, body) in bodies.enumerated() {
            let groups = try JSONDecoder().decode([JSONValue].self, from: Data(body.utf8))
            for group in groups {
                guard case .object(let g) = group, case .string(let event)? = g["event"], case .array(let data)? = g["data"]
                else { throw CancellationError() }
                for item in data {
                    guard case .object(let o) = item, case .string(let meta)? = o["meta"], case .number(let ts)? = o["ts"]
                    else { throw CancellationError() }
                    items.append(SeenItem(request: index, event: event, meta: meta, ts: Int64(ts), code: o["code"]?.stringValue))
                }
            }
        }
        return items
    }

    @Test func fiftyMessagesEndInCallbacksMatchingTheGroundTruth() async throws {
        try await CallbackInbox.serve { callbackURL, inbox in
            let config = Self.fastConfig(seed: 42)
            let simulator = ProviderSimulator(config: config, httpClient: .shared, logger: Self.logger)
            let port = try await simulator.start()
            await simulator.setCallbackURL(callbackURL)

            let messages = (1...50).map {
                OutboundMessage(
                    messageId: Int64($0),
                    campaignId: "c1",
                    userId: "u\($0)",
                    to: "+49151000000\(String(format: "%02d", $0))",
                    body: "Hello \($0) & welcome",
                    meta: "meta-\($0)"
                )
            }
            let log = SleepLog()
            let gateway = HTTPProviderGateway(
                httpClient: .shared,
                retry: RetryPolicy(sleep: { await log.add($0) }, random: { 0.5 }),
                logger: Self.logger
            )
            let results = await gateway.send(messages, via: Self.provider(port: port, apiKey: config.apiKey))
            #expect(results.map(\.messageId) == Array(1...50))
            #expect(results.map(\.outcome) == (1...50).map { .sent(providerMessageId: "SIM-\($0)") })
            // Retry-After: 0 on the transient 503s.
            let sleeps = await log.sleeps
            #expect(sleeps == [.zero, .zero])

            #expect(await simulator.waitUntilIdle(timeout: .seconds(10)))
            let tally = await simulator.groundTruth()
            await simulator.stop()

            #expect(tally.accepted == 50)
            #expect(tally.delivered + tally.failed + tally.noReceipt == tally.accepted)
            #expect(tally.failedByCode.values.reduce(0, +) == tally.failed)

            let items = try Self.parse(await inbox.bodies)
            let deliveredMetas = Set(items.filter { $0.event == "delivered" }.map(\.meta))
            var finalFailed: [String: String] = [:]
            for item in items where item.event == "failed" && !deliveredMetas.contains(item.meta) {
                finalFailed[item.meta] = item.code ?? ""
            }
            var failedByCode: [String: Int] = [:]
            for code in finalFailed.values { failedByCode[code, default: 0] += 1 }

            #expect(deliveredMetas.count == tally.delivered)
            #expect(finalFailed.count == tally.failed)
            #expect(failedByCode == tally.failedByCode)
            #expect(50 - deliveredMetas.count - finalFailed.count == tally.noReceipt)
            #expect(await inbox.bodies.count == tally.callbackRequests)
            #expect(items.count == tally.callbackItems)

            // Duplicates are identical items, each in a later request than its original.
            var firstSeen: [SeenItem: Int] = [:]
            var duplicates = 0
            for item in items {
                var key = item
                key.request = 0
                if let first = firstSeen[key] {
                    duplicates += 1
                    #expect(item.request > first)
                } else {
                    firstSeen[key] = item.request
                }
            }
            #expect(duplicates == tally.duplicatesPosted)

            // Out-of-order: a 914 stamped 2 s before the delivery, posted in a later request.
            let outOfOrder = items.filter { $0.event == "failed" && deliveredMetas.contains($0.meta) }
            #expect(Set(outOfOrder.map(\.meta)).count == tally.outOfOrderPosted)
            for extra in outOfOrder {
                let delivered = items.first { $0.event == "delivered" && $0.meta == extra.meta }!
                #expect(extra.code == "914")
                #expect(extra.ts == delivered.ts - 2)
                #expect(extra.request > delivered.request)
            }

            // The seed fixes the outcome of every ref.
            #expect(
                tally
                    == SimulatorTally(
                        accepted: 50,
                        delivered: 39,
                        failed: 8,
                        noReceipt: 3,
                        failedByCode: ["910": 4, "905": 1, "901": 3],
                        // The number of flushes depends on timing; it was checked against the inbox above.
                        callbackRequests: tally.callbackRequests,
                        callbackItems: 66,
                        duplicatesPosted: 13,
                        outOfOrderPosted: 6
                    )
            )
        }
    }

    @Test func sendApiChecksTheKeyAndTheBody() async throws {
        let config = SimulatorConfig(apiKey: "sim-test", transientFailureRate: 0)
        let simulator = ProviderSimulator(config: config, httpClient: .shared, logger: Self.logger)
        let port = try await simulator.start()

        func post(_ body: String, auth: String?) async throws -> (Int, String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/sms/send")
            request.method = .POST
            if let auth { request.headers.add(name: "Authorization", value: auth) }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let answer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: answer))
        }

        let one = #"{"messages":[{"to":"+4915112345678","text":"Hi","ref":"r-1"}]}"#
        #expect(try await post(one, auth: nil) == (401, #"{"error":"unauthorized"}"#))
        #expect(try await post(one, auth: "Bearer wrong") == (401, #"{"error":"unauthorized"}"#))
        #expect(
            try await post(#"{"messages":[]}"#, auth: "Bearer sim-test")
                == (400, #"{"error":"messages must hold 1 to 1000 items, got 0"}"#)
        )
        #expect(
            try await post(#"{"messages":[{"to":"+4915112345678","ref":"r-1"}]}"#, auth: "Bearer sim-test")
                == (400, #"{"error":"messages[0] needs non-empty to, text and ref"}"#)
        )
        #expect(
            try await post(one, auth: "Bearer sim-test")
                == (200, #"{"messages":[{"id":"SIM-1","ref":"r-1","status":"accepted"}]}"#)
        )
        // The same ref again gets a new id but is not a new message.
        #expect(
            try await post(one, auth: "Bearer sim-test")
                == (200, #"{"messages":[{"id":"SIM-2","ref":"r-1","status":"accepted"}]}"#)
        )
        #expect(await simulator.groundTruth().accepted == 1)
        #expect(await simulator.inbox() == [SimulatedSMS(to: "+4915112345678", text: "Hi", ref: "r-1")])
        await simulator.stop()
    }

    @Test func fateIsAFunctionOfSeedAndRef() {
        let config = SimulatorConfig(seed: 7)
        let fates = (1...200).map { SimulatedFate.decide(ref: "m\($0)", config: config) }
        #expect(fates == (1...200).map { SimulatedFate.decide(ref: "m\($0)", config: config) })
        #expect(fates.allSatisfy { $0.callbackDelay >= .milliseconds(50) && $0.callbackDelay <= .milliseconds(800) })
        #expect(fates.allSatisfy { !$0.outOfOrder || $0.outcome == .delivered })
        #expect(fates.allSatisfy { !$0.duplicate || $0.outcome != .noReceipt })
        let delivered = fates.filter { $0.outcome == .delivered }.count
        let noReceipt = fates.filter { $0.outcome == .noReceipt }.count
        #expect(delivered == 179)
        #expect(noReceipt == 5)
        #expect(fates.filter { $0.duplicate }.count == 13)
        #expect(fates.filter { $0.outOfOrder }.count == 8)
    }
}
