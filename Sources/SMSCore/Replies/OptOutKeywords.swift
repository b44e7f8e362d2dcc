import Foundation

/// Classifies an inbound reply as an opt-out, an opt-in, or neither (`docs/DOMAIN.md` §4, CTIA/carrier
/// keywords): the whole reply, trimmed and case-folded, must equal a keyword.
public struct OptOutKeywords: Sendable, Equatable {
    public enum Intent: String, Sendable, Equatable { case optOut, optIn }

    /// The standard opt-out keywords.
    public static let standardOptOut: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]
    /// The standard opt-in keywords.
    public static let standardOptIn: Set<String> = ["START", "UNSTOP"]

    public var optOut: Set<String>
    public var optIn: Set<String>

    /// - Parameter extraOptOut: configured extra opt-out keywords (case-insensitive).
    public init(extraOptOut: [String] = []) {
        optOut = Self.standardOptOut.union(extraOptOut.map { $0.uppercased() })
        optIn = Self.standardOptIn
    }

    /// The intent of `text`, or `nil` when it is an ordinary reply.
    public func classify(_ text: String) -> Intent? {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).uppercased()
        if optOut.contains(word) { return .optOut }
        if optIn.contains(word) { return .optIn }
        return nil
    }

    /// The user's opt-out flag from their keyword replies over all their messages: the **latest**
    /// by effective time wins, a tie goes to the opt-out (the safe side), so STOP and START arriving
    /// in any order leave the same flag (`docs/DOMAIN.md` §4). `nil` without any keyword reply.
    /// - Parameter replies: (effective time in epoch seconds, intent) of each keyword reply.
    public static func latest(_ replies: [(at: Int64, intent: Intent)]) -> Intent? {
        replies.max { a, b in (a.at, a.intent == .optOut ? 1 : 0) < (b.at, b.intent == .optOut ? 1 : 0) }?.intent
    }
}
