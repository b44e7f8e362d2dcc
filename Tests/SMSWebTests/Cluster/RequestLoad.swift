import AsyncHTTPClient
import Foundation
import NIOCore

/// A load of independent requests, each standing for some items (a click's code, an event's id):
/// `workers` clients take the next items, send one request for them, and record the items as
/// acknowledged when the answer is `expected`, or the failure. Redirects are not followed.
final class RequestLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var acknowledged: Set<String> = []
    private var failures: [String] = []
    private var requests = 0
    private var stopped = false
    private var next = 0

    var acked: Set<String> { lock.withLock { acknowledged } }
    var failed: [String] { lock.withLock { failures } }
    var requestCount: Int { lock.withLock { requests } }
    func stop() { lock.withLock { stopped = true } }

    private func take(_ n: Int, from items: () -> [String]) -> [String]? {
        lock.withLock {
            if stopped { return nil }
            let slice = Array(items().dropFirst(next).prefix(n))
            next += slice.count
            return slice
        }
    }

    /// Runs until ``stop()``: `items` lists what may be sent so far (growing), `request` builds the
    /// request for a batch, `expected` tells an acknowledging status.
    func run(
        items: @escaping @Sendable () -> [String], batch: Int, workers: Int, expected: @escaping @Sendable (UInt) -> Bool,
        request: @escaping @Sendable ([String]) -> HTTPClientRequest
    ) async {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: .seconds(30)))
        configuration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    while let slice = self.take(batch, from: items) {
                        if slice.isEmpty {
                            try? await Task.sleep(for: .milliseconds(20))
                            continue
                        }
                        var outcome: String?
                        do {
                            let response = try await client.execute(request(slice), timeout: .seconds(30))
                            let body = try await response.body.collect(upTo: 1 << 20)
                            if !expected(response.status.code) { outcome = "\(response.status.code) \(String(buffer: body).prefix(200))" }
                        } catch {
                            outcome = "\(error)"
                        }
                        self.lock.withLock {
                            self.requests += 1
                            if let outcome { self.failures.append(outcome) } else { self.acknowledged.formUnion(slice) }
                        }
                    }
                }
            }
        }
        try? await client.shutdown()
    }
}
