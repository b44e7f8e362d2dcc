import Foundation
import Testing
@testable import SMSCore

/// The one strict decoder of admin bodies (``JSONBody/decode(_:)``, ``JSONBodyDecoder``): the same
/// values as Foundation's `JSONDecoder` for bodies it takes, every unknown key refused by its path,
/// integers exact.
@Suite("JSONBody.decode: the strict decoder")
struct JSONBodyDecoderTests {
    struct Inner: Codable, Equatable {
        var a: Int?
        var b: String?
        var c: [Double]?
    }

    struct Outer: Codable, Equatable {
        var id: Int64
        var name: String?
        var flag: Bool?
        var inner: Inner?
        var items: [Inner]?
        var props: [String: JSONValue]?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONBody.read(Data(json.utf8)).decode(type)
    }

    static func randomInner(_ rng: inout SplitMix64) -> Inner {
        Inner(
            a: rng.next() % 2 == 0 ? Int(truncatingIfNeeded: rng.next()) : nil,
            b: rng.next() % 2 == 0 ? "s\(rng.next() % 1000)é\"\\" : nil,
            c: rng.next() % 2 == 0 ? (0..<Int(rng.next() % 4)).map { _ in Double(Int64(truncatingIfNeeded: rng.next()) % 1_000_000) / 64 } : nil)
    }

    static func randomOuter(_ rng: inout SplitMix64) -> Outer {
        var props: [String: JSONValue]?
        if rng.next() % 2 == 0 {
            props = [:]
            for i in 0..<Int(rng.next() % 4) { props?["k\(i)_\(rng.next() % 100)"] = [.string("v"), .number(1.5), .bool(true), .null][Int(rng.next() % 4)] }
        }
        return Outer(
            id: Int64(truncatingIfNeeded: rng.next()),
            name: rng.next() % 2 == 0 ? "n\(rng.next() % 100)" : nil,
            flag: rng.next() % 3 == 0 ? nil : rng.next() % 2 == 0,
            inner: rng.next() % 2 == 0 ? randomInner(&rng) : nil,
            items: rng.next() % 2 == 0 ? (0..<Int(rng.next() % 4)).map { _ in randomInner(&rng) } : nil,
            props: props)
    }

    @Test("property: a body Foundation encodes decodes to the same value as JSONDecoder; one unknown key anywhere is refused by its path")
    func agreesWithFoundation() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<400 {
            let value = Self.randomOuter(&rng)
            let data = try JSONEncoder().encode(value)
            let strict = try JSONBody.read(data).decode(Outer.self)
            #expect(strict == value)
            #expect(strict == (try JSONDecoder().decode(Outer.self, from: data)))

            // One unknown key added to the root, the inner object or one item (never to props,
            // whose keys are free-form).
            var tree = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let key = "zz\(rng.next() % 1000)"
            var path = key
            switch rng.next() % 3 {
            case 0 where tree["inner"] is [String: Any]:
                var inner = tree["inner"] as? [String: Any] ?? [:]
                inner[key] = 1
                tree["inner"] = inner
                path = "inner." + key
            case 1 where (tree["items"] as? [[String: Any]])?.isEmpty == false:
                var items = tree["items"] as? [[String: Any]] ?? []
                let i = Int(rng.next() % UInt64(items.count))
                items[i][key] = NSNull()
                tree["items"] = items
                path = "items[\(i)]." + key
            default:
                tree[key] = "x"
            }
            let withKey = try JSONSerialization.data(withJSONObject: tree)
            let error = #expect(throws: JSONBody.UnknownField.self) { try JSONBody.read(withKey).decode(Outer.self) }
            #expect(error.map { JSONPathStep.text($0.path) } == path, "\(String(decoding: withKey, as: UTF8.self))")
            // Foundation's decoder drops the key silently: the reason for the strict one.
            #expect(try JSONDecoder().decode(Outer.self, from: withKey) == value)
        }
    }

    @Test("the message names the key, its object and the fields that object takes")
    func messages() throws {
        let cases: [(String, String)] = [
            (#"{"id":1,"nmae":"x"}"#, "unknown field 'nmae': the fields are flag, id, inner, items, name, props"),
            (#"{"id":1,"inner":{"a":1,"d":2}}"#, "unknown field 'inner.d': the fields of inner are a, b, c"),
            (#"{"id":1,"items":[{},{"e":null}]}"#, "unknown field 'items[1].e': the fields of items[1] are a, b, c"),
        ]
        for (json, expected) in cases {
            let error = #expect(throws: JSONBody.UnknownField.self, "\(json)") { try Self.decode(Outer.self, json) }
            #expect(error?.message == expected)
        }
        struct Empty: Decodable {
            enum K: CodingKey {}
            init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: K.self) }
        }
        let error = #expect(throws: JSONBody.UnknownField.self) { try Self.decode(Empty.self, #"{"x":1}"#) }
        #expect(error?.message == "unknown field 'x': the body takes no fields")
        // Free-form values take every key.
        #expect(try Self.decode(Outer.self, #"{"id":1,"props":{"any":{"deep":[1]}}}"#).props == ["any": .object(["deep": .array([.number(1)])])])
    }

    @Test("integers: exact, at both edges of their type; a fraction or a value beyond the type names the range")
    func integers() throws {
        struct I8: Decodable { var v: Int8 }
        struct I64: Decodable { var v: Int64 }
        struct Free: Decodable { var v: JSONValue }
        #expect(try Self.decode(I8.self, #"{"v":127}"#).v == 127)
        #expect(try Self.decode(I8.self, #"{"v":-128}"#).v == -128)
        #expect(try Self.decode(I8.self, #"{"v":5.0}"#).v == 5)
        #expect(try Self.decode(I8.self, #"{"v":1e2}"#).v == 100)
        for (json, got) in [(#"{"v":128}"#, "128"), (#"{"v":-129}"#, "-129"), (#"{"v":1.5}"#, "1.5"), (#"{"v":1e300}"#, "'1e300'"), (#"{"v":9223372036854775808}"#, "'9223372036854775808'")] {
            do {
                _ = try Self.decode(I8.self, json)
                Issue.record("\(json) was taken")
            } catch DecodingError.dataCorrupted(let context) {
                #expect(context.debugDescription == "must be a whole number from -128 to 127 (got \(got))")
                #expect(context.codingPath.map(\.stringValue) == ["v"])
            }
        }
        // Every digit of an Int64, beyond 2^53 too (Foundation's Double path would round).
        #expect(try Self.decode(I64.self, #"{"v":9007199254740993}"#).v == 9_007_199_254_740_993)
        #expect(try Self.decode(I64.self, #"{"v":9223372036854775807}"#).v == .max)
        #expect(try Self.decode(I64.self, #"{"v":-9223372036854775808}"#).v == .min)
        // A free-form value holds numbers as Double: an integer beyond ±2^53 would change, so it is refused.
        #expect(try Self.decode(Free.self, #"{"v":9007199254740992}"#).v == .number(9_007_199_254_740_992))
        #expect(try Self.decode(Free.self, #"{"v":-9007199254740992}"#).v == .number(-9_007_199_254_740_992))
        do {
            _ = try Self.decode(Free.self, #"{"v":{"a":[1,9007199254740993]}}"#)
            Issue.record("taken")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(FieldPath.text(context.codingPath) == "v.a[1]")
            #expect(context.debugDescription.hasSuffix("(got 9007199254740993)"))
        }
    }

    @Test("types: a string is not a number, a number not a bool; null is a missing value for a required field")
    func types() throws {
        struct S: Decodable { var v: String }
        struct B: Decodable { var v: Bool }
        #expect(throws: DecodingError.self) { try Self.decode(S.self, #"{"v":1}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(B.self, #"{"v":1}"#) }
        do {
            _ = try Self.decode(S.self, #"{"v":null}"#)
            Issue.record("taken")
        } catch DecodingError.valueNotFound(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["v"])
        }
        do {
            _ = try Self.decode(S.self, #"{}"#)
            Issue.record("taken")
        } catch DecodingError.keyNotFound(let key, _) {
            #expect(key.stringValue == "v")
        }
        #expect(try Self.decode([Int?].self, "[1,null,3]") == [1, nil, 3])
    }
}
