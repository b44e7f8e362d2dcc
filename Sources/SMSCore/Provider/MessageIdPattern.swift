import Foundation

/// Why a `messageIdPattern` is refused (provider creation and PATCH: a 400 naming the field).
public enum MessageIdPatternError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Longer than ``MessageIdPattern/maxLength`` characters.
    case tooLong(Int)
    /// Not a regular expression (ICU syntax); carries the engine's reason.
    case invalid(String)
    /// Does not have exactly one capture group; carries how many it has.
    case captureGroups(Int)

    public var description: String {
        switch self {
        case .tooLong(let n):
            return "messageIdPattern must be 1 to \(MessageIdPattern.maxLength) characters (got \(n))"
        case .invalid(let reason):
            return "messageIdPattern is not a valid regular expression: \(reason)"
        case .captureGroups(let n):
            return "messageIdPattern must have exactly one capture group, the id, e.g. Success \"([^\"]+)\" (got \(n))"
        }
    }
}

/// How a provider's own message id is read from a send answer that is not JSON
/// (`ProviderConfig.messageIdPattern`): a regular expression (ICU syntax, `NSRegularExpression`)
/// with exactly one capture group, searched in the answer's text (the body, or the value of the
/// header `ProviderConfig.messageIdHeader` names).
///
/// Matches and messages: the i-th match (0-based, left to right, not overlapping) holds the id of
/// the i-th message of the request, as `*` does in a JSON path (an unbatched request takes the
/// first match); a message without a match, or whose group did not take part in the match, gets
/// `nil` (sent, only without a provider id).
///
/// Examples (the exact answers of the gateways): Jasmin's `/send` answers `Success "<uuid>"`,
/// read by `Success "([^"]+)"`; Kannel's `sendsms` answers `0: Accepted for delivery` (no id: its
/// DLRs are matched by the `meta` of the `dlr-url`).
public struct MessageIdPattern: @unchecked Sendable {
    /// The longest pattern accepted, in characters.
    public static let maxLength = 500

    /// The pattern as given.
    public let source: String
    // Immutable after init, only read by matches(in:): safe to share between tasks.
    private let regex: NSRegularExpression

    /// - Throws: ``MessageIdPatternError`` when `source` is empty or longer than ``maxLength``,
    ///   does not compile, or has not exactly one capture group.
    public init(_ source: String) throws(MessageIdPatternError) {
        guard !source.isEmpty, source.count <= Self.maxLength else { throw .tooLong(source.count) }
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw .invalid((error as NSError).localizedDescription)
        }
        guard regex.numberOfCaptureGroups == 1 else { throw .captureGroups(regex.numberOfCaptureGroups) }
        self.source = source
        self.regex = regex
    }

    /// The ids of the `count` messages of one request (see the type's documentation).
    /// - Parameters:
    ///   - text: the answer's text (body decoded as UTF-8, or a header value).
    ///   - count: how many messages the request carried.
    /// - Returns: `count` ids, `nil` where none was found.
    public func ids(in text: String, count: Int) -> [String?] {
        guard count > 0 else { return [] }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        var found: [String?] = []
        found.reserveCapacity(count)
        regex.enumerateMatches(in: text, range: range) { match, _, stop in
            guard let match else { return }
            let group = match.range(at: 1)
            found.append(group.location == NSNotFound ? nil : Range(group, in: text).map { String(text[$0]) })
            if found.count == count { stop.pointee = true }
        }
        return (0..<count).map { $0 < found.count ? found[$0] : nil }
    }
}
