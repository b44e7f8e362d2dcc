import Foundation
import Testing
@testable import SMSCore

@Suite("SegmentCounter")
struct SegmentCounterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let expected: SegmentCount
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "empty body is one GSM-7 segment of 0 septets", text: "",
             expected: SegmentCount(encoding: .gsm7, units: 0, segments: 1)),
        Case(name: "70 emoji are 140 UTF-16 units in 3 segments (PITFALLS.md #17)", text: String(repeating: "😎", count: 70),
             expected: SegmentCount(encoding: .ucs2, units: 140, segments: 3)),
        Case(name: "160 GSM chars incl. 20 spaces fit one segment (PITFALLS.md #18)",
             text: String(repeating: "abcdefg ", count: 20),
             expected: SegmentCount(encoding: .gsm7, units: 160, segments: 1)),
        Case(name: "161 GSM chars need 2 segments", text: String(repeating: "a", count: 161),
             expected: SegmentCount(encoding: .gsm7, units: 161, segments: 2)),
        Case(name: "80 euro signs are 160 septets in 1 segment", text: String(repeating: "€", count: 80),
             expected: SegmentCount(encoding: .gsm7, units: 160, segments: 1)),
        Case(name: "81 euro signs are 162 septets in 2 segments", text: String(repeating: "€", count: 81),
             expected: SegmentCount(encoding: .gsm7, units: 162, segments: 2)),
        Case(name: "306 septets fill exactly 2 parts", text: String(repeating: "a", count: 306),
             expected: SegmentCount(encoding: .gsm7, units: 306, segments: 2)),
        Case(name: "307 septets need 3 parts", text: String(repeating: "a", count: 307),
             expected: SegmentCount(encoding: .gsm7, units: 307, segments: 3)),
        Case(name: "70 UCS-2 units are 1 segment", text: String(repeating: "ê", count: 70),
             expected: SegmentCount(encoding: .ucs2, units: 70, segments: 1)),
        Case(name: "71 UCS-2 units are 2 segments", text: String(repeating: "ê", count: 71),
             expected: SegmentCount(encoding: .ucs2, units: 71, segments: 2)),
        Case(name: "134 UCS-2 units fill exactly 2 parts", text: String(repeating: "ê", count: 134),
             expected: SegmentCount(encoding: .ucs2, units: 134, segments: 2)),
        Case(name: "surrogate pair straddling units 67/68 moves whole to part 2, giving 3 parts",
             text: String(repeating: "ê", count: 66) + "😎" + String(repeating: "ê", count: 66),
             expected: SegmentCount(encoding: .ucs2, units: 134, segments: 3)),
        Case(name: "surrogate pair ending exactly at unit 67 stays in part 1",
             text: String(repeating: "ê", count: 65) + "😎" + String(repeating: "ê", count: 67),
             expected: SegmentCount(encoding: .ucs2, units: 134, segments: 2)),
        Case(name: "escape pair straddling septets 153/154 moves whole to part 2, giving 3 parts",
             text: String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152),
             expected: SegmentCount(encoding: .gsm7, units: 306, segments: 3)),
        Case(name: "escape pair ending exactly at septet 153 stays in part 1",
             text: String(repeating: "a", count: 151) + "€" + String(repeating: "a", count: 153),
             expected: SegmentCount(encoding: .gsm7, units: 306, segments: 2)),
        Case(name: "é (U+00E9) is GSM-7", text: "é",
             expected: SegmentCount(encoding: .gsm7, units: 1, segments: 1)),
        Case(name: "ê is not GSM-7", text: "ê",
             expected: SegmentCount(encoding: .ucs2, units: 1, segments: 1)),
        Case(name: "decomposed e + combining acute is not GSM-7", text: "e\u{301}",
             expected: SegmentCount(encoding: .ucs2, units: 2, segments: 1)),
        Case(name: "newline is GSM-7", text: "a\nb",
             expected: SegmentCount(encoding: .gsm7, units: 3, segments: 1)),
        Case(name: "CRLF counts two septets", text: "a\r\nb",
             expected: SegmentCount(encoding: .gsm7, units: 4, segments: 1)),
        Case(name: "Ç is GSM-7 but ç is not", text: "Ç",
             expected: SegmentCount(encoding: .gsm7, units: 1, segments: 1)),
        Case(name: "ç switches to UCS-2", text: "ç",
             expected: SegmentCount(encoding: .ucs2, units: 1, segments: 1)),
        Case(name: "one emoji switches a whole GSM body to UCS-2", text: "Hello 😎",
             expected: SegmentCount(encoding: .ucs2, units: 8, segments: 1)),
        Case(name: "extension characters mixed with basic ones", text: "[x]{y}",
             expected: SegmentCount(encoding: .gsm7, units: 10, segments: 1)),
        Case(name: "160 GSM chars with one extension char exceed a single part", text: String(repeating: "a", count: 159) + "|",
             expected: SegmentCount(encoding: .gsm7, units: 161, segments: 2)),
        Case(name: "no-break space is not GSM-7", text: "a\u{00A0}b",
             expected: SegmentCount(encoding: .ucs2, units: 3, segments: 1)),
        Case(name: "Greek capitals of the GSM table are GSM-7", text: "ΔΦΓΛΩΠΨΣΘΞ",
             expected: SegmentCount(encoding: .gsm7, units: 10, segments: 1)),
    ]

    @Test("counts encoding, units and segments", arguments: cases)
    func counts(_ testCase: Case) {
        #expect(SegmentCounter.count(testCase.text) == testCase.expected)
    }

    @Test("each extension-table character costs 2 septets",
          arguments: ["^", "{", "}", "\\", "[", "]", "~", "|", "€", "\u{0C}"])
    func extensionCharacterCostsTwo(_ character: String) {
        #expect(SegmentCounter.count(character) == SegmentCount(encoding: .gsm7, units: 2, segments: 1))
    }

    @Test("characters outside GSM-7 switch to UCS-2",
          arguments: ["ê", "ç", "`", "á", "ő", "Ж", "你", "\u{00A0}", "\u{2019}", "\u{0009}"])
    func nonGSMCharacterSwitchesToUCS2(_ character: String) {
        #expect(SegmentCounter.count(character).encoding == .ucs2)
    }

    @Test("the default alphabet has 127 distinct characters and the extension table 10")
    func tableSizes() {
        #expect(SegmentCounter.basicSet.count == 127)
        #expect(SegmentCounter.basicCharacters.unicodeScalars.count == 127)
        #expect(SegmentCounter.extensionSet.count == 10)
        #expect(SegmentCounter.basicSet.isDisjoint(with: SegmentCounter.extensionSet))
    }

    @Test("every default-alphabet character costs 1 septet")
    func everyBasicCharacterCostsOne() {
        #expect(SegmentCounter.count(SegmentCounter.basicCharacters)
            == SegmentCount(encoding: .gsm7, units: 127, segments: 1))
    }

    @Test("SegmentCount encodes to JSON with the encoding's raw value")
    func codable() throws {
        let data = try JSONEncoder().encode(SegmentCount(encoding: .ucs2, units: 140, segments: 3))
        let decoded = try JSONDecoder().decode(SegmentCount.self, from: data)
        #expect(decoded == SegmentCount(encoding: .ucs2, units: 140, segments: 3))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["encoding"] as? String == "ucs2")
    }
}
