import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSGatewayHTTP
import SMSStoreSQLite
import SMSTestSupport
import Testing

@testable import SMSDemo
@testable import SMSWeb

#if canImport(Glibc)
import Glibc
#endif

/// End to end against a real SMS gateway: Debian's Kannel (bearerbox + smsbox) with the SMPP SMSC
/// simulator in `scripts/kannel` (its README: the destination prefix picks the outcome).
/// A campaign goes out through Kannel's `sendsms` as a GET provider whose `dlr-url` is `$$DlrUrl`
/// (the message's meta and its own callback token, no provider secret); Kannel's delivery reports
/// come back to `/callbacks/{id}` and must show in the stats.
///
/// Outcomes (Kannel strips the `+` of E.164 numbers before SMPP, so the simulator sees `49…`):
/// | user | number | simulator | DLRs | expected |
/// |---|---|---|---|---|
/// | ok | +4915550001001 | DELIVRD | 8, 1 | delivered |
/// | und | +4915550008001 | UNDELIV err:001 | 8, 2 | failed, code 001 |
/// | rej | +4915550009001 | submit refused (0x45) | 16 | failed, code REJECTD |
/// | enr | +4915550007001 | ENROUTE then DELIVRD | 8, 4, 1 | delivered |
/// | nor | +4915550006001 | no receipt | 8 | pending (submitted) |
///
/// Skipped when `/usr/sbin/bearerbox` is absent (`scripts/setup/kannel.sh` installs it in CI).
@Suite("Kannel integration", .serialized)
struct KannelIntegrationTests {
    static let tools: String = {
        if let env = ProcessInfo.processInfo.environment["SMSSTATS_KANNEL_TOOLS"] { return env }
        // The SMSC simulator and the Kannel configuration are kept in the repository (scripts/kannel).
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent("scripts/kannel").path
    }()

    static let available: Bool = {
        let fm = FileManager.default
        return fm.isExecutableFile(atPath: "/usr/sbin/bearerbox") && fm.isExecutableFile(atPath: "/usr/sbin/smsbox")
            && fm.fileExists(atPath: tools + "/smsc_sim.py") && fm.fileExists(atPath: tools + "/kannel-smpp.conf")
            && fm.isExecutableFile(atPath: "/usr/bin/python3")
    }()

    /// A live server whose gateway sends to a fresh Kannel stack (``KannelStack``), on an in-memory
    /// SQLite store, with an admin client: what each case here shares. The stack is stopped and the
    /// HTTP client shut down when `body` returns or throws.
    static func withKannel(_ body: @escaping @Sendable (KannelRun) async throws -> Void) async throws {
        let stack = try KannelStack.start(tools: Self.tools)
        defer { stack.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await stack.waitReady(http)
            let store = try SQLiteStore.inMemory()
            var logger = Logger(label: "test.kannel")
            logger.logLevel = .warning
            // `$$DlrUrl` needs the live server's port, known only inside `app.test`: the real gateway is
            // bound there, before anything is sent.
            let gateway = LiveBoundGateway()
            let token = "kannel-admin-token"
            let config = AppConfig(host: "127.0.0.1", port: 0, adminToken: token, dispatchIntervalMs: 50)
            let app = try await buildApplication(config: config, store: store, gateway: gateway, logger: logger)
            try await app.test(.live) { [logger] client in
                let port = try #require(client.port)
                gateway.bind(HTTPProviderGateway(
                    httpClient: http, retry: RetryPolicy(maxAttempts: 1), publicBaseURL: "http://127.0.0.1:\(port)", logger: logger))
                try await body(KannelRun(client: client, stack: stack, store: store, token: token))
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    @Test("a campaign through Kannel sendsms: DLRs delivered, undelivered, rejected, enroute→delivered, none reach the stats",
          .enabled(if: available, "needs /usr/sbin/bearerbox (apt-get install kannel) and scripts/kannel (or SMSSTATS_KANNEL_TOOLS)"),
          .timeLimit(.minutes(2)))
    func campaignThroughKannel() async throws {
        try await Self.withKannel { run in
            let (client, stack, store) = (run.client, run.stack, run.store)
            let secret = "kannel-" + ShortCode.generate() + ShortCode.generate()
            try await store.insertProvider(
                ProviderConfig(
                    id: "kannel", name: "Kannel", kind: .kannel, method: "GET",
                    url: "http://127.0.0.1:\(stack.sendsmsPort)/cgi-bin/sendsms", bodyType: "form",
                    bodyTemplate: "username=tester&password=foobar&from=12345&to=$$To&text=$$Body&dlr-mask=31&dlr-url=$$DlrUrl",
                    callbackSecret: secret, createdAt: Int64(Date().timeIntervalSince1970)))
            let auth = run.auth
            let users = [("ok", "+4915550001001"), ("und", "+4915550008001"), ("rej", "+4915550009001"),
                         ("enr", "+4915550007001"), ("nor", "+4915550006001")]
            let profiles = "[" + users.map { #"{"userId":"\#($0.0)","phone":"\#($0.1)"}"# }.joined(separator: ",") + "]"
            let imported = try await client.execute(uri: "/api/v1/profiles", method: .post, headers: auth, body: ByteBuffer(string: profiles))
            #expect(imported.status == .ok)
            let draft = #"{"name":"Kannel","providerId":"kannel","body":"Hello from Kannel","audience":{"userIds":["ok","und","rej","enr","nor"]}}"#
            let created = try await client.execute(uri: "/api/v1/campaigns", method: .post, headers: auth, body: ByteBuffer(string: draft))
            #expect(created.status == .created)
            let campaignId = try #require((try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])?["id"] as? String)
            let published = try await client.execute(uri: "/api/v1/campaigns/\(campaignId)/publish", method: .post, headers: auth)
            #expect(published.status == .ok)

            // Wait for the DLRs (the simulator answers after 0.3 s per receipt).
            var stats: [String: Any] = [:]
            for _ in 0..<150 {
                stats = try await run.json("/api/v1/campaigns/\(campaignId)/stats")
                if stats["delivered"] as? Int == 2, stats["failed"] as? Int == 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(500))  // anything late would show now
            stats = try await run.json("/api/v1/campaigns/\(campaignId)/stats")
            #expect(stats["sent"] as? Int == 5)
            #expect(stats["delivered"] as? Int == 2)
            #expect(stats["failed"] as? Int == 2)
            #expect(stats["pending"] as? Int == 1)
            #expect(stats["dispatchErrors"] as? Int == 0)
            #expect(stats["inferredDelivered"] as? Int == 0)

            let errors = try await run.json("/api/v1/campaigns/\(campaignId)/errors")
            let delivery = try #require(errors["delivery"] as? [[String: Any]])
            let byCode = Dictionary(uniqueKeysWithValues: delivery.map { ($0["code"] as? String ?? "?", $0["count"] as? Int ?? -1) })
            #expect(byCode == ["001": 1, "REJECTD": 1])
            #expect(delivery.first { $0["code"] as? String == "REJECTD" }?["description"] as? String == "SMSC rejected the message")

            let ingestion = try await client.execute(uri: "/api/v1/ingestion-errors", method: .get, headers: auth)
            #expect(String(buffer: ingestion.body) == "[]")
            let unmatched = try await store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(unmatched.isEmpty)
        }
    }
}

/// What ``KannelIntegrationTests/withKannel(_:)`` hands each case: the live server's client, the
/// Kannel stack, the store, and the admin token.
struct KannelRun: Sendable {
    let client: any TestClientProtocol
    let stack: KannelStack
    let store: SQLiteStore
    let token: String

    var auth: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    /// The JSON object an admin request answers (the status and body in the failure otherwise).
    func json(_ uri: String, _ method: HTTPRequest.Method = .get, _ body: String? = nil) async throws -> [String: Any] {
        let r = try await client.execute(uri: uri, method: method, headers: auth, body: body.map { ByteBuffer(string: $0) })
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any], "\(r.status) \(String(buffer: r.body))")
    }
}

/// The simulator, bearerbox and smsbox on free loopback ports, configured in a temp folder (the
/// shared tools folder may be read-only). Stops only the processes it started, by PID.
final class KannelStack: @unchecked Sendable {
    let dir: URL
    let adminPort: Int
    let boxPort: Int
    let sendsmsPort: Int
    let smppPort: Int
    private var processes: [SpawnedProcess] = []

    private init(dir: URL, ports: [Int]) {
        self.dir = dir
        (adminPort, boxPort, sendsmsPort, smppPort) = (ports[0], ports[1], ports[2], ports[3])
    }

    static func start(tools: String) throws -> KannelStack {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-kannel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var ports: [Int] = []
        while ports.count < 4 {
            guard let p = FreePort.find() else { throw CancellationError() }
            if !ports.contains(p) { ports.append(p) }
        }
        let stack = KannelStack(dir: dir, ports: ports)
        var conf = try String(contentsOfFile: tools + "/kannel-smpp.conf", encoding: .utf8)
        for (from, to) in [("13000", stack.adminPort), ("13001", stack.boxPort), ("13013", stack.sendsmsPort), ("2775", stack.smppPort)] {
            conf = conf.replacingOccurrences(of: "= \(from)\n", with: "= \(to)\n")
        }
        let confPath = dir.appendingPathComponent("kannel.conf").path
        try conf.write(toFile: confPath, atomically: true, encoding: .utf8)
        try stack.launch(
            "/usr/bin/python3",
            [tools + "/smsc_sim.py", "--port", "\(stack.smppPort)", "--delay", "0.3", "--reject-prefix", "4915550009",
             "--undeliv-prefix", "4915550008", "--enroute-prefix", "4915550007", "--noreceipt-prefix", "4915550006"],
            log: "sim.out")
        try stack.waitPort(stack.smppPort)
        try stack.launch("/usr/sbin/bearerbox", ["-v", "1", confPath], log: "bearerbox.out")
        try stack.waitPort(stack.boxPort)
        try stack.launch("/usr/sbin/smsbox", ["-v", "1", confPath], log: "smsbox.out")
        try stack.waitPort(stack.sendsmsPort)
        return stack
    }

    /// Polls bearerbox's status page until the SMSC is online and smsbox is attached.
    func waitReady(_ http: HTTPClient) async throws {
        let url = "http://127.0.0.1:\(adminPort)/status.txt?password=adminpw"
        for _ in 0..<150 {
            if let response = try? await http.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                let body = try? await response.body.collect(upTo: 1 << 20)
            {
                let text = String(buffer: body)
                if text.contains("(online"), text.contains("smsbox:") { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KannelError(message: "Kannel did not come up; logs in \(dir.path)")
    }

    /// Starts `path args` in the stack's directory, its output to `log` (``SpawnedProcess`` gives
    /// the child an empty signal mask: processes spawned from the test runner would otherwise inherit
    /// its blocked signals, SIGTERM included, and ignore ``stop()``'s SIGTERM).
    private func launch(_ path: String, _ args: [String], log: String) throws {
        let handle = try FileHandle(forWritingTo: {
            let url = dir.appendingPathComponent(log)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            return url
        }())
        defer { try? handle.close() }
        processes.append(
            try SpawnedProcess(
                executable: path, arguments: args, directory: dir.path,
                standardOutput: handle.fileDescriptor, standardError: handle.fileDescriptor))
    }

    private func waitPort(_ port: Int) throws {
        for _ in 0..<100 {
            if Self.canConnect(port) { return }
            usleep(100_000)
        }
        throw KannelError(message: "port \(port) did not open; logs in \(dir.path)")
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// SIGTERM each process we started (by PID), newest first; SIGKILL what still runs after 3 s.
    func stop() {
        for p in processes.reversed() where p.isRunning { p.terminate() }
        for p in processes {
            for _ in 0..<30 where p.isRunning { usleep(100_000) }
            if p.isRunning { p.signal(SIGKILL) }
        }
        processes.removeAll()
    }

    struct KannelError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

extension KannelIntegrationTests {
    /// Through the Kannel preset (`coding=$$Coding&charset=UTF-8`, `dlr-url=$$DlrUrl`), read from the
    /// simulator's log of every PDU:
    /// - a 200-character GSM-7 body goes as 2 concatenated parts: UDHI set (esm_class 0x40), each
    ///   part's user data led by the 8-bit concatenation header `05 00 03 <ref> 02 <n>`, data_coding 0.
    ///   Kannel splits it because the sendsms-user has `concatenation = true` and `max-messages = 3`
    ///   (scripts/kannel/kannel-smpp.conf; without `concatenation` the parts go as 2 separate SMS
    ///   without UDHI) and asks a receipt for the first part only (registered_delivery 0 on the
    ///   second): one receipt, one message sent with 2 segments, delivered;
    /// - a body with an emoji reaches the SMSC with data_coding 8 as UTF-16BE; its receipt's `text:`
    ///   carries those raw bytes (`%00G%00r%00%FC…` in Kannel's `%A`) and it counts as delivered,
    ///   nothing refused (`docs/PITFALLS.md #25`).
    @Test("Kannel preset: a long GSM-7 body is 2 concatenated parts (UDHI), one message of 2 segments delivered; UCS-2 reaches the SMSC as data_coding 8 and its receipt counts",
          .enabled(if: available, "needs /usr/sbin/bearerbox (apt-get install kannel) and scripts/kannel (or SMSSTATS_KANNEL_TOOLS)"),
          .timeLimit(.minutes(2)))
    func longAndUCS2ThroughKannel() async throws {
        let long = String(repeating: "Hello from Kannel, part of a long text. ", count: 5)  // 200 GSM-7 characters
        let unicode = "Grüße 😀 aus Kannel"
        try await Self.withKannel { run in
            let provider = try await run.json("/api/v1/providers", .post, #"""
                {"preset":"kannel","name":"Kannel","fields":{"baseUrl":"http://127.0.0.1:\#(run.stack.sendsmsPort)","username":"tester","password":"foobar","from":"12345"}}
                """#)
            let providerId = try #require(provider["id"] as? String)
            _ = try await run.json("/api/v1/profiles", .post, #"[{"userId":"long","phone":"+4915550001002"},{"userId":"uni","phone":"+4915550001003"}]"#)
            var campaigns: [String] = []
            for (name, body, user) in [("Long", long, "long"), ("Unicode", unicode, "uni")] {
                let draft = #"{"name":"\#(name)","providerId":"\#(providerId)","body":"\#(body)","audience":{"userIds":["\#(user)"]}}"#
                let created = try await run.json("/api/v1/campaigns", .post, draft)
                let id = try #require(created["id"] as? String, "\(created)")
                _ = try await run.json("/api/v1/campaigns/\(id)/publish", .post)
                campaigns.append(id)
            }
            var delivered: [Int] = []
            for _ in 0..<150 {
                delivered = []
                for id in campaigns { delivered.append(try await run.json("/api/v1/campaigns/\(id)/stats")["delivered"] as? Int ?? -1) }
                if delivered == [1, 1] { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(800))  // a second receipt, and anything late, would show now
            for (id, segments) in zip(campaigns, [2, 1]) {
                let stats = try await run.json("/api/v1/campaigns/\(id)/stats")
                #expect(stats["sent"] as? Int == 1)
                #expect(stats["sentSegments"] as? Int == segments)
                #expect(stats["delivered"] as? Int == 1)
                #expect(stats["failed"] as? Int == 0)
                #expect(stats["pending"] as? Int == 0)
            }
            let ingestion = try await run.client.execute(uri: "/api/v1/ingestion-errors", method: .get, headers: run.auth)
            #expect(String(buffer: ingestion.body) == "[]")
            let unmatched = try await run.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10)
            #expect(unmatched.isEmpty)

            // The simulator's log: one JSON line per PDU, written as it goes.
            let log = try String(contentsOf: run.stack.dir.appendingPathComponent("sim.out"), encoding: .utf8)
            let pdus = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let submits = pdus.filter { $0["cmd"] as? String == "submit_sm" && $0["dir"] as? String == "in" }
            // The simulator logs short_message as Latin-1: one character per octet.
            func octets(_ pdu: [String: Any]) -> [UInt8] { (pdu["short_message"] as? String ?? "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
            let longParts = submits.filter { $0["destination_addr"] as? String == "4915550001002" }
            #expect(longParts.count == 2)
            #expect(longParts.map { ($0["esm_class"] as? Int ?? 0) & 0x40 } == [0x40, 0x40])  // UDHI: concatenated parts
            #expect(longParts.map { $0["data_coding"] as? Int } == [0, 0])
            let headers = longParts.map { Array(octets($0).prefix(6)) }
            #expect(headers.map { Array($0.prefix(3)) + Array($0.suffix(2)) } == [[5, 0, 3, 2, 1], [5, 0, 3, 2, 2]])
            #expect(Set(headers.map { $0.count == 6 ? $0[3] : 0 }).count == 1)  // one reference for both parts
            let text = longParts.map { String(decoding: octets($0).dropFirst(6), as: UTF8.self) }.joined()
            #expect(text == long)
            #expect(longParts.map { ($0["registered_delivery"] as? Int ?? 0) & 0x03 } == [1, 0])  // a receipt for the first part only
            let uni = submits.filter { $0["destination_addr"] as? String == "4915550001003" }
            #expect(uni.count == 1)
            #expect(uni.first?["data_coding"] as? Int == 8)
            let units = uni.first.map { pdu in stride(from: 0, to: octets(pdu).count - 1, by: 2).map { UInt16(octets(pdu)[$0]) << 8 | UInt16(octets(pdu)[$0 + 1]) } }
            #expect(units.map { String(decoding: $0, as: UTF16.self) } == unicode)  // UTF-16BE
            // The receipts: 1 for the long message (its first part), 1 for the UCS-2 one.
            let receipts = pdus.filter { $0["cmd"] as? String == "deliver_sm" && $0["dir"] as? String == "out" }
            #expect(receipts.count == 2)
        }
    }
}
