import Foundation
import SMSCore
import Testing

/// Issue 12 (a new user's findings): a dashboard form field whose percent-decoded bytes are not
/// UTF-8 is refused naming the field (``FormFields/strictPairs(bytes:checkedPart:)``), never read as U+FFFD.
@Suite("Form fields: invalid UTF-8 refused by name")
struct FormFieldsStrictTests {
    static func strict(_ text: String) -> Result<[(String, String)], FormFields.InvalidUTF8Fields> {
        FormFields.strictPairs(bytes: Array(text.utf8))
    }

    @Test("invalid bytes, percent-encoded or raw, in a value or a name, are named with the byte and its offset")
    func named() throws {
        let cases: [([UInt8], [String])] = [
            (Array("name=%FF&body=ok".utf8), ["the form field 'name' is not valid UTF-8 (byte 0xFF at byte 0 of its value)"]),
            (Array("name=caf%E9".utf8), ["the form field 'name' is not valid UTF-8 (byte 0xE9 at byte 3 of its value)"]),
            (Array("body=ab%C3".utf8), ["the form field 'body' is not valid UTF-8 (byte 0xC3 at byte 2 of its value)"]),
            (Array("body=%ED%A0%80".utf8), ["the form field 'body' is not valid UTF-8 (byte 0xED at byte 0 of its value)"]),
            (Array("a=1&goalEvent=x".utf8) + [0x80] + Array("&n%FFm=2".utf8), [
                "the form field 'goalEvent' is not valid UTF-8 (byte 0x80 at byte 1 of its value)",
                "a form field's name is not valid UTF-8 (byte 0xFF at byte 1 of the name)",
            ]),
        ]
        for (bytes, messages) in cases {
            guard case .failure(let refused) = FormFields.strictPairs(bytes: bytes) else {
                Issue.record("accepted \(bytes)")
                continue
            }
            #expect(refused.fields.map(\.message) == messages)
            #expect(refused.message == messages.joined(separator: "; "))
            #expect(!refused.valid.contains { $0.0.contains("\u{FFFD}") || $0.1.contains("\u{FFFD}") })
        }
        guard case .failure(let refused) = Self.strict("a=1&name=%FF&b=x+y") else { Issue.record("accepted"); return }
        #expect(refused.valid.map { "\($0.0)=\($0.1)" } == ["a=1", "b=x y"])
    }

    @Test("valid UTF-8 (percent-encoded, raw, mixed across an escape) reads as parse does; U+FFFD sent by the client is kept")
    func valid() throws {
        let bytes: [UInt8] = Array("a=".utf8) + [0xC3] + Array("%A9&b=%E2%82%AC+1&c=%EF%BF%BD&d&e=%zz".utf8)
        let pairs = try FormFields.strictPairs(bytes: bytes).get()
        #expect(pairs.map { "\($0.0)=\($0.1)" } == ["a=é", "b=€ 1", "c=\u{FFFD}", "d=", "e=%zz"])
        #expect(FormFields.pairs(String(decoding: bytes, as: UTF8.self)).count == 5)
    }

    @Test("property: any bytes percent-encoded in a value are accepted exactly when they are UTF-8, and read back unchanged", arguments: 0..<8)
    func property(seed: Int) throws {
        var rng = SplitMix(seed: UInt64(seed))
        for _ in 0..<500 {
            let count = Int(rng.next() % 12)
            let bytes = (0..<count).map { _ -> UInt8 in
                // Mostly UTF-8 lead/continuation bytes so valid sequences occur often.
                let r = rng.next() % 4
                return r == 0 ? UInt8(0x20 + rng.next() % 0x5F) : UInt8(0x80 + rng.next() % 0x80)
            }
            let encoded = "v=" + bytes.map { String(format: "%%%02X", $0) }.joined()
            let result = FormFields.strictPairs(bytes: Array(encoded.utf8))
            if let text = String(validating: bytes, as: UTF8.self) {
                let pairs = try result.get()
                #expect(pairs.count == 1 && pairs[0].0 == "v" && pairs[0].1 == text)
                // Written back and read again: the same strings.
                let again = try FormFields.strictPairs(bytes: Array(FormFields.encoded(pairs).utf8)).get()
                #expect(again.map(\.1) == [text])
            } else {
                guard case .failure(let refused) = result else { Issue.record("accepted \(bytes)"); continue }
                #expect(refused.fields.map(\.field) == ["v"])
                let at = refused.fields[0].offset
                #expect(String(validating: bytes[..<at], as: UTF8.self) != nil)
                #expect(bytes[at] == refused.fields[0].byte)
            }
        }
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
