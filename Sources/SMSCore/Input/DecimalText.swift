import Foundation

/// Numbers written as text (a quoted `ts`, a revenue `"49.99"`, a query parameter `?limit=50`):
/// the one reader of numeric text, strict so that `openapi.json`'s patterns say exactly what is
/// taken. No surrounding white space (`" 5"` and `"5 "` are refused), no `+` sign, ASCII digits
/// only.
public enum DecimalText {
    /// An integer written as text (`?limit=50`, `?variant=1`, an id in a path): ASCII digits, with
    /// one leading `-` only when `allowingNegative`; nothing else (no white space, no `+`, no
    /// exponent). Leading zeros are taken (`007` is 7).
    ///
    /// Decision (`-0`): where a `-` is allowed it is 0; where it is not (every range from 0 up:
    /// `?limit=`, `?variant=`, pattern `^[0-9]+$`) it is refused like any other `-`, so
    /// `variant=-0` is refused as `variant=-1` is. This is `openapi.json`'s
    /// ``integerPattern(allowingNegative:)``.
    /// - Returns: the value, or `nil` for any other text or a value beyond `Int64`.
    public static func integer(_ text: some StringProtocol, allowingNegative: Bool) -> Int64? {
        var digits = Substring(text)
        if allowingNegative, digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    /// The regular expression of ``integer(_:allowingNegative:)``: `^-?[0-9]+$` or `^[0-9]+$`.
    public static func integerPattern(allowingNegative: Bool) -> String {
        allowingNegative ? "^-?[0-9]+$" : "^[0-9]+$"
    }

    /// The regular expression of ``isPlainNumber(_:)``, as in `openapi.json`.
    public static let plainNumberPattern = #"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#

    /// The regular expression of ``isPlainNumber(_:allowingExponent:)`` without an exponent (revenue text).
    public static let plainDecimalPattern = #"^-?[0-9]+(\.[0-9]+)?$"#

    /// `-?digits(.digits)?([eE][+-]?digits)?`: plain JSON-style decimal numbers only
    /// (no `inf`, `nan`, hex floats or `+` sign, which Swift's `Double(String)` would otherwise accept).
    /// Without `allowingExponent`, `-?digits(.digits)?` only: an amount of money written as text
    /// (`"1e3"` is not an amount, `docs/DOMAIN.md` §5).
    public static func isPlainNumber(_ s: String, allowingExponent: Bool = true) -> Bool {
        var bytes = Array(s.utf8)[...]
        func digits() -> Bool {
            let start = bytes.startIndex
            while let b = bytes.first, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { bytes = bytes.dropFirst() }
            return bytes.startIndex > start
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard digits() else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() else { return false }
        }
        if allowingExponent, bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }
}
