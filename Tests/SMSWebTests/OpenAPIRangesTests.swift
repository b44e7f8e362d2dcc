import Foundation
import SMSCore
import Testing

@testable import SMSWeb

/// The contract documents exactly the ranges the server enforces (`InputLimits`, read by
/// `scripts/gen_openapi.py`): a changed range without a regenerated `openapi.json` fails here.
@Suite("openapi.json: minimum/maximum are the enforced InputLimits")
struct OpenAPIRangesTests {
    static func document() throws -> [String: Any] {
        let data = try Data(contentsOf: Resources.url("openapi.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The value at a `/`-separated path of object keys and array indices.
    static func at(_ path: String, in root: Any) -> Any? {
        var node: Any? = root
        for part in path.split(separator: "/").map(String.init) {
            if let i = Int(part), let array = node as? [Any] {
                node = i < array.count ? array[i] : nil
            } else {
                node = (node as? [String: Any])?[part]
            }
        }
        return node
    }

    static let schemas = "components/schemas"
    static let fields: [(path: String, range: InputRange)] = [
        ("\(schemas)/Variant/properties/percent", InputLimits.variantPercent),
        ("\(schemas)/CampaignInput/properties/controlGroupPercent", InputLimits.controlGroupPercent),
        ("\(schemas)/Goal/properties/windowMinutes", InputLimits.goalWindowMinutes),
        ("\(schemas)/SendAt/oneOf/0", InputLimits.sendAtEpochSeconds),
        ("\(schemas)/ProviderInput/properties/batch/properties/size", InputLimits.batchSize),
        ("\(schemas)/ProviderInput/properties/ratePerSecond", InputLimits.ratePerSecond),
        ("\(schemas)/ProviderInput/properties/maxConcurrency", InputLimits.maxConcurrency),
        ("\(schemas)/Event/properties/ts/oneOf/0", InputLimits.epochSeconds),
        ("\(schemas)/Event/properties/ts/oneOf/1", InputLimits.epochMilliseconds),
        ("\(schemas)/CallbackGroup/properties/data/items/properties/ts/oneOf/0", InputLimits.epochSeconds),
        ("\(schemas)/CallbackGroup/properties/data/items/properties/ts/oneOf/1", InputLimits.epochMilliseconds),
        ("\(schemas)/SegmentRule/properties/value/anyOf/1", InputLimits.propertyNumber),
        ("\(schemas)/SegmentRule/properties/value/anyOf/3/items/anyOf/1", InputLimits.propertyNumber),
    ]

    @Test("each numeric field's schema has the enforced type, bounds and exclusivity")
    func fieldRanges() throws {
        let doc = try Self.document()
        for (path, range) in Self.fields {
            let schema = try #require(Self.at(path, in: doc) as? [String: Any], "\(path) missing")
            #expect(schema["type"] as? String == (range.kind == .integer ? "integer" : "number"), "\(path)")
            #expect((schema["minimum"] as? NSNumber)?.doubleValue == range.minimum, "\(path) minimum")
            #expect((schema["maximum"] as? NSNumber)?.doubleValue == range.maximum, "\(path) maximum")
            #expect((schema["exclusiveMinimum"] as? Bool ?? false) == range.excludingMinimum, "\(path) exclusiveMinimum")
            #expect((schema["exclusiveMaximum"] as? Bool ?? false) == range.excludingMaximum, "\(path) exclusiveMaximum")
        }
    }

    @Test("every limit parameter of every list has the one limit rule; every variant parameter the variant range")
    func queryParameters() throws {
        let doc = try Self.document()
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var limits = 0, variants = 0, minSents = 0
        for (path, methods) in paths {
            for (_, operation) in methods {
                for parameter in ((operation as? [String: Any])?["parameters"] as? [[String: Any]]) ?? [] {
                    let schema = parameter["schema"] as? [String: Any] ?? [:]
                    let range: InputRange
                    switch parameter["name"] as? String {
                    case "limit":
                        range = InputLimits.listLimit
                        limits += 1
                        #expect((schema["default"] as? NSNumber)?.intValue == InputLimits.listLimitDefault, "\(path)")
                    case "variant":
                        range = InputLimits.variantIndex
                        variants += 1
                    case "minSent":
                        range = InputLimits.overviewMinSent
                        minSents += 1
                        #expect((schema["default"] as? NSNumber)?.intValue == InputLimits.overviewMinSentDefault, "\(path)")
                    default: continue
                    }
                    #expect(schema["type"] as? String == "integer", "\(path)")
                    #expect((schema["minimum"] as? NSNumber)?.doubleValue == range.minimum, "\(path)")
                    #expect((schema["maximum"] as? NSNumber)?.doubleValue == range.maximum, "\(path)")
                }
            }
        }
        #expect(limits == 9)  // campaigns, ingestion errors, unmatched callbacks, click hits, dead letters, profiles, message log, message lookup, webhook events
        #expect(variants == 9)  // trend, funnel, links, errors, latency and its CSV, message log and its CSV and NDJSON export
        #expect(minSents == 1)  // the overview (issue 18)
    }
}
