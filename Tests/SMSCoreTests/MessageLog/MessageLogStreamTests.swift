import Foundation
import SMSCore
import Testing

/// ``MessageLogFilter/stream(after:batchSize:fetch:emit:)``, the export's pager: for random logs,
/// filters, cursors and batch sizes, the emitted entries are exactly the filter's matches after
/// the cursor in id order, each read asks for `batchSize`, no emitted batch is empty or larger
/// than a read, and the reads stop at the first short one.
@Suite("Message log export pager")
struct MessageLogStreamTests {
    static func entry(_ id: Int64, _ r: inout SplitMix64) -> MessageLogEntry {
        let outcomes: [MessageState] = [
            MessageState(), MessageState(dispatch: .sent, dispatchedAt: 10), MessageState(dispatch: .sent, dispatchedAt: 10, deliveredAt: 12),
            MessageState(dispatch: .sent, dispatchedAt: 10, failure: .init(code: "777", description: "x", at: 11)),
            MessageState(dispatch: .control),
        ]
        var state = outcomes[Int(r.next() % UInt64(outcomes.count))]
        if r.next() % 3 == 0, state.dispatch == .sent { state.firstHumanClickAt = 13 }
        return MessageLogEntry(
            id: id, meta: "m\(id)", campaignId: "c", userId: "u\(id)", phone: nil, variant: Int(r.next() % 2), segments: 1,
            providerMessageId: nil, state: state, converted: r.next() % 4 == 0)
    }

    @Test(arguments: 0..<200)
    func emitsExactlyTheMatchesInOrder(seed: UInt64) async throws {
        var r = SplitMix64(seed: seed &* 31 &+ 7)
        var id: Int64 = 0
        let log = (0..<Int(r.next() % 60)).map { _ -> MessageLogEntry in
            id += 1 + Int64(r.next() % 3)
            return Self.entry(id, &r)
        }
        var filter = MessageLogFilter()
        if r.next() % 2 == 0 { filter.outcome = MessageLogOutcome.allCases[Int(r.next() % UInt64(MessageLogOutcome.allCases.count))] }
        if r.next() % 3 == 0 { filter.clicked = r.next() % 2 == 0 }
        if r.next() % 3 == 0 { filter.variant = Int(r.next() % 2) }
        let cursor = r.next() % 3 == 0 && !log.isEmpty ? MessageLogCursor(afterId: log[Int(r.next() % UInt64(log.count))].id) : nil
        let batchSize = 1 + Int(r.next() % 8)
        var reads: [Int] = []
        var emitted: [[MessageLogEntry]] = []
        let count = try await filter.stream(
            after: cursor, batchSize: batchSize,
            fetch: { after, n in
                reads.append(n)
                return Array(log.filter { $0.id > (after ?? -1) }.prefix(n))
            },
            emit: { emitted.append($0) })
        let want = log.filter { $0.id > (cursor?.afterId ?? -1) && filter.matches($0) }
        #expect(emitted.flatMap { $0 }.map(\.id) == want.map(\.id), "seed \(seed)")
        #expect(count == want.count)
        #expect(emitted.allSatisfy { !$0.isEmpty && $0.count <= batchSize })
        #expect(reads.allSatisfy { $0 == batchSize })
        let scanned = log.filter { $0.id > (cursor?.afterId ?? -1) }.count
        #expect(reads.count == scanned / batchSize + 1, "seed \(seed): one read per full batch plus the short last one")
    }
}
