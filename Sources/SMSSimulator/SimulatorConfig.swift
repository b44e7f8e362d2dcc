import Foundation

/// Settings of a ``ProviderSimulator``. Rates are probabilities in [0, 1].
public struct SimulatorConfig: Sendable, Equatable {
    /// The key clients must send as `Authorization: Bearer <apiKey>`.
    public var apiKey: String
    /// Seed of every random choice: the same seed and the same `ref`s give the same outcomes.
    public var seed: UInt64
    /// Share of accepted messages that end delivered.
    public var deliveredRate: Double
    /// Share of accepted messages that end failed (with a code from `failureCodes`); the rest
    /// (`1 − deliveredRate − failedRate`) get no receipt and stay pending.
    public var failedRate: Double
    /// Generic-contract codes a failure is drawn from, uniformly (`docs/DOMAIN.md` §3 code table).
    public var failureCodes: [String]
    /// Share of receipts posted a second time, in a later callback request.
    public var duplicateRate: Double
    /// Share of delivered messages that also get a `failed` "914" stamped 2 s before the delivery
    /// and posted after it (delivered wins: ground truth counts them delivered only).
    public var outOfOrderRate: Double
    /// Share of send requests answered 503 the first time they are seen (the retry is accepted).
    public var transientFailureRate: Double
    /// Delay between acceptance and the receipt, drawn uniformly per message.
    public var callbackDelay: ClosedRange<Duration>
    /// How often queued receipts are posted (one callback request per flush).
    public var flushInterval: Duration
    /// Most items in one callback request; the rest wait for the next flush.
    public var maxItemsPerCallback: Int
    /// Deadline of one callback request.
    public var callbackTimeout: Duration
    /// Where callbacks go; also settable with ``ProviderSimulator/setCallbackURL(_:)``. Receipts
    /// queue up until it is set.
    public var callbackURL: String?

    public init(
        apiKey: String = "sim-key",
        seed: UInt64 = 1,
        deliveredRate: Double = 0.85,
        failedRate: Double = 0.10,
        failureCodes: [String] = ["914", "905", "910", "901"],
        duplicateRate: Double = 0.05,
        outOfOrderRate: Double = 0.03,
        transientFailureRate: Double = 0.02,
        callbackDelay: ClosedRange<Duration> = .milliseconds(50) ... .milliseconds(800),
        flushInterval: Duration = .milliseconds(100),
        maxItemsPerCallback: Int = 1000,
        callbackTimeout: Duration = .seconds(5),
        callbackURL: String? = nil
    ) {
        self.apiKey = apiKey
        self.seed = seed
        self.deliveredRate = deliveredRate
        self.failedRate = failedRate
        self.failureCodes = failureCodes
        self.duplicateRate = duplicateRate
        self.outOfOrderRate = outOfOrderRate
        self.transientFailureRate = transientFailureRate
        self.callbackDelay = callbackDelay
        self.flushInterval = flushInterval
        self.maxItemsPerCallback = maxItemsPerCallback
        self.callbackTimeout = callbackTimeout
        self.callbackURL = callbackURL
    }
}
