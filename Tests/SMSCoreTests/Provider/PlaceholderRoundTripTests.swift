import Foundation
import SMSTestSupport
import Testing
@testable import SMSCore

/// Property: any value a `$$` placeholder puts into a provider request — a URL path segment, a URL
/// query field, a form field, a JSON string — reads back unchanged through the decoding the provider
/// applies there (Foundation's `URLComponents`, the WHATWG form decoding of ``FormFields``,
/// `JSONSerialization`; and Python's `urllib.parse` / `json` as an independent reference).
@Suite("Provider placeholders round-trip (property)")
struct PlaceholderRoundTripTests {
    static let pathTemplate = "https://api.example/v1/$$V/messages?x=1"
    static let queryTemplate = "https://api.example/v1/sms?a=1&v=$$V&b=2"
    static let formTemplate = "a=1&v=$$V&b=2"
    static let jsonTemplate = #"{"a":1,"v":"$$V"}"#

    /// Values that break naive escaping, then 600 random ones (seeded: the same run every time).
    static let values: [String] = {
        var fixed = [
            "", ".", "..", "...", "/", "a/b", "../x", "%", "%2F", "%zz", "+", " ", "a b+c", "?x=1&y=2", "#frag", "&", "=",
            ";", "~", "\\", "\"", "'", "\u{00}", "\u{1F}\u{7F}", "\r\n", "\u{2028}", "\u{FEFF}", "a\u{FEFF}b", "😎", "Grüße €", "ä/ö?ü#",
            "+4915112345678", "$$To", "{{x}}",
        ]
        var random = SplitMix64(seed: 0x5EED_16)
        for _ in 0..<600 { fixed.append(randomValue(&random)) }
        return fixed
    }()

    static func randomValue(_ random: inout SplitMix64) -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x7F...0xFF, 0x370...0x3FF, 0x2000...0x206F,
            0x4E00...0x4E40, 0xFE00...0xFFFD, 0x1F300...0x1F64F,
        ]
        let specials = Array("%+&=/?#.;:@ ~\\\"'[]".unicodeScalars)
        let length = Int(random.next() % 25)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            if random.next() % 4 == 0 {
                scalars.append(specials[Int(random.next() % UInt64(specials.count))])
                continue
            }
            let pool = pools[Int(random.next() % UInt64(pools.count))]
            let code = pool.lowerBound + UInt32(random.next() % UInt64(pool.upperBound - pool.lowerBound + 1))
            if let scalar = Unicode.Scalar(code) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    /// The four renderings of one value.
    struct Rendered: Codable {
        var path: String
        var query: String
        var form: String
        var json: String
    }

    static func render(_ value: String) throws -> Rendered {
        Rendered(
            path: try ProviderTemplate.renderURL(pathTemplate, values: ["V": value]),
            query: try ProviderTemplate.renderURL(queryTemplate, values: ["V": value]),
            form: try ProviderTemplate.render(formTemplate, values: ["V": value], context: .formField),
            json: try ProviderTemplate.render(jsonTemplate, values: ["V": value], context: .jsonString))
    }

    @Test("path segment, query field, form field and JSON string decode back to the value (Foundation, FormFields)")
    func foundationDecoding() throws {
        // Foundation's UTF-8 decoding drops a *leading* U+FEFF (byte order mark) of a decoded value
        // (URLComponents, JSONSerialization alike): a quirk of the decoder, not of the escaping;
        // such values are checked against Python's decoders below.
        for value in Self.values where !value.unicodeScalars.starts(with: ["\u{FEFF}"]) {
            let rendered = try Self.render(value)
            let path = try #require(URLComponents(string: rendered.path), "\(value.debugDescription): \(rendered.path)")
            let segments = path.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false)
            #expect(segments.count == 4, "a value added or removed a path segment: \(rendered.path)")
            #expect(segments.count == 4 && segments[2].removingPercentEncoding == value, "path: \(value.debugDescription) → \(rendered.path)")
            #expect(path.queryItems == [URLQueryItem(name: "x", value: "1")])

            let query = try #require(URLComponents(string: rendered.query), "\(value.debugDescription): \(rendered.query)")
            #expect(query.queryItems?.filter { $0.name == "v" }.map(\.value) == [value], "query: \(value.debugDescription) → \(rendered.query)")
            #expect(query.queryItems?.count == 3)
            #expect(FormFields.pairs(query.percentEncodedQuery ?? "").map(\.1) == ["1", value, "2"], "query as a form: \(rendered.query)")

            #expect(FormFields.pairs(rendered.form).map(\.0) == ["a", "v", "b"])
            #expect(FormFields.parse(rendered.form)["v"] == value, "form: \(value.debugDescription) → \(rendered.form)")

            let object = try JSONSerialization.jsonObject(with: Data(rendered.json.utf8)) as? [String: Any]
            #expect(object?["v"] as? String == value, "json: \(value.debugDescription) → \(rendered.json)")
            #expect(object?.count == 2)
        }
    }

    @Test("the same renderings decode back to the value with Python's urllib.parse and json",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func pythonDecoding() throws {
        _ = try ReferencePython.require()
        let rendered = try Self.values.map(Self.render)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("placeholders-\(UUID().uuidString).json")
        try JSONEncoder().encode(rendered).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try ReferencePython.run(script: "scripts/reference/placeholder_decode.py", arguments: [file.path])
        let decoded = try JSONDecoder().decode([[String: String?]].self, from: output)
        try #require(decoded.count == Self.values.count)
        for (value, places) in zip(Self.values, decoded) {
            for place in ["path", "query", "form", "json"] {
                #expect(places[place] == .some(value), "\(place): \(value.debugDescription)")
            }
        }
    }
}
