import Foundation

/// Where a JSON value lies in the bytes it was read from (internal; ``CallbackJSONReader/readWithSpans(_:levels:)``).
///
/// `range` is the value's own bytes (no surrounding white space); `elements` are an array's
/// elements in order, `members` an object's member values by name (a repeated name keeps the last
/// one, as the reader keeps the last value). Children are recorded only as deep as asked.
struct CallbackJSONSpan: Sendable, Equatable {
    /// Byte offsets of the value in the body, 0-based, end exclusive.
    var range: Range<Int>
    /// An array's elements, in order (empty for other values or below the recorded depth).
    var elements: [CallbackJSONSpan] = []
    /// An object's member values by name (the last of a repeated name).
    var members: [String: CallbackJSONSpan] = [:]
}
