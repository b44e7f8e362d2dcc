import Foundation

/// One `http(s)` URL found in an SMS body.
///
/// - `url`: the URL exactly as written in the body, byte for byte (no decoding, no normalisation).
/// - `range`: where it sits in the body it was extracted from (Unicode-scalar-aligned indices of
///   that string; meaningless for any other string).
public struct ExtractedLink: Sendable, Equatable {
    /// The URL text, byte for byte as in the body.
    public let url: String
    /// The URL's range in the body it was extracted from.
    public let range: Range<String.Index>

    /// Creates an extracted link.
    /// - Parameters:
    ///   - url: the URL text.
    ///   - range: its range in the body.
    public init(url: String, range: Range<String.Index>) {
        self.url = url
        self.range = range
    }
}

/// Finds the `http://` and `https://` URLs of a plain-text SMS body and rewrites them (`docs/DOMAIN.md`
/// §2 "Links": each URL is replaced by a short tracking link and the redirect must reproduce the
/// original byte for byte, query, `&`, brackets, fragment and non-ASCII included; docs/PITFALLS.md #10).
///
/// Rules:
/// - A URL starts at `http://` or `https://`, scheme matched case-insensitively, when it is not
///   glued to a preceding ASCII letter or digit (`xhttps://…` is not a link; `请访问https://…` is).
/// - It runs to the first whitespace (Unicode `White_Space`), control character, `<`, `>` or `"`,
///   or (decision, for Chinese and Japanese text, which does not put spaces after a URL) the
///   ideographic / full-width sentence punctuation `。 、 ， ！ ？ ： ；`.
/// - Then trailing punctuation is not part of it, repeatedly: `. , ; : ! ? ' "` and, as a decision,
///   `… ” ’ »`; a trailing `)`, `]` or `}` is dropped
///   only when the URL has more closing than opening brackets of that kind (so
///   `https://en.wikipedia.org/wiki/Foo_(bar)` keeps its `)`).
/// - What remains must have a non-empty host part after `://`; otherwise it is not a link.
/// - The body is plain text: `&amp;` is **not** decoded, `&` stays `&`, percent-escapes stay as
///   written.
/// - All URLs are returned; the "at most 5 links" campaign limit is the caller's check.
public enum LinkExtractor {
    /// Extracts the URLs of a body, in order of appearance.
    /// - Parameter body: the SMS body (plain text).
    /// - Returns: the URLs with their ranges in `body`, non-overlapping and ascending. Empty when
    ///   there is none. Never fails.
    public static func extract(from body: String) -> [ExtractedLink] {
        let scalars = body.unicodeScalars
        var links: [ExtractedLink] = []
        var index = scalars.startIndex

        while index < scalars.endIndex {
            guard let afterScheme = schemeEnd(in: scalars, at: index),
                  !isGluedToPrecedingWord(scalars, before: index)
            else {
                index = scalars.index(after: index)
                continue
            }

            // Run to a hard terminator.
            var end = afterScheme
            while end < scalars.endIndex, !isTerminator(scalars[end]) {
                end = scalars.index(after: end)
            }
            end = trimTrailing(scalars, from: afterScheme, to: end)

            if hasHost(scalars[afterScheme..<end]) {
                let range = index..<end
                links.append(ExtractedLink(url: String(scalars[range]), range: range))
                index = end
            } else {
                index = afterScheme
            }
        }
        return links
    }

    /// Replaces links in a body.
    /// - Parameters:
    ///   - body: the body the links were extracted from.
    ///   - links: links of `body` (normally the result of ``extract(from:)`` on the same body).
    ///     Their order does not matter; a link overlapping an earlier-starting one is left out.
    ///   - replacement: called once per replaced link with the link's index in `links` and the link;
    ///     returns the text to put in its place (e.g. the short tracking URL).
    /// - Returns: the body with each link's range replaced; all other text is kept byte for byte.
    public static func rewrite(
        _ body: String,
        links: [ExtractedLink],
        with replacement: (Int, ExtractedLink) -> String
    ) -> String {
        let scalars = body.unicodeScalars
        let ordered = links.enumerated().sorted { $0.element.range.lowerBound < $1.element.range.lowerBound }
        var output = String.UnicodeScalarView()
        var cursor = scalars.startIndex
        for (offset, link) in ordered {
            guard link.range.lowerBound >= cursor, link.range.upperBound <= scalars.endIndex else { continue }
            output.append(contentsOf: scalars[cursor..<link.range.lowerBound])
            output.append(contentsOf: replacement(offset, link).unicodeScalars)
            cursor = link.range.upperBound
        }
        output.append(contentsOf: scalars[cursor...])
        return String(output)
    }

    // MARK: - Scanning helpers

    /// If `http://` or `https://` (any case) starts at `index`, the index just after `://`.
    static func schemeEnd(in scalars: String.UnicodeScalarView, at index: String.Index) -> String.Index? {
        for scheme in ["https://", "http://"] {
            var cursor = index
            var matched = true
            for expected in scheme.unicodeScalars {
                guard cursor < scalars.endIndex,
                      asciiLowercased(scalars[cursor]) == expected
                else {
                    matched = false
                    break
                }
                cursor = scalars.index(after: cursor)
            }
            if matched { return cursor }
        }
        return nil
    }

    /// Whether the scalar before `index` is an ASCII letter or digit (the scheme would then be the
    /// tail of another word, as in `xhttps://`).
    static func isGluedToPrecedingWord(_ scalars: String.UnicodeScalarView, before index: String.Index) -> Bool {
        guard index > scalars.startIndex else { return false }
        let previous = scalars[scalars.index(before: index)]
        return previous.isASCII && (("a"..."z").contains(previous) || ("A"..."Z").contains(previous)
            || ("0"..."9").contains(previous))
    }

    /// Ideographic and full-width sentence punctuation, which ends a URL: `。 、 ， ！ ？ ： ；`.
    static let ideographicPunctuation: Set<Unicode.Scalar> = [
        "\u{3002}", "\u{3001}", "\u{FF0C}", "\u{FF01}", "\u{FF1F}", "\u{FF1A}", "\u{FF1B}",
    ]

    /// Characters that always end a URL: whitespace, control characters, `<`, `>`, `"` and
    /// ``ideographicPunctuation``.
    static func isTerminator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "<" || scalar == ">" || scalar == "\"" { return true }
        if ideographicPunctuation.contains(scalar) { return true }
        if scalar.properties.isWhitespace { return true }
        return scalar.properties.generalCategory == .control
    }

    /// Trailing punctuation that is never part of a URL.
    static let trailingPunctuation: Set<Unicode.Scalar> = [
        ".", ",", ";", ":", "!", "?", "'", "\"",
        "\u{2026}", "\u{201D}", "\u{2019}", "\u{00BB}",
    ]

    /// Closing brackets dropped from the end of a URL when unbalanced, with their opening partner.
    static let bracketPairs: [Unicode.Scalar: Unicode.Scalar] = [")": "(", "]": "[", "}": "{"]

    /// Moves `end` back over trailing punctuation and unbalanced closing brackets, never before `start`.
    static func trimTrailing(
        _ scalars: String.UnicodeScalarView,
        from start: String.Index,
        to end: String.Index
    ) -> String.Index {
        var end = end
        while end > start {
            let lastIndex = scalars.index(before: end)
            let last = scalars[lastIndex]
            if trailingPunctuation.contains(last) {
                end = lastIndex
                continue
            }
            if let opening = bracketPairs[last] {
                var opened = 0
                var closed = 0
                for scalar in scalars[start..<end] {
                    if scalar == opening { opened += 1 } else if scalar == last { closed += 1 }
                }
                if closed > opened {
                    end = lastIndex
                    continue
                }
            }
            break
        }
        return end
    }

    /// Whether the text after `://` has a non-empty host part (before the first `/`, `?` or `#`).
    static func hasHost(_ rest: Substring.UnicodeScalarView) -> Bool {
        guard let first = rest.first else { return false }
        return first != "/" && first != "?" && first != "#"
    }

    /// ASCII-lowercases a scalar; other scalars are returned unchanged.
    static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard ("A"..."Z").contains(scalar), let lower = Unicode.Scalar(scalar.value + 32) else { return scalar }
        return lower
    }
}
