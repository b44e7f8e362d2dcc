import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Erasures with the click journal on do not stall redirects (issue 15): a live server takes
/// redirects from 4 clients for 3 s without erasures, then 3 s while people are erased one after
/// the other (each: journal segment closed, applied, store erasure, segments zeroed and deleted).
/// Every redirect is a 302 and counted; the latencies of both phases are printed
/// (BENCHMARKS.md "Erasure under redirect load") and bounded loosely (a loaded CI machine).
@Suite("Erasure under redirect load (click journal on)", .serialized)
struct ErasureRedirectLoadTests {
    static let users = 120

    final class Latencies: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Double] = []
        private var bad: [String] = []
        func add(_ ms: Double) { lock.withLock { values.append(ms) } }
        func fail(_ s: String) { lock.withLock { bad.append(s) } }
        var all: [Double] { lock.withLock { values } }
        var failures: [String] { lock.withLock { bad } }

        static func quantile(_ v: [Double], _ q: Double) -> Double {
            let s = v.sorted()
            guard !s.isEmpty else { return .nan }
            return s[min(s.count - 1, Int(Double(s.count) * q))]
        }
        func summary() -> String {
            let v = all
            return String(format: "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms", v.count, Self.quantile(v, 0.5), Self.quantile(v, 0.99), v.max() ?? .nan)
        }
    }

    /// Redirects on `codes` from 4 clients until `until`.
    static func load(port: Int, codes: [String], until: ContinuousClock.Instant, into out: Latencies, http: HTTPClient) async {
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    var i = w
                    while ContinuousClock.now < until {
                        let started = ContinuousClock.now
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/l/\(codes[i % codes.count])")
                        request.headers.add(name: "User-Agent", value: "Mozilla/5.0 (load \(i))")
                        do {
                            let r = try await http.execute(request, timeout: .seconds(30))
                            _ = try await r.body.collect(upTo: 1 << 16)
                            if r.status.code == 302 {
                                out.add(Double((ContinuousClock.now - started).components.attoseconds) / 1e15
                                    + Double((ContinuousClock.now - started).components.seconds) * 1000)
                            } else {
                                out.fail("\(r.status.code)")
                            }
                        } catch {
                            out.fail("\(error)")
                        }
                        i += 4
                    }
                }
            }
        }
    }

    @Test("redirects stay 302 and fast while people are erased", .timeLimit(.minutes(6)), arguments: StoreKind.allCases)
    func erasuresUnderLoad(kind: StoreKind) async throws {
        let f = try await StatsFixture(kind: kind)
        let now = Int64(Date().timeIntervalSince1970)
        let codes = (0..<Self.users).map { String(format: "LOADx%05d", $0) }
        try await f.store.upsertProfiles((0..<Self.users).map {
            Profile(userId: "v\($0)", phone: "+49151234\(String(format: "%05d", $0))", phoneValid: true)
        })
        try await f.store.insertMessages((0..<Self.users).map { i in
            NewMessage(
                campaignId: "c1", userId: "v\(i)", phone: "+49151234\(String(format: "%05d", i))", meta: "mv\(i)", body: "Hi", segments: 1,
                dispatch: .queued, createdAt: now - 60,
                links: [NewShortLink(code: codes[i], linkIndex: 0, url: StatsFixture.links[0], expiresAt: now + 86_400)])
        })
        try await f.dispatchAll()
        let journal = NSTemporaryDirectory() + "erasure-load-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: journal) }
        var logger = Logger(label: "test.erasure-load")
        logger.logLevel = .critical
        var config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: "t", ipHashSalt: "salt")
        config.clickJournalDirectory = journal
        let app = try await buildApplication(config: config, store: f.store, gateway: SilentGateway(), runDispatcher: false, logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            var hc = HTTPClient.Configuration()
            hc.redirectConfiguration = .disallow
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: hc)
            let quiet = Latencies(), erasing = Latencies()
            await Self.load(port: port, codes: codes, until: .now + .seconds(3), into: quiet, http: http)
            let until = ContinuousClock.now + .seconds(3)
            var erased = 0
            var erasureMs: [Double] = []
            async let loaded: Void = Self.load(port: port, codes: codes, until: until, into: erasing, http: http)
            while ContinuousClock.now < until, erased < Self.users {
                let started = ContinuousClock.now
                let status = try await client.execute(uri: "/api/v1/profiles/v\(erased)", method: .delete, headers: [.authorization: "Bearer t"]) { $0.status }
                #expect(status == .ok)
                let d = ContinuousClock.now - started
                erasureMs.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
                erased += 1
                try await Task.sleep(for: .milliseconds(50))
            }
            await loaded
            try await http.shutdown()
            print("erasure under redirect load (\(kind)): quiet \(quiet.summary()); during \(erased) erasures \(erasing.summary()); "
                + String(format: "erasure p50=%.1f ms max=%.1f ms", Latencies.quantile(erasureMs, 0.5), erasureMs.max() ?? .nan))
            #expect(quiet.failures.isEmpty && erasing.failures.isEmpty, "\(quiet.failures.prefix(3)) \(erasing.failures.prefix(3))")
            #expect(erased >= 1)
            // Loose (a loaded CI machine): redirects during erasures are not held like the erasure's
            // journal wait (up to 10 s); p99 within 1 s or 3× the quiet phase's.
            let bound = max(1_000, 3 * Latencies.quantile(quiet.all, 0.99))
            #expect(Latencies.quantile(erasing.all, 0.99) < bound, "\(erasing.summary())")
            // Every 302 is counted once the journal is applied.
            let total = quiet.all.count + erasing.all.count
            var counted: Int64? = 0
            for _ in 0..<300 where counted != Int64(total) {
                try await Task.sleep(for: .milliseconds(20))
                counted = try await f.testStore.int("SELECT COUNT(*) FROM clicks WHERE code LIKE 'LOADx%'")
            }
            #expect(counted == Int64(total))
        }
        await f.testStore.close()
    }
}
