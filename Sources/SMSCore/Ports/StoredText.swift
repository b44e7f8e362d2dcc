import Foundation

/// How every store keeps text that came from outside (`docs/DOMAIN.md` §3 "Decisions"): U+0000
/// becomes U+FFFD. PostgreSQL `text` cannot hold U+0000, and SQLite's text binding would silently
/// cut the text at it; bytes that must be kept exactly go in a BLOB / BYTEA instead (an ingestion
/// error's `raw`).
public enum StoredText {
    /// `text` with every U+0000 replaced by U+FFFD (unchanged when it has none).
    public static func withoutNUL(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
