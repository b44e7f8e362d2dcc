import ArgumentParser
import Foundation
import SMSCore
import SMSStoreSQLite

/// `events`: conversion events ingested per second in batches (default 100) into a SQLite file
/// store, with attribution (every event's user was sent a campaign whose goal is the event's name,
/// so each event recomputes that user's conversion), against the baseline of the same store
/// ingesting the same number of events for users no campaign sent to (storage and idempotency
/// only), in the same run.
struct EventsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Conversion events ingested/s (batches), with attribution vs storage only.")

    @Option(help: "Events per measured run.") var events = 100_000
    @Option(help: "Events per batch (one transaction each).") var batch = 100
    @Option(help: "Users sent the campaign (events are spread over them).") var users = 10_000

    func run() async throws {
        printMachine()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("smsstats-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(path: dir.appendingPathComponent("events.sqlite").path)
        let t0 = Int64(Date().timeIntervalSince1970) - 3_600
        try await Self.seed(store: store, users: users, at: t0)

        func event(_ prefix: String, _ userPrefix: String, _ i: Int) -> ConversionEventInput {
            let value: JSONValue = .number(Double(i % 5_000) / 100)
            let plan: JSONValue = .string(i % 3 == 0 ? "free" : "pro")
            let ts: Int64 = t0 + 60 + Int64(i % 1_800)
            return ConversionEventInput(
                eventId: "\(prefix)-\(i)", userId: "\(userPrefix)\(i % users)", name: "purchase", ts: ts,
                properties: ["value": value, "plan": plan])
        }
        func batches(prefix: String, userPrefix: String) -> [[ConversionEventInput]] {
            var out: [[ConversionEventInput]] = []
            var start = 0
            while start < events {
                let end = min(start + batch, events)
                out.append((start..<end).map { event(prefix, userPrefix, $0) })
                start = end
            }
            return out
        }
        let baselineBatches = batches(prefix: "b", userPrefix: "stranger")
        let targetBatches = batches(prefix: "t", userPrefix: "u")
        let baseline = try await measureAsync {
            for b in baselineBatches { _ = try await store.ingestConversionEvents(b, receivedAt: t0 + 3_600) }
        }
        let target = try await measureAsync {
            for b in targetBatches { _ = try await store.ingestConversionEvents(b, receivedAt: t0 + 3_600) }
        }
        let again = try await measureAsync {
            for b in targetBatches { _ = try await store.ingestConversionEvents(b, receivedAt: t0 + 3_600) }
        }
        let totals = try await CampaignStatsQueries(store: store).totals(campaignId: "bench")
        let baseRate = Double(events) / baseline
        let targetRate = Double(events) / target
        print(String(format: "storage only (users never sent):   %8.0f events/s", baseRate))
        print(String(format: "with attribution (users sent):     %8.0f events/s  ratio %.2f", targetRate, targetRate / baseRate))
        print(String(format: "same batches again (all duplicates): %6.0f events/s", Double(events) / again))
        print("converted users: \(totals[RollupKey(.convertedUsers)] ?? 0) of \(users); revenue cents: \(totals[RollupKey(.revenueCents)] ?? 0)")
    }

    /// One campaign ("bench") with a purchase goal, sent to `users` users at `at`.
    static func seed(store: SQLiteStore, users: Int, at: Int64) async throws {
        try await store.insertProvider(
            ProviderConfig(id: "p", name: "p", url: "http://127.0.0.1:9/", bodyTemplate: "{}", callbackSecret: "s", createdAt: 0))
        let goal = ConversionGoal(
            event: "purchase", windowMinutes: 60, revenueProperty: "value",
            filters: [PropertyFilter(property: "plan", op: .notEquals, value: .string("free"))])
        try await store.insertCampaign(
            Campaign(
                id: "bench", name: "bench", providerId: "p", body: "Sale", links: [], audience: .all, timezone: "UTC", goal: goal,
                status: .sending, createdAt: at))
        try await store.insertMessages(
            (0..<users).map {
                NewMessage(
                    campaignId: "bench", userId: "u\($0)", phone: "+4915112345678", meta: "m\($0)", body: "Sale", segments: 1,
                    dispatch: .queued, createdAt: at, links: [])
            })
        let queued = try await store.queuedMessages(campaignId: "bench", limit: users)
        try await store.recordDispatchResults(queued.map { DispatchResult(messageId: $0.messageId, outcome: .sent(providerMessageId: nil), at: at) })
    }
}
