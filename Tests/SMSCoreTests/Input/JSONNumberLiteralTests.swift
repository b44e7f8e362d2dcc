import Foundation
import Testing
@testable import SMSCore

/// Numbers a free-form value (properties, a segment rule's value) cannot hold as written
/// (``JSONNumberLiteral/heldAsWritten(_:as:)``, ``JSONValueProblem/Kind/integerBeyondExact``), and
/// the range of the numbers it may hold (``PropertyNumber``, ``InputLimits/propertyNumber``).
@Suite("JSON numbers a double does not hold as written")
struct JSONNumberLiteralTests {
    struct Free: Decodable { var v: JSONValue }

    static func decode(_ json: String, _ mode: JSONBody.InexactNumbers = .refused) throws -> JSONValue {
        try JSONBody.read(Data(json.utf8)).decode(Free.self, inexactNumbers: mode).v
    }

    /// The message of the refusal, with its field path, or `nil` when the value is taken.
    static func refusal(_ json: String) -> String? {
        do {
            _ = try decode(json)
            return nil
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error else { return "\(error)" }
            return FieldPath.text(context.codingPath) + " " + context.debugDescription
        } catch {
            return "\(error)"
        }
    }

    @Test("held as written: the literal and the double's shortest form have the same digits", arguments: [
        ("0.1", true), ("1.10", true), ("1E2", true), ("100", true), ("-0", true), ("-0.0", true), ("0e5", true),
        ("1e20", true), ("1e300", true), ("5e-324", true), ("9007199254740992", true), ("9007199254740992.0", true),
        ("0.30000000000000004", true), ("123456789012345", true),
        ("9007199254740993", false), ("123456789012345678901234567890", false), ("9007199254740991.5", false),
        ("0.12345678901234567891", false), ("1.2e-323", false), ("-12345678901234567890.5", false),
    ])
    func held(text: String, held: Bool) throws {
        let value = try #require(Double(text))
        #expect(JSONNumberLiteral.heldAsWritten(text, as: value) == held, "\(text)")
    }

    @Test("property: every finite double's shortest form is held; one more nonzero digit past 17 is not")
    func heldProperty() {
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<5_000 {
            let d = Double(bitPattern: rng.next())
            guard d.isFinite else { continue }
            let text = "\(d)".replacingOccurrences(of: "e+", with: "e")
            #expect(JSONNumberLiteral.heldAsWritten(text, as: d), "\(text)")
            // 18 significant digits ending in a nonzero digit: no double's shortest form (at most 17).
            guard d.isNormal, let mantissa = text.split(separator: "e").first else { continue }
            var digits = String(mantissa)
            if !digits.contains(".") { digits += "." }
            let significant = digits.filter(\.isNumber).drop { $0 == "0" }.count
            digits += String(repeating: "0", count: max(0, 17 - significant)) + "7"
            let longer = digits + (text.contains("e") ? "e" + text.split(separator: "e")[1] : "")
            let read = Double(longer) ?? .nan
            #expect(!JSONNumberLiteral.heldAsWritten(longer, as: read), "\(longer)")
        }
    }

    @Test("the tester's integer: properties.n 123456789012345678901234567890 is refused naming the field and the range")
    func testerInteger() throws {
        #expect(Self.refusal(#"{"v":{"n":123456789012345678901234567890}}"#)
            == "v.n must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string (got 123456789012345678901234567890)")
        // Nested in arrays and objects, the path names it; the first in key order.
        #expect(Self.refusal(#"{"v":{"b":[1,{"c":[2,-123456789012345678901]}],"a":0.5}}"#)
            == "v.b[1].c[1] must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string (got -123456789012345678901)")
        #expect(Self.refusal(#"{"v":[9007199254740991.5]}"#)
            == "v[0] must be a number a double holds as written (at most 17 significant digits): it would be kept as 9007199254740992; send it as a string (got 9007199254740991.5)")
        // Taken: 2^53, -0 (as 0), exponents a double holds (the range is the caller's, PropertyNumber).
        #expect(Self.refusal(#"{"v":[9007199254740992,-9007199254740992,-0,1e20,0.1,1E2]}"#) == nil)
        #expect(try Self.decode(#"{"v":[-0,-0.0,1E2]}"#) == .array([.number(0), .number(0), .number(100)]))
    }

    @Test("beyond a double (1E400) and below it (1e-400) stay the reader's problems, named by path")
    func beyondDouble() throws {
        let body = try JSONBody.read(Data(#"{"v":{"a":[1E400],"b":1e-400}}"#.utf8))
        #expect(body.problems.map { $0.message(field: $0.field()) } == [
            "v.a[0] is beyond the range of a number, ±1.8e308 (got '1E400')",
            "v.b must be 0 or a number from 4.9e-324 to 1.8e308 in magnitude: a nonzero number closer to 0 would be read as 0 (got '1e-400')",
        ])
    }

    @Test("events: kept as text, every digit; other numbers unchanged")
    func keptAsText() throws {
        let value = try Self.decode(
            #"{"v":{"orderId":123456789012345678901234567890,"n":9007199254740993,"x":[0.12345678901234567891,2],"ok":49.99}}"#, .keptAsText(under: ["v"]))
        #expect(value == .object([
            "orderId": .string("123456789012345678901234567890"), "n": .string("9007199254740993"),
            "x": .array([.string("0.12345678901234567891"), .number(2)]), "ok": .number(49.99),
        ]))
    }

    @Test("range: a property number or segment value beyond ±2^53 names its path", arguments: [
        (JSONValue.number(1e300), "properties must be a number from -9007199254740992 to 9007199254740992 (got 1e+300)"),
        (.object(["a": .array([.number(1), .number(-1e20)])]), "properties.a[1] must be a number from -9007199254740992 to 9007199254740992 (got -1e+20)"),
        (.number(9_007_199_254_740_992), nil), (.number(-9_007_199_254_740_992), nil), (.string("1e300"), nil), (.number(0.5), nil),
    ] as [(JSONValue, String?)])
    func range(value: JSONValue, problem: String?) {
        #expect(PropertyNumber.problem(in: value, path: "properties") == problem)
    }

    @Test("a goal filter's equality: numeric text compares as a number only when a double holds it as written")
    func filterEquality() {
        let id = "123456789012345678901234567890"
        #expect(!PropertyFilter(property: "orderId", op: .equals, value: .string(String(id.dropLast()) + "1")).matches(.string(id)))
        #expect(PropertyFilter(property: "orderId", op: .equals, value: .string(id)).matches(.string(id)))
        #expect(!PropertyFilter(property: "n", op: .equals, value: .string("9007199254740993")).matches(.number(9_007_199_254_740_992)))
        #expect(PropertyFilter(property: "amount", op: .equals, value: .string("49.99")).matches(.number(49.99)))
        #expect(PropertyFilter(property: "amount", op: .equals, value: .number(50)).matches(.string("50.0")))
    }
}
