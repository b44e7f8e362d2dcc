import Foundation
import Testing

@testable import SMSCore

/// The one reader of numeric text (query parameters, ids, a quoted `ts`) and the patterns
/// `openapi.json` states for it: the same strings on both sides.
@Suite("Numeric text: one strict reader, the same as openapi.json's patterns")
struct DecimalTextTests {
    @Test("integers: ASCII digits, a '-' only where negatives are allowed; '-0' decided")
    func integers() {
        #expect(DecimalText.integer("50", allowingNegative: false) == 50)
        #expect(DecimalText.integer("007", allowingNegative: false) == 7)
        #expect(DecimalText.integer("9223372036854775807", allowingNegative: false) == Int64.max)
        #expect(DecimalText.integer("-9223372036854775808", allowingNegative: true) == Int64.min)
        #expect(DecimalText.integer("-5", allowingNegative: true) == -5)
        #expect(DecimalText.integer("-0", allowingNegative: true) == 0)
        for refused in ["-0", "-5", "+5", " 5", "5 ", "5\n", "", "-", "5.0", "1e3", "٥", "５", "0x10", "9223372036854775808"] {
            #expect(DecimalText.integer(refused, allowingNegative: false) == nil, "\(refused)")
        }
        for refused in ["+5", "--5", "- 5", " -5", "-", "-+5", "-9223372036854775809"] {
            #expect(DecimalText.integer(refused, allowingNegative: true) == nil, "\(refused)")
        }
    }

    /// Every string of up to 4 characters over an alphabet of digits, signs, spaces, a dot, an
    /// exponent and non-ASCII digits: the reader takes it exactly when the pattern matches it.
    @Test("the readers accept exactly what openapi.json's patterns match (all strings up to 4 characters)")
    func patternsMatchTheReaders() throws {
        let alphabet = ["0", "7", "-", "+", " ", ".", "e", "٣", "５"]
        var strings = [""]
        var layer = [""]
        for _ in 1...4 {
            layer = layer.flatMap { s in alphabet.map { s + $0 } }
            strings += layer
        }
        func matches(_ pattern: String, _ s: String) throws -> Bool {
            let re = try NSRegularExpression(pattern: pattern)
            return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
        var checked = 0
        for negative in [false, true] {
            let pattern = DecimalText.integerPattern(allowingNegative: negative)
            for s in strings {
                #expect((DecimalText.integer(s, allowingNegative: negative) != nil) == (try matches(pattern, s)), "\(pattern) '\(s)'")
                checked += 1
            }
        }
        for s in strings {
            #expect(DecimalText.isPlainNumber(s) == (try matches(DecimalText.plainNumberPattern, s)), "'\(s)'")
        }
        #expect(checked == 2 * 7381)
    }

    @Test("openapi.json states the plain-number pattern of DecimalText")
    func openAPIStatesThePattern() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/SMSWeb/Resources/openapi.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let escaped = DecimalText.plainNumberPattern.replacingOccurrences(of: "\\", with: "\\\\")
        #expect(text.components(separatedBy: "\"pattern\": \"\(escaped)\"").count - 1 == 2)
    }
}
