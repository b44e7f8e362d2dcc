import Foundation

/// How long one personalised message may be, and how much work rendering one may take
/// (`docs/DOMAIN.md §2 "Message size"`).
///
/// - ``maximumSegments``: 255 parts. Concatenated SMS numbers its parts with one octet in the user
///   data header (3GPP TS 23.040 §9.2.3.24.1: "maximum number of short messages", 1…255), so no
///   handset can reassemble more: 255 × 153 = 39,015 GSM-7 septets or 255 × 67 = 17,085 UCS-2
///   code units, counted on the final text (``SegmentCounter``).
/// - ``renderWorkBudget``: 200,000 units of work per render, where one section pass over an array
///   element costs the body's length in UTF-8 bytes (the most literal text one pass can emit) and
///   one inserted value its length in UTF-8 bytes. Decision: five times the largest sendable text
///   in bytes (39,015), so any body that renders within ``maximumSegments`` renders within budget
///   unless its sections loop over elements that render nothing; a body whose nested sections
///   multiply over an array (30⁵ passes) stops after the budget instead of building megabytes.
public enum MessageSizeLimit {
    /// The most segments one message may have (255: the concatenation header's one-octet count).
    public static let maximumSegments = 255
    /// GSM-7 septets in ``maximumSegments`` concatenated parts (39,015).
    public static let maximumGSM7Septets = maximumSegments * SegmentCounter.gsm7MultiPart
    /// UTF-16 code units in ``maximumSegments`` concatenated UCS-2 parts (17,085).
    public static let maximumUCS2Units = maximumSegments * SegmentCounter.ucs2MultiPart
    /// The work one render may do, in UTF-8 bytes of text (see the type's documentation).
    public static let renderWorkBudget = 200_000

    /// Checks the final text of one message (after personalisation and link rewriting).
    /// - Throws: ``MessageRenderError/tooManySegments(_:)`` when it needs more than ``maximumSegments``.
    public static func check(_ text: String) throws(MessageRenderError) {
        // A text of at most 255 × 67 UTF-16 units fits whatever its encoding: skip the count.
        if text.utf16.count <= maximumUCS2Units { return }
        let count = SegmentCounter.count(text)
        if count.segments > maximumSegments { throw .tooManySegments(count) }
    }
}

/// Why one message could not be rendered (`docs/DOMAIN.md §2 "Message size"`): the message becomes a
/// dispatch error with this text as its reason, never a crash or a send.
public enum MessageRenderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The final text needs more than ``MessageSizeLimit/maximumSegments`` segments.
    case tooManySegments(SegmentCount)
    /// Rendering stopped after ``MessageSizeLimit/renderWorkBudget`` units of work (sections over
    /// arrays that multiply), before the text was complete.
    case workBudgetExceeded

    public var description: String {
        let cap =
            "at most \(MessageSizeLimit.maximumSegments) segments (\(MessageSizeLimit.maximumGSM7Septets) GSM-7 septets "
            + "or \(MessageSizeLimit.maximumUCS2Units) UCS-2 units)"
        switch self {
        case .tooManySegments(let count):
            let unit = count.encoding == .gsm7 ? "GSM-7 septets" : "UCS-2 units"
            return "message too long: \(count.segments) segments (\(count.units) \(unit)); \(cap)"
        case .workBudgetExceeded:
            return "message too long: rendering stopped after \(MessageSizeLimit.renderWorkBudget) bytes of work "
                + "(sections repeat over arrays); \(cap)"
        }
    }
}
