import Foundation
import SMSCore
import Testing

/// How an ingestion error's bytes are shown (``RawBytes``) and carried in its JSON (``IngestionError``).
@Suite("Raw bytes: text, escape form, cut, JSON")
struct RawBytesTests {
    static let nul: [UInt8] = Array(#"[{"event":"delivered","data":[{"meta":"ab"#.utf8) + [0x00] + Array(#"cd"}]}]"#.utf8)
    static let utf16: [UInt8] = [0xFF, 0xFE] + Array(#"[{"a":1}]"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    static let invalid: [UInt8] = Array(#"[{"meta":"caf"#.utf8) + [0xE9] + Array(#"","x":"#.utf8) + [0xC3, 0x28, 0xFF] + Array("}]".utf8)

    @Test("text: valid UTF-8 (NUL included) is text; UTF-16 and invalid UTF-8 are not")
    func text() {
        #expect(RawBytes.text(Self.nul) == "[{\"event\":\"delivered\",\"data\":[{\"meta\":\"ab\u{0}cd\"}]}]")
        #expect(RawBytes.text(Self.utf16) == nil)
        #expect(RawBytes.text(Self.invalid) == nil)
        #expect(RawBytes.text(Array("é😎".utf8)) == "é😎")
    }

    @Test("escape form: controls as \\u{NN}, bytes that are not UTF-8 as \\xNN, backslash doubled, the rest as it is")
    func escaped() {
        #expect(RawBytes.escaped(Self.nul) == #"[{"event":"delivered","data":[{"meta":"ab\u{00}cd"}]}]"#)
        #expect(RawBytes.escaped(Self.invalid) == #"[{"meta":"caf\xE9","x":\xC3(\xFF}]"#)
        #expect(RawBytes.escaped(Array("a\\b\tc\nd\r\u{7F}é".utf8)) == "a\\\\b\tc\nd\r\\u{7F}é")
        #expect(RawBytes.escaped(Self.utf16).hasPrefix(#"\xFF\xFE[\u{00}{\u{00}"\u{00}a\u{00}"#))
        #expect(RawBytes.escaped([0xF0, 0x9F, 0x98]) == #"\xF0\x9F\x98"#)  // a 4-byte character cut short
    }

    @Test("property: the escape form is unambiguous: reading it back gives the bytes")
    func escapedReadsBack() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
                // Mostly ASCII and UTF-8 lead/continuation bytes, so valid and invalid sequences both occur.
                [UInt8.random(in: 0...0x7F, using: &rng), UInt8.random(in: 0x80...0xFF, using: &rng), 0x5C, 0x00][Int.random(in: 0...3, using: &rng)]
            }
            #expect(Self.unescape(RawBytes.escaped(bytes)) == bytes, "\(bytes)")
        }
    }

    /// Reads the escape form back (the test's own reader of the documented form).
    static func unescape(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(s.unicodeScalars)[...]
        while let c = chars.popFirst() {
            guard c == "\\" else {
                out += Array(String(c).utf8)
                continue
            }
            switch chars.popFirst() {
            case "\\": out.append(0x5C)
            case "x":
                out.append(UInt8(String(String.UnicodeScalarView(chars.prefix(2))), radix: 16)!)
                chars = chars.dropFirst(2)
            case "u":
                let body = chars.dropFirst().prefix { $0 != "}" }
                out.append(UInt8(String(String.UnicodeScalarView(body)), radix: 16)!)
                chars = chars.dropFirst(body.count + 2)
            default: Issue.record("bad escape in \(s)")
            }
        }
        return out
    }

    @Test("prefix: cut to the limit, back to a character boundary when UTF-8; bytes that are not UTF-8 cut exactly")
    func prefix() {
        let e = Array(String(repeating: "é", count: 10).utf8)  // 20 bytes
        #expect(RawBytes.prefix(e, limit: 7) == Array(String(repeating: "é", count: 3).utf8))
        #expect(RawBytes.prefix(e, limit: 8) == Array(String(repeating: "é", count: 4).utf8))
        #expect(RawBytes.prefix(e, limit: 20) == e)
        #expect(RawBytes.prefix(Self.utf16, limit: 3) == [0xFF, 0xFE, 0x5B])
    }

    @Test("JSON: raw is the exact text when UTF-8, else the escape form; rawBase64 is always exact and decodes back", arguments: [
        (RawBytesTests.nul, true), (RawBytesTests.utf16, false), (RawBytesTests.invalid, false), (Array(0...255).map(UInt8.init), false),
    ])
    func json(bytes: [UInt8], utf8: Bool) throws {
        let e = IngestionError(id: 7, source: "callback", providerId: "p1", reason: "r", raw: bytes, receivedAt: 1, replayedAt: nil)
        let data = try JSONEncoder().encode(e)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["rawUTF8"] as? Bool == utf8)
        #expect(object["rawBase64"] as? String == Data(bytes).base64EncodedString())
        #expect(object["raw"] as? String == (utf8 ? RawBytes.text(bytes) : RawBytes.escaped(bytes)))
        #expect(try JSONDecoder().decode(IngestionError.self, from: data) == e)
    }
}
