import Foundation

/// Chooses the time an event is recorded at (`docs/DOMAIN.md` §4 "Event time").
public enum EventTime {
    /// Allowed skew around the plausible window, in seconds (5 minutes, `docs/DOMAIN.md` §4).
    public static let toleranceSeconds: Int64 = 300

    /// The effective event time, in epoch **seconds**.
    ///
    /// Rule (`docs/DOMAIN.md` §4): the provider's `ts` if it lies within
    /// `[sentAt − 300, receivedAt + 300]` (both ends inclusive), else `receivedAt`.
    /// When `sentAt` is `nil` (a receipt that arrived before the send was recorded) only the upper
    /// bound applies. When `providerTs` is `nil` (Twilio carries no timestamp) the answer is
    /// `receivedAt`. Arithmetic saturates, so extreme values cannot trap.
    ///
    /// - Parameters:
    ///   - providerTs: the provider's timestamp, epoch seconds, if any.
    ///   - sentAt: when the provider accepted our send, epoch seconds, if known.
    ///   - receivedAt: when we received the callback, epoch seconds.
    public static func effective(providerTs: Int64?, sentAt: Int64?, receivedAt: Int64) -> Int64 {
        guard let ts = providerTs else { return receivedAt }
        let (upper, upperOverflow) = receivedAt.addingReportingOverflow(toleranceSeconds)
        if !upperOverflow && ts > upper { return receivedAt }
        if let sentAt {
            let (lower, lowerOverflow) = sentAt.subtractingReportingOverflow(toleranceSeconds)
            if !lowerOverflow && ts < lower { return receivedAt }
        }
        return ts
    }
}
