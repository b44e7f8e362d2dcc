import Foundation
import SMSCore
import Testing

/// ``TextInput`` (`docs/DOMAIN.md` §1 "Text from outside"): what a text field from outside may hold.
@Suite("TextInput: NUL refused in text, control characters in identifiers")
struct TextInputTests {
    @Test("text refuses U+0000 only; an identifier refuses U+0000…U+001F and U+007F, naming the character and position")
    func kinds() {
        #expect(TextInput.problem("a\u{0}b", field: "name", kind: .text) == "name contains U+0000 (NUL) at position 1: no text field may hold U+0000")
        #expect(TextInput.problem("a\tb\u{1F}\u{7F}\r\n", field: "name", kind: .text) == nil)
        #expect(TextInput.problem("ab\u{1F}", field: "userId", kind: .identifier)
            == "userId contains the control character U+001F at position 2: an identifier may not hold control characters (U+0000–U+001F, U+007F)")
        #expect(TextInput.problem("é👍\u{7F}", field: "id", kind: .identifier)?.contains("U+007F at position 2") == true)
        #expect(TextInput.problem("é👍 ~\u{80}", field: "id", kind: .identifier) == nil)
        // Every C0 control and DEL is refused in an identifier, nothing else of the first 256 scalars.
        let refused = (0..<256).compactMap(Unicode.Scalar.init).filter { TextInput.problem("x" + String($0), field: "f", kind: .identifier) != nil }
        #expect(refused.map(\.value) == Array(0..<32) + [127])
    }

    @Test("the JSON pre-scan finds a NUL exactly when a string of the JSON holds one (property over random strings)")
    func scanAgreesWithTheDecoder() throws {
        var rng = SplitMix64(seed: 12)
        let alphabet: [String] = ["\u{0}", "\\", "u", "0", "a", "\u{1}", "\"", "é", "\n"]
        for _ in 0..<2_000 {
            let key = (0..<Int(rng.next() % 4)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let value = (0..<Int(rng.next() % 8)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            let data = try JSONEncoder().encode([["k" + key: value]])
            let hasNUL = key.contains("\u{0}") || value.contains("\u{0}")
            #expect(TextInput.mayHoldNUL(json: Array(data)) == hasNUL, "\(String(decoding: data, as: UTF8.self))")
            let parsed = try JSONValue(json: data)
            let problem = TextInput.problem(in: parsed, path: "")
            #expect((problem != nil) == hasNUL)
            if let problem { #expect(problem.hasPrefix(key.contains("\u{0}") ? "a key of [0]" : "[0].k")) }
        }
        #expect(TextInput.mayHoldNUL(json: Array(#"["a\\u0000b"]"#.utf8)) == false)
        #expect(TextInput.mayHoldNUL(json: Array(#"["a\\\u0000b"]"#.utf8)) == true)
        #expect(TextInput.mayHoldNUL(json: Array(#"["\u0001\u00000"]"#.utf8)) == true)
    }
}
