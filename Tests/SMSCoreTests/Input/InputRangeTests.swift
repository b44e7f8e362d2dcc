import Foundation
import Testing

@testable import SMSCore

@Suite("Input ranges: every numeric input checked at both edges")
struct InputRangeTests {
    /// Each rule with the last values inside and the first values outside, at both ends.
    static let table: [(name: String, range: InputRange, inside: [Double], outside: [Double])] = [
        ("variantPercent", InputLimits.variantPercent, [0.01, 100], [0, 0.009_999, 5e-324, 100.000_001, -1, 1e19, -1e19, 1e300]),
        ("controlGroupPercent", InputLimits.controlGroupPercent, [0, 0.01, 99.99], [-0.000_001, -0.01, 0.001, 5e-324, 99.999_999, 99.991, 100]),
        ("goalWindowMinutes", InputLimits.goalWindowMinutes, [1, 5_256_000], [0, 5_256_001, 1.5, 2e17, 1e19]),
        ("sendAtEpochSeconds", InputLimits.sendAtEpochSeconds, [1, 4_102_444_800], [0, 4_102_444_801, 4_611_686_018_427_387_904]),
        ("variantIndex", InputLimits.variantIndex, [0, 4], [-1, 5]),
        ("batchSize", InputLimits.batchSize, [1, 1000], [0, 1001, 1e300]),
        ("ratePerSecond", InputLimits.ratePerSecond, [0.001, 10_000], [0.000_999, 4.9e-324, 0, 10_000.000_1]),
        ("maxConcurrency", InputLimits.maxConcurrency, [1, 64], [0, 65]),
        ("epochSeconds", InputLimits.epochSeconds, [0, 4_102_444_800], [-0.5, 4_102_444_800.5]),
        ("epochMilliseconds", InputLimits.epochMilliseconds, [1_000_000_000_001, 4_102_444_800_000], [1_000_000_000_000, 4_102_444_800_001, 9.2e18, 1e19]),
        ("revenueMajorUnits", InputLimits.revenueMajorUnits, [-10_000_000_000, 10_000_000_000], [-10_000_000_000.01, 10_000_000_000.01, 1e300]),
        ("revenueMinorUnits", InputLimits.revenueMinorUnits, [-1_000_000_000_000, 1_000_000_000_000], [-1_000_000_000_001, 1_000_000_000_001]),
        ("listLimit", InputLimits.listLimit, [1, 1000], [0, 1001, -5]),
    ]

    @Test("each range holds its edges and refuses the values just beyond them")
    func edges() {
        for row in Self.table {
            for v in row.inside { #expect(row.range.contains(v), "\(row.name) should hold \(v)") }
            for v in row.outside { #expect(!row.range.contains(v), "\(row.name) should refuse \(v)") }
            #expect(!row.range.contains(Double.nan), "\(row.name) refuses NaN")
            #expect(!row.range.contains(Double.infinity), "\(row.name) refuses infinity")
        }
    }

    @Test("Int64 checks are exact at the ends and never trap")
    func int64Edges() {
        #expect(InputLimits.goalWindowMinutes.contains(Int64(5_256_000)))
        #expect(!InputLimits.goalWindowMinutes.contains(Int64(5_256_001)))
        #expect(!InputLimits.goalWindowMinutes.contains(Int64.max))
        #expect(!InputLimits.goalWindowMinutes.contains(Int64.min))
        #expect(InputLimits.sendAtEpochSeconds.int64(4_102_444_800) == 4_102_444_800)
        #expect(InputLimits.sendAtEpochSeconds.int64(1e19) == nil)
        #expect(InputLimits.sendAtEpochSeconds.int64(-1e19) == nil)
        #expect(InputLimits.batchSize.clamped(Int.max) == 1000)
        #expect(InputLimits.batchSize.clamped(Int.min) == 1)
        #expect(InputLimits.maxConcurrency.clamped(4) == 4)
    }

    @Test("messages name the field, the range and the refused value", arguments: [
        (InputLimits.variantPercent, "variants[0].percent", 1e19, "variants[0].percent must be a number from 0.01 to 100 percent (got 1e+19)"),
        (InputLimits.goalWindowMinutes, "goal.windowMinutes", 200_000_000_000_000_000, "goal.windowMinutes must be an integer from 1 to 5256000 minutes (got 200000000000000000)"),
        (InputLimits.controlGroupPercent, "controlGroupPercent", 100, "controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits (got 100)"),
        (InputLimits.controlGroupPercent, "controlGroupPercent", 5e-324, "controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits (got 5e-324)"),
        (InputLimits.batchSize, "batch.size", 1e300, "batch.size must be an integer from 1 to 1000 messages per request (got 1e+300)"),
        (InputLimits.sendAtEpochSeconds, "sendAt", 4_611_686_018_427_387_904, "sendAt must be an integer from 1 to 4102444800 epoch seconds (got 4611686018427387904)"),
    ])
    func messages(range: InputRange, field: String, value: Double, message: String) {
        #expect(range.problem(field: field, got: value) == message)
    }

    /// Issue 12 (a new user's findings): the control group is 0 or 0.01 to 99.99 with at most 2
    /// fraction digits (one rule: API, dashboard text, openapi.json).
    @Test("control group: 0, 0.01 … 99.99 in steps of 0.01; 5e-324, 0.001, 99.995, 99.9999999, 100 refused")
    func controlGroup() {
        let r = InputLimits.controlGroupPercent
        for ok in [0, 0.01, 0.07, 0.1, 5, 12.5, 33.33, 99.9, 99.99, -0.0] { #expect(r.contains(ok), "\(ok)") }
        for bad in [5e-324, 0.001, 0.005, 12.345, 99.995, 99.9999999, 100, -0.01, .nan, .infinity] { #expect(!r.contains(bad), "\(bad)") }
        #expect(r.description == "a number from 0 to 99.99 percent with at most 2 fraction digits")
    }

    @Test("fraction digits of the shortest decimal form", arguments: [
        (5.0, 0), (0.07, 2), (0.1 + 0.2, 17), (1e-05, 5), (1.5e-07, 8), (5e-324, 324), (-12.25, 2), (1e300, 0), (123456.789, 3),
    ])
    func fractionDigits(value: Double, digits: Int) {
        #expect(InputRange.fractionDigits(value) == digits)
    }

    @Test("property: k/100 for every k in 0…9999 has at most 2 fraction digits; k/1000 not a multiple of 10 has 3")
    func fractionDigitsProperty() {
        for k in 0...9_999 {
            #expect(InputRange.fractionDigits(Double(k) / 100) <= 2, "\(k)")
            #expect(InputLimits.controlGroupPercent.contains(Double(k) / 100), "\(k)")
            if k % 10 != 0 { #expect(InputRange.fractionDigits(Double(k) / 1000) == 3, "\(k)") }
        }
    }

    @Test("one limit rule: absent is 100, 1...1000 pass, anything else names the range")
    func listLimit() throws {
        #expect(try ListLimit.parse(nil) == 100)
        #expect(try ListLimit.parse("1") == 1)
        #expect(try ListLimit.parse("1000") == 1000)
        for bad in ["-5", "0", "1001", "abc", "1e3", "", "99999999999999999999"] {
            #expect(throws: InputRangeError(field: "limit", range: InputLimits.listLimit, gotText: bad)) { try ListLimit.parse(bad) }
        }
        #expect(InputRangeError(field: "limit", range: InputLimits.listLimit, gotText: "-5").message
            == "limit must be an integer from 1 to 1000 (got '-5')")
    }

    @Test("a JSON number of any size decodes and is refused by its range, naming the path")
    func decodingNamesThePath() throws {
        let body = #"{"name":"n","providerId":"p","audience":{"all":true},"variants":[{"body":"a","percent":1e19}]}"#
        #expect(throws: InputRangeError(field: "variants[0].percent", range: InputLimits.variantPercent, got: 1e19)) {
            try JSONDecoder().decode(CampaignDraft.self, from: Data(body.utf8))
        }
        let window = #"{"name":"n","providerId":"p","audience":{"all":true},"body":"b","goal":{"event":"e","windowMinutes":1e19}}"#
        #expect(throws: InputRangeError(field: "goal.windowMinutes", range: InputLimits.goalWindowMinutes, got: 1e19)) {
            try JSONDecoder().decode(CampaignDraft.self, from: Data(window.utf8))
        }
        let sendAt = #"{"name":"n","providerId":"p","audience":{"all":true},"body":"b","sendAt":4611686018427387904}"#
        #expect(throws: InputRangeError(field: "sendAt", range: InputLimits.sendAtEpochSeconds, got: 4_611_686_018_427_387_904)) {
            try JSONDecoder().decode(CampaignDraft.self, from: Data(sendAt.utf8))
        }
        let batch = #"{"key":"messages","size":1e300}"#
        #expect(throws: InputRangeError(field: "size", range: InputLimits.batchSize, got: 1e300)) {
            try JSONDecoder().decode(BatchConfig.self, from: Data(batch.utf8))
        }
    }

    @Test("property: any Int64 pair adds, subtracts and multiplies saturating, equal to the exact result when it fits")
    func saturating() {
        var rng = SplitMix64(seed: 12)
        let specials: [Int64] = [.min, .min + 1, -1, 0, 1, .max - 1, .max, 60, 5_256_000]
        for _ in 0..<2000 {
            let a = Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : Int64(bitPattern: rng.next())
            let b = Bool.random(using: &rng) ? specials.randomElement(using: &rng)! : Int64(bitPattern: rng.next())
            let (s, so) = a.addingReportingOverflow(b)
            #expect(a.saturatingAdding(b) == (so ? (b > 0 ? .max : .min) : s))
            let (d, dOverflow) = a.subtractingReportingOverflow(b)
            #expect(a.saturatingSubtracting(b) == (dOverflow ? (b > 0 ? .min : .max) : d))
            let (p, po) = a.multipliedReportingOverflow(by: b)
            let exact = Double(a) * Double(b)
            #expect(a.saturatingMultiplied(by: b) == (po ? (exact > 0 ? .max : .min) : p))
        }
    }
}
