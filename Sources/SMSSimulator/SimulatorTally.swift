import Foundation

/// The simulator's ground truth.
///
/// `accepted`, `delivered`, `failed` and `noReceipt` count distinct messages (by `ref`), with
/// their final outcome as decided at acceptance, so `delivered + failed + noReceipt == accepted`
/// always; an out-of-order message counts as delivered only (delivered beats failed,
/// `docs/DOMAIN.md` §4). `failedByCode` splits `failed` by code. The callback counters count what was
/// posted and acknowledged (answered 2xx or 4xx): requests, items (duplicates and out-of-order
/// extras included), and of those items the duplicates and the out-of-order `failed` extras.
public struct SimulatorTally: Sendable, Equatable, Codable {
    public var accepted: Int
    public var delivered: Int
    public var failed: Int
    public var noReceipt: Int
    public var failedByCode: [String: Int]
    public var callbackRequests: Int
    public var callbackItems: Int
    public var duplicatesPosted: Int
    public var outOfOrderPosted: Int

    public init(
        accepted: Int = 0,
        delivered: Int = 0,
        failed: Int = 0,
        noReceipt: Int = 0,
        failedByCode: [String: Int] = [:],
        callbackRequests: Int = 0,
        callbackItems: Int = 0,
        duplicatesPosted: Int = 0,
        outOfOrderPosted: Int = 0
    ) {
        self.accepted = accepted
        self.delivered = delivered
        self.failed = failed
        self.noReceipt = noReceipt
        self.failedByCode = failedByCode
        self.callbackRequests = callbackRequests
        self.callbackItems = callbackItems
        self.duplicatesPosted = duplicatesPosted
        self.outOfOrderPosted = outOfOrderPosted
    }
}
