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
}
