import Foundation
import Testing

@testable import SMSCore

@Suite("ts of callbacks and events: one rule, 1970 to 2100")
struct EpochTimestampTests {
    static let range = "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000"

    @Test("numbers, integers and numeric strings read the same at the edges")
    func edges() throws {
        #expect(try EpochTimestamp.seconds(0.0).get() == 0)
        #expect(try EpochTimestamp.seconds(4_102_444_799.9).get() == 4_102_444_799)
        #expect(try EpochTimestamp.seconds(4_102_444_800.0).get() == 4_102_444_800)
        #expect(try EpochTimestamp.seconds(Int64(4_102_444_800)).get() == 4_102_444_800)
        #expect(try EpochTimestamp.seconds(Int64(1_000_000_000_001)).get() == 1_000_000_000)
        #expect(try EpochTimestamp.seconds(Int64(4_102_444_800_000)).get() == 4_102_444_800)
        #expect(try EpochTimestamp.seconds(text: "1700000000").get() == 1_700_000_000)
        #expect(try EpochTimestamp.seconds(text: "1700000000123").get() == 1_700_000_000)
        #expect(try EpochTimestamp.seconds(text: "-0").get() == 0)
    }

    @Test("numeric text is strict, as openapi.json's pattern: no spaces, no + sign", arguments: [
        " 1700000000", "1700000000 ", " 1700000000123 ", "+1700000000", "\t1700000000", "1700000000\n", "١٧٠٠٠٠٠٠٠٠", "",
    ])
    func strictText(text: String) {
        #expect(EpochTimestamp.seconds(text: text) == .failure(.init(
            message: "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '\(text)')")))
    }

    @Test("9.2e18, 1e19, negatives and the gap between the ranges are refused naming both ranges", arguments: [
        (9.2e18, "9.2e+18"), (1e19, "1e+19"), (-5, "-5"), (4_102_444_801, "4102444801"), (1e12, "1000000000000"),
        (4_102_444_800_001, "4102444800001"),
    ])
    func refused(value: Double, shown: String) {
        #expect(EpochTimestamp.seconds(value) == .failure(.init(message: Self.range + " (got \(shown))")))
    }

    @Test("integers out of range are refused exactly (Int64.max, Int64.min)")
    func integerExtremes() {
        #expect(EpochTimestamp.seconds(Int64.max) == .failure(.init(message: Self.range + " (got 9223372036854775807)")))
        #expect(EpochTimestamp.seconds(Int64.min) == .failure(.init(message: Self.range + " (got -9223372036854775808)")))
        #expect(EpochTimestamp.seconds(text: "99999999999999999999") == .failure(.init(message: Self.range + " (got '99999999999999999999')")))
        #expect(EpochTimestamp.seconds(text: "1e20") == .failure(.init(message: Self.range + " (got '1e20')")))
        #expect(EpochTimestamp.seconds(1e20, literal: "100000000000000000000") == .failure(.init(message: Self.range + " (got '100000000000000000000')")))
        #expect(EpochTimestamp.seconds(text: "abc") == .failure(.init(message: "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got 'abc')")))
    }

    @Test("generic callback: ts 9.2e18 and 1e19 are invalid items, a numeric string is read")
    func genericCallback() throws {
        // Echoed as written (issue 12): never the Double's `9.2e+18`.
        for (ts, shown) in [("9.2e18", "'9.2e18'"), ("1e19", "'1e19'"), ("9200000000000000000", "9200000000000000000"),
                            ("9223372036854775808", "'9223372036854775808'"), ("1E+19", "'1E+19'"), (#""1e19""#, "'1e19'")] {
            let body = #"[{"event":"delivered","data":[{"meta":"m1","ts":\#(ts)}]}]"#
            let result = try GenericCallbackParser.parse(Data(body.utf8))
            #expect(result.items == [])
            #expect(result.invalid.map(\.reason) == [Self.range + " (got \(shown))"])
        }
        let quoted = try GenericCallbackParser.parse(Data(#"[{"event":"delivered","data":[{"meta":"m1","ts":"1700000000"}]}]"#.utf8))
        #expect(quoted.items.map(\.ts) == [1_700_000_000])
    }
}
