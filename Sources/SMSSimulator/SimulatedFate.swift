import Foundation
import SMSCore

/// What the simulated network does with one accepted message: a pure function of the seed, the
/// message's `ref` and the rates, so it does not depend on arrival order or timing.
public struct SimulatedFate: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case delivered
        case failed(code: String)
        /// No receipt ever comes: the message stays pending.
        case noReceipt
    }

    public var outcome: Outcome
    /// Time from acceptance to the receipt.
    public var callbackDelay: Duration
    /// The receipt is posted twice.
    public var duplicate: Bool
    /// Delivered, plus an earlier-stamped `failed` "914" posted after the delivery.
    public var outOfOrder: Bool

    public init(outcome: Outcome, callbackDelay: Duration, duplicate: Bool, outOfOrder: Bool) {
        self.outcome = outcome
        self.callbackDelay = callbackDelay
        self.duplicate = duplicate
        self.outOfOrder = outOfOrder
    }

    /// Decides a message's fate.
    ///
    /// A SplitMix64 generator seeded with `seed XOR fnv1a64(ref)` draws, in this order: the
    /// outcome `u` (delivered if `u < deliveredRate`, failed if `u < deliveredRate + failedRate`,
    /// else no receipt), the failure code index, the delay (uniform in `callbackDelay`, whole
    /// milliseconds), the duplicate draw and the out-of-order draw. All five are drawn every time.
    /// `duplicate` only applies to messages with a receipt, `outOfOrder` only to delivered ones.
    /// - Parameters:
    ///   - ref: the message's `ref` (our `meta`).
    ///   - config: the rates, codes, delay range and seed.
    /// - Returns: the fate.
    public static func decide(ref: String, config: SimulatorConfig) -> SimulatedFate {
        var rng = SplitMix64(seed: config.seed ^ StableHash.fnv1a64(ref))
        let u = rng.nextDouble()
        let codeDraw = rng.nextDouble()
        let delayDraw = rng.nextDouble()
        let duplicateDraw = rng.nextDouble()
        let outOfOrderDraw = rng.nextDouble()

        let outcome: Outcome
        if u < config.deliveredRate {
            outcome = .delivered
        } else if u < config.deliveredRate + config.failedRate, !config.failureCodes.isEmpty {
            let index = min(Int(codeDraw * Double(config.failureCodes.count)), config.failureCodes.count - 1)
            outcome = .failed(code: config.failureCodes[index])
        } else {
            outcome = .noReceipt
        }
        let low = milliseconds(config.callbackDelay.lowerBound)
        let high = milliseconds(config.callbackDelay.upperBound)
        let delay = Duration.milliseconds(low + Int64((Double(high - low) * delayDraw).rounded(.down)))
        return SimulatedFate(
            outcome: outcome,
            callbackDelay: delay,
            duplicate: outcome != .noReceipt && duplicateDraw < config.duplicateRate,
            outOfOrder: outcome == .delivered && outOfOrderDraw < config.outOfOrderRate
        )
    }

    /// Whether a send request (identified by its refs) gets a 503 the first time it is seen.
    public static func transientFailure(requestKey: String, config: SimulatorConfig) -> Bool {
        guard config.transientFailureRate > 0 else { return false }
        var rng = SplitMix64(seed: config.seed ^ StableHash.fnv1a64("request\u{1F}" + requestKey))
        return rng.nextDouble() < config.transientFailureRate
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }
}
