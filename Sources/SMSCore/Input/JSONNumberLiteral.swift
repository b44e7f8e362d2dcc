import Foundation

/// A number literal of a JSON body as the client wrote it, for the values whose `Double` would
/// not echo it (`docs/DOMAIN.md` §1 "Numbers and keys from outside"): a refused `graceSeconds`
/// of `1e20` is quoted as `'1e20'`, a `segmentId` of `9223372036854775808` as written, never as
/// the `Double` (`1e+20`, `9.223372036854776e+18`).
///
/// Kept by the JSON reader for literals of magnitude 2^53 or more (every integer literal beyond
/// ±2^53, every large exponent) and for literals a `Double` does not hold as written
/// (``heldAsWritten(_:as:)``: `0.1000000000000000000001`, `9007199254740991.5`): the values a
/// message shows in exponent form or rounded, and the ones a free-form value (properties, a segment
/// rule's value) cannot keep. Smaller literals are shown from their value, which reads back the same.
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

    /// Whether `value` (the `Double` the literal `text` reads as) holds the number `text` writes:
    /// its shortest decimal form (what an encoder writes back) has the same digits and exponent as
    /// `text`, trailing zeros aside (`1.10` is `1.1`, `1E2` is `100`, `-0` is `0`). `false` for
    /// `9007199254740993` (read as …992), `0.12345678901234567891` (read as 0.12345678901234568),
    /// a subnormal `1.2e-323` (read as 1e-323) and for a value that is not finite.
    ///
    /// Exact for every literal; a literal of at most 15 significant digits whose value is a normal
    /// `Double` is held without comparing (any such decimal reads back the same: `DBL_DIG`).
    public static func heldAsWritten(_ text: String, as value: Double) -> Bool {
        guard value.isFinite else { return false }
        guard let written = DecimalForm(text) else { return false }
        if written.digits.isEmpty { return value == 0 }
        if written.digits.count <= 15, value.isNormal { return true }
        guard let held = DecimalForm("\(value)") else { return false }
        return written == held
    }

    /// Whether `text` is an integer literal (no fraction, no exponent: `123456789012345678901`).
    public static func isIntegerLiteral(_ text: String) -> Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// A decimal number as sign, significant digits (no leading or trailing zeros; none for 0) and
    /// the power of ten of the first digit: `-0.0120` is (true, "12", -2), `1e+20` is (false, "1", 20).
    /// Reads a JSON number literal and Swift's `Double.description` (`1.2345678901234568e+29`).
    struct DecimalForm: Equatable {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int

        init?(_ text: String) {
            var bytes = Substring(text).utf8[...]
            negative = bytes.first == UInt8(ascii: "-")
            if negative { bytes = bytes.dropFirst() }
            var all: [UInt8] = []
            var pointAt: Int?
            while let b = bytes.first, b != UInt8(ascii: "e"), b != UInt8(ascii: "E") {
                bytes = bytes.dropFirst()
                if b == UInt8(ascii: ".") {
                    guard pointAt == nil else { return nil }
                    pointAt = all.count
                } else {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
                    all.append(b)
                }
            }
            var power = 0
            if !bytes.isEmpty {
                bytes = bytes.dropFirst()
                var minus = false
                if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
                    minus = bytes.first == UInt8(ascii: "-")
                    bytes = bytes.dropFirst()
                }
                guard !bytes.isEmpty else { return nil }
                for b in bytes {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) else { return nil }
                    // Saturates far beyond any Double exponent (a literal such as 1e99999999999999999999).
                    power = min(power * 10 + Int(b - UInt8(ascii: "0")), 1_000_000_000)
                }
                if minus { power = -power }
            }
            guard !all.isEmpty else { return nil }
            let integerDigits = pointAt ?? all.count
            guard let first = all.firstIndex(where: { $0 != UInt8(ascii: "0") }) else {
                negative = false
                digits = []
                exponent = 0
                return
            }
            let last = all.lastIndex { $0 != UInt8(ascii: "0") } ?? first
            digits = Array(all[first...last])
            exponent = power + integerDigits - first - 1
        }
    }
}
