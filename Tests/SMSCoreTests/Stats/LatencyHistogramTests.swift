import Foundation
import Testing

@testable import SMSCore

/// Issue 18: the latency histograms in the rollups and the view read from them.
@Suite("Latency histogram (issue 18)")
struct LatencyHistogramTests {
    @Test("1 s buckets up to 60 s, the within-N thresholds are bounds, coarser above, one open bucket over 7 days")
    func buckets() {
        #expect(LatencyHistogram.dim(ofSeconds: -40) == "0")
        #expect(LatencyHistogram.dim(ofSeconds: 0) == "0")
        #expect(LatencyHistogram.dim(ofSeconds: 1) == "1")
        #expect(LatencyHistogram.dim(ofSeconds: 60) == "60")
        #expect(LatencyHistogram.dim(ofSeconds: 61) == "75")
        #expect(LatencyHistogram.dim(ofSeconds: 600) == "600")
        #expect(LatencyHistogram.dim(ofSeconds: 601) == "720")
        #expect(LatencyHistogram.dim(ofSeconds: 3_600) == "3600")
        #expect(LatencyHistogram.dim(ofSeconds: 3_601) == "5400")
        #expect(LatencyHistogram.dim(ofSeconds: 604_800) == "604800")
        #expect(LatencyHistogram.dim(ofSeconds: 604_801) == "inf")
        #expect(LatencyHistogram.dim(ofSeconds: .max) == "inf")
        for n in LatencyHistogram.withinThresholds { #expect(LatencyHistogram.bounds.contains(n)) }
        #expect(LatencyHistogram.bounds == LatencyHistogram.bounds.sorted() && Set(LatencyHistogram.bounds).count == LatencyHistogram.bounds.count)
    }

    @Test("a message's cells: delivered by a receipt, moved by an earlier receipt, unchanged by a later one")
    func cellsFollowTheStateMachine() {
        var s = MessageState(dispatch: .sent, dispatchedAt: 1_000)
        s.apply(.receipt(kind: .delivered, at: 1_700, code: nil, description: nil))
        #expect(MessageContribution.latencyCells(of: s) == [RollupKey(.deliveryLatency, dim: "720"): 1])
        let before = s
        s.apply(.receipt(kind: .delivered, at: 1_900, code: nil, description: nil))  // later: the earliest stays
        #expect(MessageContribution.delta(from: before, to: s, segments: 1).isEmpty)
        s.apply(.receipt(kind: .delivered, at: 1_012, code: nil, description: nil))  // earlier: moves
        var moved = RollupDelta()
        moved.addCell(RollupKey(.deliveryLatency, dim: "720"), -1)
        moved.addCell(RollupKey(.deliveryLatency, dim: "12"), 1)
        moved.addCell(RollupKey(.delivered, bucket: RollupKey.bucket(of: 1_700)), -1)
        moved.addCell(RollupKey(.delivered, bucket: RollupKey.bucket(of: 1_012)), 1)
        #expect(MessageContribution.delta(from: before, to: s, segments: 1) == moved)
        // A click without a receipt is an inferred delivery: a first-click latency, no delivery latency.
        var clicked = MessageState(dispatch: .sent, dispatchedAt: 1_000)
        clicked.apply(.humanClick(at: 1_030))
        #expect(MessageContribution.latencyCells(of: clicked) == [RollupKey(.firstClickLatency, dim: "30"): 1])
        // A control-group member has no sent time, so no latency.
        var control = MessageState(dispatch: .control)
        control.apply(.humanClick(at: 1_030))
        #expect(MessageContribution.latencyCells(of: control).isEmpty)
    }

    @Test("the report: nearest-rank percentiles as bucket bounds, shares, resolution, the open bucket")
    func report() {
        var totals = RollupDelta()
        for (dim, n) in [("2", 1), ("10", 2), ("75", 1), ("inf", 1)] { totals.addCell(RollupKey(.deliveryLatency, dim: dim), Int64(n)) }
        let r = DeliveryLatencyReport(totals: totals)
        #expect(r.delivered == 5)
        #expect(r.p50Seconds == 10)  // rank 3
        #expect(r.p90Seconds == 604_800)  // rank 5: over 7 days
        #expect(r.resolutionSeconds == nil)
        #expect(r.within == .init(s10: 60, s60: 60, s600: 80, s3600: 80))
        #expect(r.histogram.last == .init(upToSeconds: nil, widthSeconds: nil, count: 1))
        let json = String(decoding: try! JSONEncoder().encode(DeliveryLatencyReport(totals: [:])), as: UTF8.self)
        #expect(json.contains(#""p50Seconds":null"#) && json.contains(#""10s":null"#) && json.contains(#""resolutionSeconds":null"#))
    }

    /// Property: for random campaigns whose messages' facts arrive in a random order, the view read
    /// from the summed rollup deltas equals a brute-force computation over the final message states
    /// (sorted latencies, nearest rank, the first bound at or above it; counts at or under N).
    @Test("property: percentiles and within-N equal a brute force over the final states, any arrival order", arguments: 0..<60)
    func matchesBruteForce(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 7_919 &+ 17)
        let t0: Int64 = 1_700_000_000
        var totals = RollupDelta()
        var finals: [MessageState] = []
        // A latency spread over every scale: 10^U(0, 6.2) seconds, some negative (clock skew).
        func offset() -> Int64 {
            if Int.random(in: 0..<15, using: &rng) == 0 { return -Int64.random(in: 1...30, using: &rng) }
            return Int64(pow(10, Double.random(in: 0...6.2, using: &rng)))
        }
        for _ in 0..<Int.random(in: 0...80, using: &rng) {
            var facts: [MessageFact] = []
            let sent = t0 + Int64.random(in: 0...600, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: break  // never dispatched: the earliest event is the sent time
            case 1: facts.append(.dispatchFailed(reason: "provider HTTP error 429", at: sent)); facts.append(.dispatched(at: sent + 2))
            default: facts.append(.dispatched(at: sent))
            }
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                switch Int.random(in: 0..<7, using: &rng) {
                case 0, 1, 2: facts.append(.receipt(kind: .delivered, at: sent + offset(), code: nil, description: nil))
                case 3: facts.append(.receipt(kind: .submitted, at: sent + offset(), code: nil, description: nil))
                case 4: facts.append(.receipt(kind: .failed, at: sent + offset(), code: "30003", description: nil))
                case 5: facts.append(.humanClick(at: sent + offset()))
                default: facts.append(facts.last ?? .seen(at: sent + offset()))  // a duplicate
                }
            }
            var state = MessageState()
            for fact in facts.shuffled(using: &rng) {
                let old = state
                state.apply(fact)
                totals.add(MessageContribution.delta(from: old, to: state, segments: 1))
            }
            finals.append(state)
        }
        let report = DeliveryLatencyReport(totals: totals)
        // Brute force from the final states.
        let delivery = finals.compactMap { s -> Int64? in
            guard s.outcome == .delivered, let d = s.deliveredAt else { return nil }
            return d - (s.dispatchedAt ?? s.firstEventAt!)
        }.sorted()
        let clicks = finals.compactMap { s -> Int64? in
            guard let c = s.firstHumanClickAt else { return nil }
            return c - (s.dispatchedAt ?? s.firstEventAt!)
        }.sorted()
        func bound(_ v: Int64) -> Int64 { LatencyHistogram.bounds.first { $0 >= v } ?? LatencyHistogram.bounds.last! }
        func percentile(_ p: Int, _ values: [Int64]) -> Int64? {
            guard !values.isEmpty else { return nil }
            let rank = Int((Double(p * values.count) / 100).rounded(.up))
            return bound(values[max(rank, 1) - 1])
        }
        func within(_ n: Int64) -> Double? {
            delivery.isEmpty ? nil : Double(delivery.filter { $0 <= n }.count) * 100 / Double(delivery.count)
        }
        #expect(report.delivered == Int64(delivery.count))
        #expect(report.p50Seconds == percentile(50, delivery))
        #expect(report.p90Seconds == percentile(90, delivery))
        #expect(report.p99Seconds == percentile(99, delivery))
        #expect(report.within == .init(s10: within(10), s60: within(60), s600: within(600), s3600: within(3_600)))
        #expect(report.firstClick.clicked == Int64(clicks.count))
        #expect(report.firstClick.p50Seconds == percentile(50, clicks))
        #expect(report.firstClick.p90Seconds == percentile(90, clicks))
        #expect(report.histogram.reduce(0) { $0 + $1.count } == Int64(delivery.count))
    }
}
