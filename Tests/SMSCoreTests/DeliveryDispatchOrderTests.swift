import Foundation
import SMSCore
import Testing

@Suite("Dispatch facts merge in any order")
struct DeliveryDispatchOrderTests {
    static let facts: [MessageFact] = [
        .dispatchFailed(reason: "timeout", at: 5),
        .dispatchFailed(reason: "provider HTTP error 429", at: 8),
        .dispatched(at: 12),
        .dispatched(at: 10),
    ]

    /// All orders of `facts`.
    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[T]] in
            var rest = items
            let head = rest.remove(at: i)
            return permutations(rest).map { [head] + $0 }
        }
    }

    @Test("any accepted send wins; the send time is the earliest attempt; no failure reason is left")
    func sentWins() {
        for order in Self.permutations(Self.facts) {
            var state = MessageState()
            for fact in order { state.apply(fact) }
            #expect(state == MessageState(dispatch: .sent, dispatchedAt: 5))
        }
    }

    @Test("only failures: the earliest time and the smallest reason")
    func failuresOnly() {
        for order in Self.permutations(Array(Self.facts.prefix(2))) {
            var state = MessageState()
            for fact in order { state.apply(fact) }
            #expect(state == MessageState(dispatch: .dispatchError, dispatchedAt: 5, dispatchErrorReason: "provider HTTP error 429"))
        }
    }

    @Test("receipts-missing flag: callbacks on, sent, no delivered or failed receipt")
    func receiptsMissing() {
        func stats(_ t: [RollupMetric: Int64], callbacks: Bool = true) -> CampaignStats { CampaignStats(totals: t, callbacksEnabled: callbacks) }
        #expect(stats([.sent: 100, .delivered: 5, .inferredDelivered: 5]).receiptsMissing)
        #expect(!stats([.sent: 100, .delivered: 5, .inferredDelivered: 5], callbacks: false).receiptsMissing)
        #expect(!stats([.sent: 100, .delivered: 6, .inferredDelivered: 5]).receiptsMissing)
        #expect(!stats([.sent: 100, .failed: 1]).receiptsMissing)
        #expect(!stats([:]).receiptsMissing)
    }
}
