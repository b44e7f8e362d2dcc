import Foundation
import Testing

@testable import SMSCore

@Suite("sendAt resolution")
struct SendTimeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: SendTimeInput
        let zone: String
        let epoch: Int64
        var testDescription: String { "\(input) in \(zone)" }
    }

    static let cases: [Case] = [
        // 2025-06-01T09:00 in Berlin (CEST, +02:00) = 07:00Z.
        Case(input: .text("2025-06-01T09:00:00"), zone: "Europe/Berlin", epoch: 1_748_761_200),
        Case(input: .text("2025-06-01T09:00"), zone: "Europe/Berlin", epoch: 1_748_761_200),
        Case(input: .text("2025-06-01 09:00"), zone: "Europe/Berlin", epoch: 1_748_761_200),
        // Winter: +01:00.
        Case(input: .text("2025-01-15T09:00:00"), zone: "Europe/Berlin", epoch: 1_736_928_000),
        // +05:30 and +05:45 zones.
        Case(input: .text("2025-06-01T09:00:00"), zone: "Asia/Kolkata", epoch: 1_748_748_600),
        Case(input: .text("2025-06-01T09:00:00"), zone: "Asia/Kathmandu", epoch: 1_748_747_700),
        // DST end in Berlin (2025-10-26 03:00 → 02:00): 02:30 happens twice; the earlier (CEST) wins.
        Case(input: .text("2025-10-26T02:30:00"), zone: "Europe/Berlin", epoch: 1_761_438_600),
        // Absolute forms ignore the zone.
        Case(input: .text("2025-06-01T07:00:00Z"), zone: "Europe/Berlin", epoch: 1_748_761_200),
        Case(input: .text("2025-06-01T12:30:00+05:30"), zone: "UTC", epoch: 1_748_761_200),
        Case(input: .text("2025-06-01T07:00:00.250Z"), zone: "UTC", epoch: 1_748_761_200),
        Case(input: .epochSeconds(1_748_761_200), zone: "Asia/Tokyo", epoch: 1_748_761_200),
        // Seconds optional, compact offset, the ±14:00 edges (issue 12).
        Case(input: .text("2025-06-01T07:00Z"), zone: "UTC", epoch: 1_748_761_200),
        Case(input: .text("2025-06-01T09:00+0200"), zone: "UTC", epoch: 1_748_761_200),
        Case(input: .text("2027-06-01T09:00:00+14:00"), zone: "UTC", epoch: 1_811_790_000),
        Case(input: .text("2027-06-01T09:00:00-14:00"), zone: "UTC", epoch: 1_811_890_800),
    ]

    @Test("an offset beyond -14:00…+14:00 or with minutes over 59 is refused, never wrapped",
          arguments: [("+25:00", "+25:00"), ("+99:99", "+99:99"), ("-24:00", "-24:00"), ("+00:60", "+00:60"), ("+1401", "+14:01"), ("-14:30", "-14:30")])
    func offsetOutOfRange(_ offset: String, _ shown: String) {
        let raw = "2027-06-01T09:00:00\(offset)"
        #expect(throws: SendTimeError(
            "sendAt '\(raw)' has offset \(shown); an offset must lie from -14:00 to +14:00 with minutes 00 to 59 (or use Z)")) {
            try SendTime.resolve(.text(raw), timeZone: "UTC")
        }
    }

    @Test("a well-formed date-time outside 1970…2100 names the range, not the format")
    func yearOutOfRange() {
        #expect(throws: SendTimeError(
            "sendAt '9999-01-01T00:00Z' must lie from 1970-01-01T00:00:01Z to 2100-01-01T00:00:00Z (\(InputLimits.sendAtEpochSeconds))")) {
            try SendTime.resolve(.text("9999-01-01T00:00Z"), timeZone: "UTC")
        }
    }

    @Test("resolves local and absolute times", arguments: cases)
    func resolves(_ c: Case) throws {
        #expect(try SendTime.resolve(c.input, timeZone: c.zone) == c.epoch)
    }

    @Test("a wall time skipped by DST start is refused with the zone named")
    func dstGap() {
        // Berlin 2025-03-30: 02:00 → 03:00.
        #expect(throws: SendTimeError("sendAt '2025-03-30T02:30:00' does not exist in Europe/Berlin (skipped by a daylight-saving change)")) {
            try SendTime.resolve(.text("2025-03-30T02:30:00"), timeZone: "Europe/Berlin")
        }
    }

    @Test("malformed or impossible dates are refused", arguments: ["tomorrow", "2025-02-31T09:00:00", "2025-13-01T09:00", "2025-06-01T25:00", "", "2025-02-31T09:00:00Z", "2025-06-01T24:00+01:00"])
    func malformed(_ text: String) {
        #expect(throws: SendTimeError.self) { try SendTime.resolve(.text(text), timeZone: "UTC") }
    }

    @Test("sendAt decodes from a JSON number or string")
    func decoding() throws {
        struct W: Decodable { var sendAt: SendTimeInput }
        #expect(try JSONDecoder().decode(W.self, from: Data(#"{"sendAt":1700000000}"#.utf8)).sendAt == .epochSeconds(1_700_000_000))
        #expect(try JSONDecoder().decode(W.self, from: Data(#"{"sendAt":"2025-06-01T09:00"}"#.utf8)).sendAt == .text("2025-06-01T09:00"))
    }
}
