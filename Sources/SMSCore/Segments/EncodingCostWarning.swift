import Foundation

/// A body whose encoding or length multiplies what it costs (issue 18, `docs/DOMAIN.md` §2
/// "Cost warnings"): the "bill shock" of one curly apostrophe switching a whole
/// message to UCS-2, or of a few characters spilling into one more segment. Computed with
/// ``SegmentCounter`` (the one home of the segment rules) on the body as sent (links replaced by
/// short links); shown by the new-campaign form's preview and in the `warnings` of the API's
/// campaign-creation answer. The campaign is created all the same.
public struct EncodingCostWarning: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Characters outside GSM-7 make the body UCS-2 and that costs more segments.
        case ucs2
        /// The body is GSM-7 and at most ``extraSegmentSlack`` characters spill into the last segment.
        case extraSegment
    }

    public var kind: Kind
    /// The characters responsible, in order of first appearance, at most ``shownCharacters``:
    /// the non-GSM-7 ones (``Kind/ucs2``), or the extension-table ones that cost 2 septets each when
    /// counting them as 1 would save the segment (``Kind/extraSegment``; may be empty).
    public var characters: [Unicode.Scalar]
    /// Segments of the body as sent.
    public var segments: Int
    /// Segments it would be: in GSM-7 with each responsible character replaced by a one-septet one
    /// (``Kind/ucs2``), or without the spilled characters (``Kind/extraSegment``).
    public var segmentsOtherwise: Int
    /// How many characters spill into the last segment (``Kind/extraSegment``; 0 for ``Kind/ucs2``).
    public var spilled: Int

    /// **Decision:** a spill of at most this many characters (septets) into one more segment is
    /// worth a warning (a short sentence trimmed saves a whole SMS per recipient); a longer text
    /// simply needs its segments.
    public static let extraSegmentSlack = 10
    /// Characters named in the message, at most.
    public static let shownCharacters = 5

    public init(kind: Kind, characters: [Unicode.Scalar], segments: Int, segmentsOtherwise: Int, spilled: Int) {
        self.kind = kind
        self.characters = characters
        self.segments = segments
        self.segmentsOtherwise = segmentsOtherwise
        self.spilled = spilled
    }

    /// The warning for a body as sent, or `nil` when its encoding and length cost nothing extra.
    ///
    /// - UCS-2: the body is UCS-2 and the same body with every non-GSM-7 character replaced by a
    ///   GSM-7 one of one septet has fewer segments (a short UCS-2 body that fits one segment
    ///   either way costs nothing extra: no warning).
    /// - Extra segment: the body is GSM-7, has more than one segment, and removing its last
    ///   ``extraSegmentSlack`` characters or fewer (counted from the end, each whole) saves a segment.
    public static func check(_ text: String) -> EncodingCostWarning? {
        let count = SegmentCounter.count(text)
        switch count.encoding {
        case .ucs2:
            var responsible: [Unicode.Scalar] = []
            var seen = Set<Unicode.Scalar>()
            var replaced = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                if SegmentCounter.septets(for: scalar) == nil {
                    if seen.insert(scalar).inserted { responsible.append(scalar) }
                    replaced.append("?")
                } else {
                    replaced.append(scalar)
                }
            }
            let otherwise = SegmentCounter.count(String(replaced)).segments
            guard otherwise < count.segments else { return nil }
            return EncodingCostWarning(
                kind: .ucs2, characters: Array(responsible.prefix(shownCharacters)), segments: count.segments,
                segmentsOtherwise: otherwise, spilled: 0)
        case .gsm7:
            guard count.segments > 1 else { return nil }
            let scalars = Array(text.unicodeScalars)
            for k in 1...min(extraSegmentSlack, scalars.count) {
                var shorter = String.UnicodeScalarView()
                shorter.append(contentsOf: scalars.dropLast(k))
                let fewer = SegmentCounter.count(String(shorter)).segments
                guard fewer < count.segments else { continue }
                // Extension characters (2 septets each) named when counting them as 1 saves the segment.
                let extended = scalars.filter { SegmentCounter.septets(for: $0) == 2 }
                var single = String.UnicodeScalarView()
                single.append(contentsOf: scalars.map { SegmentCounter.septets(for: $0) == 2 ? "?" : $0 })
                var shown: [Unicode.Scalar] = []
                if SegmentCounter.count(String(single)).segments < count.segments {
                    for s in extended where !shown.contains(s) && shown.count < shownCharacters { shown.append(s) }
                }
                return EncodingCostWarning(kind: .extraSegment, characters: shown, segments: count.segments, segmentsOtherwise: fewer, spilled: k)
            }
            return nil
        }
    }

    /// A character and its code point: `’ (U+2019)`; a control or white-space character by its code point only.
    public static func name(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + String(format: "%04X", scalar.value)
        if scalar.properties.isWhitespace || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return code }
        return "\(Character(scalar)) (\(code))"
    }

    /// The warning in words, e.g. `’ (U+2019) makes this UCS-2: 3 segments instead of 1 per
    /// recipient` or `2 characters spill into segment 2: 2 segments instead of 1 per recipient`.
    /// - Parameter field: the body's field when there are several (`variants[1].body`), else `nil`.
    public func message(field: String? = nil) -> String {
        let prefix = field.map { $0 + ": " } ?? ""
        let names = characters.map(Self.name).joined(separator: ", ")
        let cost = "\(segments) segments instead of \(segmentsOtherwise) per recipient"
        switch kind {
        case .ucs2:
            let verb = characters.count == 1 ? "makes" : "make"
            return prefix + "\(names) \(verb) this UCS-2 (Unicode): \(cost); "
                + "replace \(characters.count == 1 ? "it" : "them") with GSM-7 characters to pay \(segmentsOtherwise)"
        case .extraSegment:
            let chars = spilled == 1 ? "1 character spills" : "\(spilled) characters spill"
            var text = prefix + "\(chars) into segment \(segments): \(cost)"
            if !characters.isEmpty {
                text += "; \(names) \(characters.count == 1 ? "counts" : "count") as 2 characters in GSM-7"
            }
            return text
        }
    }
}
