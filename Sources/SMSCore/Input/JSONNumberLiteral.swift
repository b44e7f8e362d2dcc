import Foundation

/// A number literal of a JSON body as the client wrote it, for the values whose `Double` would
/// not echo it (`docs/DOMAIN.md` §1 "Numbers and keys from outside"): a refused `graceSeconds`
/// of `1e20` is quoted as `'1e20'`, a `segmentId` of `9223372036854775808` as written, never as
/// the `Double` (`1e+20`, `9.223372036854776e+18`).
///
/// Kept by the JSON reader for literals read as a `Double` of magnitude 2^53 or more (every
/// integer literal beyond `Int64`, every large exponent): the values a message shows in exponent
/// form or rounded. Smaller literals are shown from their value, which reads back the same.
public struct JSONNumberLiteral: Sendable, Equatable {
    /// The keys and array indices from the root to the number.
    public var path: [JSONPathStep]
    /// The literal as written (`1e20`, `-12345678901234567890.5`).
    public var text: String

    /// Magnitudes from which a literal is kept (2^53: the first whole number a `Double` skips).
    public static let keptFromMagnitude: Double = 9_007_199_254_740_992

    /// The literals by path (the first when a path repeats: a repeated key is refused anyway),
    /// for look-ups in a large batch.
    public static func byPath(_ literals: [JSONNumberLiteral]) -> [[JSONPathStep]: String] {
        Dictionary(literals.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
    }

    /// The literal whose field text (``JSONPathStep/text(_:)``: `variants[0].percent`) is `field`, or `nil`.
    public static func text(atField field: String, in literals: [JSONNumberLiteral]) -> String? {
        literals.first { JSONPathStep.text($0.path) == field }?.text
    }
}
