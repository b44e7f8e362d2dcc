import Foundation

/// One regular expression of the numbering-plan metadata (``PhoneNumberMetadata``), matched the
/// way libphonenumber matches it: a national-number pattern against the **whole** digit string
/// (Python `re.fullmatch`), a prefix pattern (international prefix, national prefix for parsing,
/// leading digits) at the **start** of it (Python `re.match`).
///
/// The patterns use the common subset of Python `re` and ICU syntax (classes, `\d`, groups,
/// alternation, counted repetition, `$`); the input is ASCII digits only.
struct PhonePattern: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after creation and documented thread-safe.
    /// The pattern as written in the metadata.
    let source: String
    private let regex: NSRegularExpression

    /// How the pattern is applied.
    enum Anchoring: Sendable {
        /// The whole input must match (`\A(?:pattern)\z`).
        case whole
        /// A match must start at the first character; it may end anywhere.
        case prefix
    }

    /// Compiles `source`; `nil` when it is not a valid ICU regular expression (the metadata tests
    /// compile every pattern, so this does not happen with the vendored file).
    init?(_ source: String, _ anchoring: Anchoring) {
        let wrapped = anchoring == .whole ? "\\A(?:" + source + ")\\z" : source
        guard let regex = try? NSRegularExpression(pattern: wrapped) else { return nil }
        self.source = source
        self.regex = regex
    }

    /// Whether the whole digit string matches (for a `.whole` pattern) or some prefix of it does
    /// (for a `.prefix` pattern).
    func matches(_ digits: String) -> Bool {
        firstMatch(digits) != nil
    }

    /// The match at the start of `digits` (the whole of it for a `.whole` pattern), or `nil`.
    func firstMatch(_ digits: String) -> NSTextCheckingResult? {
        regex.firstMatch(in: digits, options: .anchored, range: NSRange(location: 0, length: digits.utf16.count))
    }

    /// The length in characters of the prefix a `.prefix` match consumed.
    static func matchedLength(_ match: NSTextCheckingResult) -> Int {
        match.range.location + match.range.length
    }

    /// Whether the last capturing group of `match` took part in it (libphonenumber applies a
    /// national-prefix transform rule only then); `false` when the pattern has no group.
    static func lastGroupMatched(_ match: NSTextCheckingResult) -> Bool {
        match.numberOfRanges > 1 && match.range(at: match.numberOfRanges - 1).location != NSNotFound
    }

    /// Replaces the match at the start of `digits` with `template` (Python `re.sub(…, count=1)`),
    /// keeping the rest of the string.
    /// - Parameter template: a libphonenumber transform rule, groups written `\1`, `\2`.
    func replacingPrefix(of digits: String, match: NSTextCheckingResult, template: String) -> String {
        let icuTemplate = template.replacingOccurrences(of: #"\\(\d)"#, with: "\\$$1", options: .regularExpression)
        let replacement = regex.replacementString(for: match, in: digits, offset: 0, template: icuTemplate)
        return replacement + digits.dropFirst(Self.matchedLength(match))  // ASCII: characters = UTF-16 units
    }
}
