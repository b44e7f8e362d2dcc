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
    ]

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

    @Test("malformed or impossible dates are refused", arguments: ["tomorrow", "2025-02-31T09:00:00", "2025-13-01T09:00", "2025-06-01T25:00", ""])
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
