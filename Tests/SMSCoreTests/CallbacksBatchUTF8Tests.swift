import Foundation
import Testing
@testable import SMSCore

/// Issue 12: one byte that is not UTF-8 inside one item of a JSON callback batch refuses that item
/// alone, naming the field and the byte; the batch's items are found on the bytes before UTF-8 is
/// checked (``CallbackJSONReader`` in batch mode), and the refused item is kept as its exact bytes,
/// replayable (`docs/DOMAIN.md` §3 "Decisions").
@Suite("Callbacks: a byte that is not UTF-8 refuses its item, not the batch")
struct CallbacksBatchUTF8Tests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("generic: a batch of 3 whose item 2 holds 0xFF in its meta gives 2 items and 1 invalid item kept as its exact bytes")
    func genericThreeItems() throws {
        let body = Self.bytes(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000},{"meta":"m2"#) + [0xFF]
            + Self.bytes(#"","ts":1700000001},{"meta":"m3","ts":1700000002}]}]"#)
        let result = try GenericCallbackParser.parse(Data(body))
        #expect(result.items.map(\.meta) == ["m1", "m3"])
        #expect(result.items.map(\.ts) == [1_700_000_000, 1_700_000_002])
        #expect(result.invalid.count == 1)
        let bad = try #require(result.invalid.first)
        #expect(bad.reason == "meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)")
        #expect(bad.group == 0)
        #expect(bad.index == 1)
        #expect(bad.event == "delivered")
        #expect(bad.missingFields == [])
        let kept = Self.bytes(#"[{"event":"delivered","data":[{"meta":"m2"#) + [0xFF] + Self.bytes(#"","ts":1700000001}]}]"#)
        #expect(bad.raw == kept)
        #expect(CallbackDialect.storedRaw(bad, kind: .generic, fields: nil) == kept)

        // The stored bytes replay to the same refusal; corrected, they give the item.
        let again = try CallbackDialect.reparse(kept, kind: .generic, bodyKind: .json)
        #expect(again.items.isEmpty)
        #expect(again.invalid.map(\.reason) == [bad.reason])
        let fixed = try CallbackDialect.reparse(kept.map { $0 == 0xFF ? UInt8(ascii: "x") : $0 }, kind: .generic, bodyKind: .json)
        #expect(fixed.invalid.isEmpty)
        #expect(fixed.items.map(\.meta) == ["m2x"])
        // The same batch read as one answer: 400 naming item 1, 2 events processed.
        let answer = CallbackResponse.make(for: result, timestamp: 1)
        #expect(answer.status == 400)
        #expect(answer.body.contains(#"{"group":0,"index":1,"event":"delivered","reason":"meta is not valid UTF-8 (byte 0xFF at byte 2 of its value)","missing_fields":[]}"#))
        #expect(answer.body.hasSuffix(#""processed_events":2}}"#))
    }

    @Test("generic: every kind of bad sequence in an optional field is named with its first byte and offset", arguments: [
        ([0xFF], "0xFF"),  // a byte no UTF-8 sequence holds
        ([0xC0, 0xAF], "0xC0"),  // overlong "/"
        ([0xED, 0xA0, 0x80], "0xED"),  // a UTF-16 surrogate
        ([0xE2, 0x82], "0xE2"),  // a truncated sequence (the quote follows)
        ([0xE9], "0xE9"),  // Latin-1 é
    ] as [([UInt8], String)])
    func badSequences(sequence: [UInt8], shown: String) throws {
        let body = Self.bytes(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000,"description":"ok "#) + sequence
            + Self.bytes(#""},{"meta":"m2","ts":1700000000,"description":"é ok"}]}]"#)
        let result = try GenericCallbackParser.parse(Data(body))
        #expect(result.items.map(\.meta) == ["m2"])
        #expect(result.items.first?.description == "é ok")
        #expect(result.invalid.map(\.reason) == ["description is not valid UTF-8 (byte \(shown) at byte 3 of its value)"])
        #expect(result.invalid.first?.index == 0)
    }

    @Test("generic: a bad byte in a member name refuses the item naming the member; in the group's event, the whole group")
    func keysAndGroups() throws {
        let key = Self.bytes(#"[{"event":"delivered","data":[{"meta":"m1","ts":1700000000,"x"#) + [0xFF]
            + Self.bytes(#"":1},{"meta":"m2","ts":1700000000}]}]"#)
        let keyed = try GenericCallbackParser.parse(Data(key))
        #expect(keyed.items.map(\.meta) == ["m2"])
        #expect(keyed.invalid.map(\.reason) == ["x\u{FFFD} is not valid UTF-8 (byte 0xFF at byte 1 of its name)"])

        let group = Self.bytes(#"[{"event":"deliver"#) + [0xFF] + Self.bytes(#"","data":[{"meta":"m1","ts":1}]},{"event":"delivered","data":[{"meta":"m2","ts":1700000000}]}]"#)
        let grouped = try GenericCallbackParser.parse(Data(group))
        #expect(grouped.items.map(\.meta) == ["m2"])
        #expect(grouped.invalid.count == 1)
        #expect(grouped.invalid.first?.reason == "event is not valid UTF-8 (byte 0xFF at byte 7 of its value)")
        #expect(grouped.invalid.first?.group == 0)
        #expect(grouped.invalid.first?.index == nil)
        #expect(grouped.invalid.first?.raw == Self.bytes(#"[{"event":"deliver"#) + [0xFF] + Self.bytes(#"","data":[{"meta":"m1","ts":1}]}]"#))
    }

    @Test("a body that is not JSON and not UTF-8 is still refused whole as not UTF-8; a report of one object (Sinch, Vonage) too")
    func wholeBodies() {
        // The bad byte outside a string: no item boundary to find.
        #expect(throws: CallbackParseError.invalidUTF8) {
            try GenericCallbackParser.parse(Data(Self.bytes(#"[{"event":"delivered","data":[]}"#) + [0xFF] + Self.bytes("]")))
        }
        // A UTF-16 body.
        #expect(throws: CallbackParseError.invalidUTF8) {
            try GenericCallbackParser.parse(Data([0xFF, 0xFE] + Array("[]".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        }
        // A top-level element that is a string is no group, whatever its bytes.
        #expect(throws: CallbackParseError.groupNotAnObject(index: 0)) { try GenericCallbackParser.parse(Data([0x5B, 0x22, 0xFF, 0x22, 0x5D])) }
        #expect(throws: CallbackParseError.invalidUTF8) {
            try SinchCallback.parse(json: Data(Self.bytes(#"{"type":"recipient_delivery_report_sms","batch_id":"B"#) + [0xFF] + Self.bytes(#"","status":"Delivered"}"#)))
        }
    }

    @Test("Gupshup: a batch of 3 whose event 2 holds 0xFF gives 2 items and the event's own bytes")
    func gupshupThreeEvents() throws {
        let second = Self.bytes(#"{"externalId":"g2","eventType":"DELIVERED","eventTs":1700000000000,"cause":"x"#) + [0xFF] + Self.bytes(#""}"#)
        let body = Self.bytes(#"[{"externalId":"g1","eventType":"DELIVERED","eventTs":1700000000000},"#) + second
            + Self.bytes(#",{"externalId":"g3","eventType":"DELIVERED","eventTs":1700000000000}]"#)
        let result = try GupshupCallback.parse(json: Data(body))
        #expect(result.items.map(\.meta) == ["g1", "g3"])
        #expect(result.invalid.map(\.reason) == ["cause is not valid UTF-8 (byte 0xFF at byte 1 of its value)"])
        #expect(result.invalid.first?.index == 1)
        #expect(result.invalid.first?.raw == second)
        let stored = try #require(result.invalid.first.map { CallbackDialect.storedRaw($0, kind: .gupshup, fields: nil) })
        #expect(stored == second)
        #expect(try CallbackDialect.reparse(stored, kind: .gupshup, bodyKind: .json).invalid.map(\.reason)
            == ["cause is not valid UTF-8 (byte 0xFF at byte 1 of its value)"])
        let fixed = try CallbackDialect.reparse(stored.filter { $0 != 0xFF }, kind: .gupshup, bodyKind: .json)
        #expect(fixed.items.map(\.meta) == ["g2"])
    }

    // MARK: - The batch splitter against Foundation's reader

    /// Random JSON text: strings with escapes, brackets, commas and quotes inside, non-ASCII,
    /// numbers of every form, nesting, random white space between tokens.
    static func value(_ g: inout SplitMix64, depth: Int) -> String {
        let space = { (g: inout SplitMix64) -> String in ["", " ", "\n", "\t ", "\r\n  "].randomElement(using: &g)! }
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &g) {
        case 0: return ["true", "false", "null"].randomElement(using: &g)!
        case 1: return ["0", "-0", "17", "-42", "1.5", "-0.25e-3", "6.02E23", "1e2", "1700000000123"].randomElement(using: &g)!
        case 2, 3, 4:
            let parts = [#"a"#, #"\""#, #"\\"#, #"]"#, #"}"#, #","#, #"["#, #"{"#, #"\n"#, #"\u00e9"#, #"\ud83d\ude0e"#, "é", "😎", " ", #"\/"#, ":"]
            return "\"" + (0..<Int.random(in: 0...6, using: &g)).map { _ in parts.randomElement(using: &g)! }.joined() + "\""
        case 5:
            let n = Int.random(in: 0...3, using: &g)
            return "[" + space(&g) + (0..<n).map { _ in value(&g, depth: depth + 1) + space(&g) }.joined(separator: "," + space(&g)) + "]"
        default:
            let n = Int.random(in: 0...3, using: &g)
            let members = (0..<n).map { i in "\"k\(i)]\\\"\"" + space(&g) + ":" + space(&g) + value(&g, depth: depth + 1) }
            return "{" + space(&g) + members.joined(separator: space(&g) + "," + space(&g)) + space(&g) + "}"
        }
    }

    /// `value` as compact JSON with sorted keys (Foundation's reading of it, to compare).
    static func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
    }

    @Test("property: on 500 random valid arrays the batch reader's element bytes read (by JSONSerialization) as the elements JSONSerialization reads")
    func splitterAgreesWithFoundation() throws {
        var g = SplitMix64(seed: 12)
        for round in 0..<500 {
            let n = Int.random(in: 0...6, using: &g)
            let text = " [" + (0..<n).map { _ in " " + Self.value(&g, depth: 0) + "\n" }.joined(separator: ",") + "] "
            let bytes = Self.bytes(text)
            let whole = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [Any], "round \(round): \(text)")
            let (_, span, problems, _) = try CallbackJSONReader.readWithSpans(bytes, levels: 1, batch: true)
            #expect(problems.isEmpty, "round \(round): \(text)")
            #expect(span.elements.count == whole.count, "round \(round): \(text)")
            for (element, expected) in zip(span.elements, whole) {
                let alone = try JSONSerialization.jsonObject(with: Data(bytes[element.range]), options: .fragmentsAllowed)
                #expect(try Self.canonical(alone) == Self.canonical(expected), "round \(round): \(text)")
            }
        }
    }

    @Test("property: bad bytes in a string of element k leave every element's bytes where they were and refuse only [k] at the first bad byte")
    func badBytesStayInTheirElement() throws {
        var g = SplitMix64(seed: 7)
        let sequences: [[UInt8]] = [[0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]]
        for round in 0..<300 {
            let n = Int.random(in: 1...6, using: &g)
            let k = Int.random(in: 0..<n, using: &g)
            let bad = sequences.randomElement(using: &g)!
            var elements: [[UInt8]] = (0..<n).map { _ in Self.bytes(Self.value(&g, depth: 0)) }
            let head = Self.bytes(#"{"v":"# + Self.value(&g, depth: 1) + #","bad":"a\"]"#)
            elements[k] = head + bad + Self.bytes(#"}\"", "w":"# + Self.value(&g, depth: 1) + "}")
            var body = Self.bytes("[ ")
            var ranges: [Range<Int>] = []
            for (i, e) in elements.enumerated() {
                if i > 0 { body += Self.bytes(" ,\n") }
                ranges.append(body.count..<(body.count + e.count))
                body += e
            }
            body += Self.bytes("]")
            let (_, span, problems, _) = try CallbackJSONReader.readWithSpans(body, levels: 1, batch: true)
            #expect(span.elements.map(\.range) == ranges, "round \(round)")
            // The string's text is `a"]` then the bad bytes: the first bad byte is its byte 3.
            #expect(problems == [JSONValueProblem(
                kind: .invalidUTF8, path: [.index(k), .key("bad")],
                text: "byte 0x\(String(bad[0], radix: 16, uppercase: true)) at byte 3 of its value")], "round \(round)")
            // Without `batch` the body is refused whole (JSON text must be UTF-8).
            #expect(throws: CallbackParseError.invalidUTF8) { try CallbackJSONValue.decode(Data(body)) }
        }
    }
}
