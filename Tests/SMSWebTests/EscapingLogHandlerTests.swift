import AsyncHTTPClient
import Foundation
import Logging
import SMSServer
import Testing

/// Log injection (docs/PITFALLS.md #26): ``EscapingLogHandler`` alone, and a real `smsstats serve`
/// logging a refused callback whose `meta` carries a newline, an ANSI escape and a NUL.
@Suite("Logs: request text never starts a line of its own", .serialized)
struct EscapingLogHandlerTests {
    @Test("control characters are escaped by name or code point; other text, a backslash included, is kept")
    func escapedText() {
        #expect(EscapingLogHandler.escaped("plain text, ünïcödé 🎉 and a \\ backslash") == "plain text, ünïcödé 🎉 and a \\ backslash")
        #expect(EscapingLogHandler.escaped("x\n2026-12-07T23:20:00+0000 critical smsstats: FORGED") == "x\\n2026-12-07T23:20:00+0000 critical smsstats: FORGED")
        #expect(EscapingLogHandler.escaped("a\r\tb") == "a\\r\\tb")
        #expect(EscapingLogHandler.escaped("\u{1B}[2J\u{1B}[31mHELLO") == "\\u{1B}[2J\\u{1B}[31mHELLO")
        #expect(EscapingLogHandler.escaped("ab\u{0}cd\u{7F}\u{85}\u{9F}") == "ab\\u{0}cd\\u{7F}\\u{85}\\u{9F}")
        #expect(EscapingLogHandler.escaped("line\u{2028}para\u{2029}") == "line\\u{2028}para\\u{2029}")
        #expect(EscapingLogHandler.escaped("\u{A0}non-breaking") == "\u{A0}non-breaking")
    }

    @Test("the wrapped handler gets the message and every metadata string escaped, nested ones too")
    func wrapsAHandler() {
        let recorder = RecordingHandler()
        var logger = Logger(label: "t") { _ in EscapingLogHandler(wrapping: recorder) }
        logger[metadataKey: "peer"] = "p\nq"
        logger.warning(
            "callback rejected\n2nd line",
            metadata: [
                "reason": "meta x\nFORGED", "list": .array(["a\u{1B}", .stringConvertible(7)]),
                "dict": .dictionary(["k": "v\u{0}"]),
            ])
        let event = try? #require(recorder.events.first)
        #expect(recorder.events.count == 1)
        #expect(event?.message.description == "callback rejected\\n2nd line")
        #expect(event?.metadata?["reason"] == .string("meta x\\nFORGED"))
        #expect(event?.metadata?["list"] == .array([.string("a\\u{1B}"), .string("7")]))
        #expect(event?.metadata?["dict"] == .dictionary(["k": .string("v\\u{0}")]))
        #expect(recorder.metadata["peer"] == .string("p\\nq"))
    }

    @Test("a refused callback's meta with %0A, %1B and %00: one escaped log line, no raw control byte in the log", .timeLimit(.minutes(3)))
    func serveLogsOneLine() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: DispatchCrashTests.binary.path),
            "build the smsstats executable first (swift build --build-tests)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-loginject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let logURL = dir.appendingPathComponent("serve.log")
        let serve = try ChildProcess(
            DispatchCrashTests.binary,
            ["serve", "--database", dir.appendingPathComponent("db.sqlite").path, "--port", "0", "--admin-token", "t", "--log-level", "info"],
            log: logURL)
        defer { serve.kill(SIGTERM) }
        let port = try await serve.waitForLine(#"listening on 127\.0\.0\.1:(\d+)"#, timeout: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var create = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/providers")
            create.method = .POST
            create.headers.add(name: "Authorization", value: "Bearer t")
            create.headers.add(name: "Content-Type", value: "application/json")
            create.body = .bytes(Data(#"{"preset":"kannel","fields":{"username":"u","password":"p","from":"x"}}"#.utf8))
            let created = try await http.execute(create, timeout: .seconds(30))
            #expect(created.status.code == 201)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: try await created.body.collect(upTo: 1 << 20))) as? [String: Any]
            let id = try #require((json?["provider"] as? [String: Any])?["id"] as? String ?? json?["id"] as? String)
            let meta = "x%0A2026-12-07T23:20:00+0000%20critical%20smsstats:%20FORGED%1B%5B2J%00end"
            let callback = HTTPClientRequest(url: "http://127.0.0.1:\(port)/callbacks/\(id)?token=AAAAAAAAAAAAAAAAAAAAAA&meta=\(meta)&type=1")
            let refused = try await http.execute(callback, timeout: .seconds(30))
            #expect(refused.status.code == 401)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        serve.kill(SIGTERM)
        _ = try await serve.waitExit(timeout: .seconds(30))
        let bytes = try Data(contentsOf: logURL)
        #expect(!bytes.contains(0x00) && !bytes.contains(0x1B))
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("2026-12-07T23:20:00") })
        let rejected = lines.filter { $0.contains("callback rejected") }
        #expect(rejected.count == 1)
        #expect(rejected.first?.contains("x\\n2026-12-07T23:20:00 0000 critical smsstats: FORGED\\u{1B}[2J\\u{0}end") == true, "\(rejected)")
    }
}

/// Keeps what it is asked to log.
final class RecordingHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [LogEvent] = []
    var metadataProvider: Logger.MetadataProvider?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lock.withLock { kept.append(event) } }
    var events: [LogEvent] { lock.withLock { kept } }
}
