import Foundation

/// How an error message quotes a value from outside (`docs/DOMAIN.md` §1 "Text from outside"):
/// at most ``maxCharacters`` characters, then `…`, so a 5,000-character `tz` or id is not sent back
/// whole. One rule for every message that echoes input ("(got '…')").
public enum InputEcho {
    /// The most characters of a value a message quotes.
    public static let maxCharacters = 64

    /// `text` itself when it has at most ``maxCharacters`` characters, else its first
    /// ``maxCharacters`` characters followed by `…` (U+2026).
    public static func text(_ text: some StringProtocol) -> String {
        var end = text.startIndex
        var count = 0
        while end < text.endIndex {
            if count == maxCharacters { return String(text[..<end]) + "…" }
            end = text.index(after: end)
            count += 1
        }
        return String(text)
    }
}
