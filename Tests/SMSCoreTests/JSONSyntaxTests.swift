import Foundation
import Testing
@testable import SMSCore

/// ``JSONSyntax/problem(in:)``: the callback route's wording of a broken JSON body, for other routes.
@Suite("JSON syntax problem description")
struct JSONSyntaxTests {
    @Test("a broken body is described with the byte offset; valid JSON gives nil", arguments: [
        ("[{", "unexpected end of input, expected a member name string at byte 2"),
        (#"[{"eventId""#, "unexpected end of input, expected ':' at byte 11"),
        (#"[{"eventId":"e1""#, "unexpected end of input, expected ',' or '}' at byte 16"),
        ("", "the body is empty: expected a JSON value"),
        ("  \n", "the body holds no JSON value, only 3 bytes of white space: expected a JSON value"),
        (" ", "the body holds no JSON value, only 1 byte of white space: expected a JSON value"),
        ("\u{FEFF}", "the body is empty: expected a JSON value"),
        ("\u{FEFF}\u{FEFF}1", "unexpected character '0xEF', expected a value at byte 3"),
    ])
    func describesBrokenBodies(body: String, problem: String) {
        #expect(JSONSyntax.problem(in: Data(body.utf8)) == problem)
    }

    @Test func validJSONOfAnyShapeHasNoProblem() {
        for body in ["[]", #"{"eventId":"x"}"#, "42", #"[{"a":[1,2,{"b":null}]}]"#] {
            #expect(JSONSyntax.problem(in: Data(body.utf8)) == nil, "\(body)")
        }
    }

    @Test func invalidUTF8IsNamed() {
        #expect(JSONSyntax.problem(in: Data([0x5B, 0xFF, 0x5D])) == "the body is not valid UTF-8")
    }

    /// The same reason the callback route puts after "the callback body is not valid JSON: ".
    @Test func theReasonIsTheCallbackParsersReason() {
        let body = Data("[{".utf8)
        #expect(throws: CallbackParseError.malformedJSON("unexpected end of input, expected a member name string at byte 2")) {
            try GenericCallbackParser.parse(body)
        }
        #expect(JSONSyntax.problem(in: body) == "unexpected end of input, expected a member name string at byte 2")
    }
}

/// ``JSONValue/init(json:)``: event bodies read with the same strict reader as callbacks.
@Suite("JSONValue from a request body")
struct JSONValueReadTests {
    /// Found by the json fuzzer: Foundation's JSONDecoder refuses `0e3` (not `0E0` or `1e3`).
    @Test func numbersFoundationsDecoderRefusesAreRead() throws {
        #expect(try JSONValue(json: Data("[0e3, 0E0, 1e3, -0, 12345678901234567890]".utf8))
            == .array([.number(0), .number(0), .number(1000), .number(0), .number(12_345_678_901_234_567_890)]))
    }

    @Test func shapesAreKept() throws {
        #expect(try JSONValue(json: Data(#"{"a":[true,null,"x",1.5],"b":{}}"#.utf8))
            == .object(["a": .array([.bool(true), .null, .string("x"), .number(1.5)]), "b": .object([:])]))
    }

    @Test func aBrokenBodyThrowsTheSameReasonAsJSONSyntax() {
        #expect(throws: CallbackParseError.malformedJSON("unexpected end of input, expected a member name string at byte 2")) {
            try JSONValue(json: Data("[{".utf8))
        }
        #expect(throws: CallbackParseError.invalidUTF8) { try JSONValue(json: Data([0x5B, 0xFF, 0x5D])) }
    }
}
