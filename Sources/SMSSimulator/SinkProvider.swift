import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A provider that only counts: it accepts the simulator's send API and records every received
/// `ref` (one line each, in arrival order) to a file and in memory, answering 200 at once. No
/// receipts, no failures. Used by the crash test (as a separate process: `smsstats sink`) and the
/// dispatch benchmark (in process).
///
/// `POST /sms/send` with `{"messages":[{"to","text","ref"}, …]}` (batched) or one record object
/// `{"to","text","ref"}` (unbatched) → 200 `{"messages":[{"id":"SINK-<n>","ref":"…"}]}`; a body that
/// is neither → 400. With an `apiKey`, `Authorization: Bearer <apiKey>` is required (else 401).
/// `GET /sink/stats` → `{"requests": n, "messages": m}`. With a `delay`, each send is answered that
/// long after its refs were recorded (a slow provider: requests are in flight when a server stops).
public final class SinkProvider: Sendable {
    let recorder: SinkRecorder
    let apiKey: String?
    let delay: Duration
    let logger: Logger
    private let state = LockedValue<(task: Task<Void, any Error>, group: ServiceGroup)?>(nil)

    /// - Parameters:
    ///   - outputPath: file the refs are appended to (created or truncated); `nil` keeps them in memory only.
    ///   - apiKey: the Bearer key to require, if any.
    ///   - delay: how long each send's answer waits after its refs are recorded (default none).
    public init(outputPath: String?, apiKey: String? = nil, delay: Duration = .zero, logger: Logger) throws {
        self.recorder = try SinkRecorder(path: outputPath)
        self.apiKey = apiKey
        self.delay = delay
        self.logger = logger
    }

    /// The application (for `runService()` in the `sink` command).
    public func application(host: String = "127.0.0.1", port: Int = 0, onPort: @escaping @Sendable (Int) -> Void)
        -> some ApplicationProtocol
    {
        let router = Router()
        let recorder = self.recorder
        let apiKey = self.apiKey
        let delay = self.delay
        router.post("/sms/send") { request, _ -> Response in
            if let apiKey, request.headers[.authorization] != "Bearer \(apiKey)" {
                return Self.json(.unauthorized, #"{"error":"unauthorized"}"#)
            }
            var request = request
            let body = try await request.collectBody(upTo: 16 << 20)
            guard let refs = Self.refs(in: Data(buffer: body)) else {
                return Self.json(.badRequest, #"{"error":"body must be {\"messages\":[{\"to\",\"text\",\"ref\"}]} or one record"}"#)
            }
            let first = recorder.record(refs)
            if delay > .zero { try await Task.sleep(for: delay) }
            var out = #"{"messages":["#
            for (i, ref) in refs.enumerated() {
                if i > 0 { out += "," }
                out += #"{"id":"SINK-\#(first + i)","ref":"\#(Self.jsonEscaped(ref))"}"#
            }
            out += "]}"
            return Self.json(.ok, out)
        }
        router.get("/sink/stats") { _, _ -> Response in
            let (requests, messages) = recorder.counts()
            return Self.json(.ok, #"{"messages":\#(messages),"requests":\#(requests)}"#)
        }
        router.get("/health") { _, _ -> HTTPResponse.Status in .ok }
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "SMSSink"),
            onServerRunning: { channel in onPort(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Starts in process. - Returns: the bound port.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = application(host: host, port: port) { p in
            continuation.yield(p)
            continuation.finish()
        }
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw SimulatorError.serverDidNotStart
        }
        state.set((task, group))
        return bound
    }

    /// Stops an in-process sink.
    public func stop() async {
        guard let (task, group) = state.take() else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Requests and messages received so far.
    public func counts() -> (requests: Int, messages: Int) { recorder.counts() }

    /// Every ref received, in order (duplicates included).
    public func receivedRefs() -> [String] { recorder.allRefs() }

    /// The refs of a send body, or `nil` when it is not one. (JSONSerialization: the sink must
    /// cost little next to the dispatcher it measures.)
    static func refs(in data: Data) -> [String]? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        if let items = object["messages"] as? [Any] {
            let refs = items.compactMap { ($0 as? [String: Any])?["ref"] as? String }
            return !items.isEmpty && refs.count == items.count ? refs : nil
        }
        if let ref = object["ref"] as? String { return [ref] }
        return nil
    }

    /// `text` as JSON string content (RFC 8259 §7).
    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The sink's record: refs in memory and appended to a file, one write per request.
final class SinkRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var refs: [String] = []
    private var requests = 0
    private let file: FileHandle?

    init(path: String?) throws {
        if let path {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            try handle.truncate(atOffset: 0)
            file = handle
        } else {
            file = nil
        }
    }

    /// Records one request's refs. - Returns: the 1-based number of the first one.
    func record(_ new: [String]) -> Int {
        lock.lock()
        defer { lock.unlock() }
        let first = refs.count + 1
        refs.append(contentsOf: new)
        requests += 1
        if let file {
            file.write(Data((new.joined(separator: "\n") + "\n").utf8))
        }
        return first
    }

    func counts() -> (requests: Int, messages: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (requests, refs.count)
    }

    func allRefs() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return refs
    }
}

/// A value behind a lock.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ new: Value) {
        lock.lock()
        value = new
        lock.unlock()
    }
    func take<T>() -> T? where Value == T? {
        lock.lock()
        defer { lock.unlock() }
        let v = value
        value = nil
        return v
    }
}
