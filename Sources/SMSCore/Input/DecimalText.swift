import Foundation

/// Numbers written as text (a quoted `ts`, a revenue `"49.99"`).
public enum DecimalText {
    /// `-?digits(.digits)?([eE][+-]?digits)?`: plain JSON-style decimal numbers only
    /// (no `inf`, `nan`, hex floats or `+` sign, which Swift's `Double(String)` would otherwise accept).
    public static func isPlainNumber(_ s: String) -> Bool {
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
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() else { return false }
        }
        return bytes.isEmpty
    }
}
