import Foundation
import Logging
import SMSDemo
import SMSStoreTestSupport
import Testing

@Suite("End to end: the demo against a live server on loopback")
struct DemoEndToEndTests {
    /// On SQLite (a new temporary file) and on PostgreSQL (a new schema, `--database postgres://…`).
    @Test("the demo's stats equal the simulator's ground truth", arguments: StoreKind.allCases)
    func demoMatchesGroundTruth(kind: StoreKind) async throws {
        var logger = Logger(label: "test.demo")
        logger.logLevel = .critical
        let lines = LineSink()
        let database: TestStore? = kind == .postgres ? try await TestStore.make(.postgres) : nil
        let report = try await DemoRunner(
            options: DemoOptions(profiles: 600, databasePath: database?.databaseURL, seed: 7), logger: logger
        ).run { lines.append($0) }
        let rows = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.name, $0) })
        for row in report.rows {
            #expect(row.measured == row.expected, "\(row.name): platform \(row.measured), ground truth \(row.expected)")
        }
        #expect(report.matchesGroundTruth)
        // The scenario really exercised every path: non-zero counts everywhere it should.
        for name in ["Sent", "Delivered", "Failed", "Dispatch errors", "Control group", "Clicks", "Bot hits", "Converted users"] {
            #expect((Int(rows[name]?.measured ?? "0") ?? 0) > 0, "\(name) is zero")
        }
        #expect(lines.text.contains("All numbers equal the ground truth."))
        #expect(report.dashboardURL.hasSuffix("/campaigns/\(report.campaignId)"))
        if let database {
            #expect(lines.text.contains("Database:    postgres://"))
            if let password = URLComponents(string: database.databaseURL)?.password {
                #expect(!lines.text.contains(password), "the password was printed")
            }
            await database.close()
        }
    }
}

final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ s: String) { lock.withLock { lines.append(s) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}
