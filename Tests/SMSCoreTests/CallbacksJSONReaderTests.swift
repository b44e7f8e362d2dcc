import Foundation
import Testing
@testable import SMSCore

/// Strict JSON reading and canonical re-serialisation used by every JSON callback dialect.
@Suite("Callback JSON reader")
struct CallbacksJSONReaderTests {
    private func read(_ text: String) throws(CallbackParseError) -> CallbackJSONValue {
        try CallbackJSONValue.decode(Data(text.utf8))
    }

    @Test("values keep integers exact and apart from doubles and booleans")
    func valueKinds() throws {
        #expect(try read(#"[1700000000123, 1.5, -0, 1e3, true, false, null, "s", 12345678901234567890]"#) == .array([
            .integer(1_700_000_000_123), .double(1.5), .integer(0), .double(1000), .bool(true), .bool(false), .null,
            .string("s"), .double(12_345_678_901_234_567_168),
        ]))
    }

    @Test("escapes and surrogate pairs decode to the right characters")
    func escapes() throws {
        #expect(try read(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude0e""#) == .string("a\"b\\c/d\u{08}\u{0C}\n\r\té😎"))
    }

    @Test("a repeated key, a number beyond a double and one that underflows to 0 are value problems with their paths, not syntax failures")
    func valueProblems() throws {
        let (value, _, _, problems, _) = try CallbackJSONValue.decodeWithSpans(
            Data(#"[{"a":1,"b":{"c":1e309,"a":2,"a":3}},{"a":1,"a":2},-1E400, 1e-400]"#.utf8), levels: 0)
        #expect(problems == [
            JSONValueProblem(kind: .numberBeyondDouble, path: [.index(0), .key("b"), .key("c")], text: "1e309"),
            JSONValueProblem(kind: .repeatedKey, path: [.index(0), .key("b"), .key("a")], text: "a"),
            JSONValueProblem(kind: .repeatedKey, path: [.index(1), .key("a")], text: "a"),
            JSONValueProblem(kind: .numberBeyondDouble, path: [.index(2)], text: "-1E400"),
            JSONValueProblem(kind: .numberBelowDouble, path: [.index(3)], text: "1e-400"),
        ])
        #expect(problems.map { $0.field() } == ["[0].b.c", "[0].b.a", "[1].a", "[2]", "[3]"])
        guard case .array(let items) = value else { Issue.record("not an array"); return }
        #expect(items[2] == .double(-Double.greatestFiniteMagnitude))
        #expect(items[3] == .double(0))
        // 0 written any way is no problem, nor is the smallest Double; -0.0 reads as 0.
        let zeros = try CallbackJSONValue.decodeWithSpans(Data("[0, 0.0, -0.0, 0e-400, 0.000e5, 5e-324]".utf8), levels: 0)
        #expect(zeros.problems.isEmpty)
        #expect(zeros.value == .array([.integer(0), .double(0), .double(0), .double(0), .double(0), .double(5e-324)]))
        if case .array(let z) = zeros.value, case .double(let d) = z[2] { #expect(d.sign == .plus) }
        #expect(JSONValueProblem.messages(problems, under: [.index(0)]) == [
            "b.c is beyond the range of a number, ±1.8e308 (got '1e309')",
            "b.a is given more than once: each key may appear once in an object",
        ])
        #expect(JSONValueProblem.messages(problems, under: [.index(2)], whole: "item") == [
            "item is beyond the range of a number, ±1.8e308 (got '-1E400')",
        ])
    }

    @Test("non-standard JSON is refused with the byte offset", arguments: [
        ("[1,]", "trailing comma in array at byte 3"),
        (#"{"a":1,}"#, "trailing comma in object at byte 7"),
        ("[01]", "leading zeros are not allowed in numbers at byte 2"),
        (#"["\ud800"]"#, "unpaired UTF-16 surrogate in \\u escape at byte 8"),
        (#"["\udc00"]"#, "unpaired UTF-16 surrogate in \\u escape at byte 8"),
        ("[NaN]", "unexpected character 'N', expected a value at byte 1"),
        ("{'a':1}", "unexpected character ''', expected a member name string at byte 1"),
        (#"["a"#, "unterminated string at byte 3"),
        ("[\"\u{01}\"]", "unescaped control character in string at byte 2"),
        (#"["\x"]"#, "invalid escape '\\x' in string at byte 3"),
        ("[1] [2]", "unexpected data after the JSON value at byte 4"),
        ("[tru]", "unexpected character 't', expected a value at byte 1"),
        ("[1.]", "expected a digit after '.' at byte 3"),
        ("[-]", "expected a digit at byte 2"),
        ("[1 2]", "unexpected character '2', expected ',' or ']' at byte 3"),
        ("[", "unexpected end of input, expected a value at byte 1"),
    ])
    func strictness(text: String, message: String) {
        #expect(throws: CallbackParseError.malformedJSON(message)) { try read(text) }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: CallbackJSONReader.maxDepth) + String(repeating: "]", count: CallbackJSONReader.maxDepth)
        _ = try read(ok)
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: CallbackParseError.malformedJSON("nesting deeper than 128 levels at byte 128")) { try read(deep) }
    }

    @Test("canonical JSON sorts keys by bytes, escapes control characters and keeps non-ASCII")
    func canonicalJSON() throws {
        let value = try read(#"{"b":[1,2.5,"x\u0001"],"B":null,"a":{"é":true,"e":"\n"}}"#)
        #expect(value.canonicalJSON == #"{"B":null,"a":{"e":"\n","é":true},"b":[1,2.5,"x\u0001"]}"#)
        #expect(try read(value.canonicalJSON) == value)
    }
}
