import Foundation

/// What a claim takes while the campaign has **suspects**: queued messages that already had a
/// provider call whose outcome is unknown (`dispatch_attempts > 0`: the process died between the
/// claim and the recording of the answer, and start-up recovery queued them again;
/// ``DeadLetterPolicy``).
///
/// A suspect is claimed **alone** (one message per provider request) and only while no other
/// suspect of the campaign is in flight (a message with 2 or more provider calls counted, still
/// claimed). Meanwhile the other requests keep taking fresh messages (never tried), so sending
/// does not slow down behind the suspects. Why:
///
/// - **A poison message is found alone.** A message whose sending kills the process takes down the
///   batch it was claimed with; sent alone afterwards, it is the only one that reaches its
///   ``DeadLetterPolicy/maxSendAttempts`` and is dead-lettered, not the 99 others of its batch.
/// - **Two unrelated crashes in a row cost at most one message per campaign.** A second crash soon
///   after the first (a deploy, an out-of-memory kill) finds at most one suspect in flight, so at
///   most one message is dead-lettered with "repeated crash during dispatch", and one dead letter
///   does not pause the campaign (``DeadLetterPolicy/pauseAfterConsecutive`` in a row). Before this
///   rule, the restarted node re-sent the whole re-queued batches at once, and a second kill
///   dead-lettered them all and paused the campaign.
///
/// The stores read the two facts in the claim's transaction (SQLite: the single writer; PostgreSQL:
/// under the provider's in-flight advisory lock, so two claims never both take a suspect) and take
/// what ``decide(suspectQueued:suspectInFlight:)`` answers. `docs/PITFALLS.md #15`; README, "Dead
/// letters"; `docs/ARCHITECTURE.md`, "Delivery guarantees".
public enum SuspectClaim: Equatable, Sendable {
    /// One suspect, alone in its provider request.
    case suspect
    /// Fresh messages only (no earlier provider call), up to the request's size. `waitIfNone`:
    /// suspects are waiting behind the one in flight, so an empty claim means "busy, try again
    /// shortly", not "nothing left to send".
    case fresh(waitIfNone: Bool)

    /// Messages a suspect claim takes.
    public static let suspectsPerClaim = 1

    /// Provider calls counted on a claimed message that make it a suspect in flight: the first
    /// call is 1, a suspect's call is 2 or more.
    public static let inFlightAttempts = 2

    /// - Parameters:
    ///   - suspectQueued: the campaign has a suspect ready to claim.
    ///   - suspectInFlight: a suspect of the campaign is claimed now (by any node).
    public static func decide(suspectQueued: Bool, suspectInFlight: Bool) -> SuspectClaim {
        if suspectQueued && !suspectInFlight { return .suspect }
        return .fresh(waitIfNone: suspectQueued)
    }

    /// How many messages this claim may take of a request's `limit`.
    public func limit(_ requestLimit: Int) -> Int {
        self == .suspect ? min(requestLimit, Self.suspectsPerClaim) : requestLimit
    }
}
