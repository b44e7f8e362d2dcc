import Foundation
import Hummingbird
import Logging
import SMSCore
import Synchronization

/// The load balancer's probes, no authentication:
/// - `GET /health`: the process is alive and serving HTTP → 200 `{"status":"ok"}` (liveness;
///   never touches the database).
/// - `GET /ready`: this server should get traffic → 200 `{"status":"ready"}` when the database
///   answers within ``timeout`` seconds, every migration this build knows is applied
///   (``SchemaStatusStore``) and the server is not draining (``NodeDrain``); else 503
///   `{"status":"unavailable","reason":"draining" | "database unreachable" | "migrations missing: …"}`.
///   The driver's error is logged, never shown (it may name hosts).
struct HealthController {
    let schema: any SchemaStatusStore
    let drain: NodeDrain
    let logger: Logger
    /// Longest wait for the database, seconds.
    var timeout: Duration = .seconds(2)

    struct Status: Encodable {
        var status: String
        var reason: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("health") { _, _ in try JSON.response(Status(status: "ok")) }
        router.get("ready") { _, _ in
            if let reason = await notReadyReason() {
                var response = try JSON.response(Status(status: "unavailable", reason: reason), status: .serviceUnavailable)
                response.headers[.cacheControl] = "no-store"
                return response
            }
            return try JSON.response(Status(status: "ready"))
        }
    }

    /// Why this server should get no traffic now, or `nil` when it should.
    func notReadyReason() async -> String? {
        if drain.isDraining { return "draining" }
        switch await Self.probe(schema, timeout: timeout) {
        case .answered(let missing):
            if !missing.isEmpty { return "migrations missing: " + missing.joined(separator: ", ") }
        case .failed(let error):
            logger.warning("readiness: the database cannot be reached", metadata: ["error": "\(error)"])
            return "database unreachable"
        case .timedOut:
            logger.warning("readiness: the database did not answer in time", metadata: ["timeout": "\(timeout)"])
            return "database unreachable"
        }
        return drain.isDraining ? "draining" : nil
    }

    enum Probe: Sendable {
        case answered([String])
        case failed(String)
        case timedOut
    }

    /// The store's answer, or `.timedOut` after `timeout` even when the query hangs (a query
    /// stuck on a dead connection is left behind, not awaited).
    static func probe(_ schema: any SchemaStatusStore, timeout: Duration) async -> Probe {
        await withCheckedContinuation { (continuation: CheckedContinuation<Probe, Never>) in
            let once = ResumeOnce(continuation)
            let query = Task {
                do {
                    once.resume(.answered(try await schema.missingMigrations()))
                } catch {
                    once.resume(.failed("\(error)"))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                once.resume(.timedOut)
                query.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first value given, ignores the others.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Never>?>
    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ value: T) {
        continuation.withLock { c in
            c?.resume(returning: value)
            c = nil
        }
    }
}
