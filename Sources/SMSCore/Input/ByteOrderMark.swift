import Foundation

/// The UTF-8 byte order mark (EF BB BF, U+FEFF) at the start of a body, which every body reader
/// skips once: RFC 8259 §8.1 lets a JSON parser ignore it, RFC 4180 readers of CSV commonly do,
/// and tools on Windows (.NET, Excel, Notepad) write one. Skipped by the strict JSON reader behind
/// every JSON body (callbacks of every dialect, the events route, every admin JSON route through
/// ``JSONBody``) and by the CSV import (``ProfileCSV``). Only the text is read without it: what is
/// kept of a refused body is the body as received, BOM included, and a JSON error's byte offset
/// counts from the body's first byte (the BOM's).
public enum ByteOrderMark {
    /// EF BB BF.
    public static let utf8: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// How many bytes one leading BOM takes at the start of `bytes`: 3, or 0 without one.
    public static func length(at bytes: some Collection<UInt8>) -> Int {
        bytes.starts(with: utf8) ? utf8.count : 0
    }

    /// `text` without one leading U+FEFF (text already decoded, the CSV import).
    public static func skipping(_ text: String) -> Substring.UnicodeScalarView {
        let scalars = Substring(text).unicodeScalars
        return scalars.first == "\u{FEFF}" ? scalars.dropFirst() : scalars
    }
}
