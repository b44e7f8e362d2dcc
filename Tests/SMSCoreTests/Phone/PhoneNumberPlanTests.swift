import Foundation
import SMSTestSupport
import Testing
@testable import SMSCore

/// Issue 12 finding 3 with its exact inputs, the default region for national-form input, and the
/// vendored metadata itself. Every verdict and E.164 here is libphonenumber's (phonenumbers 9.0.43).
@Suite("PhoneNumber numbering plans")
struct PhoneNumberPlanTests {
    typealias Case = PhoneNumberTests.Case
    static func ok(_ raw: String, _ e164: String) -> Case { PhoneNumberTests.ok(raw, e164) }
    static func fails(_ raw: String, _ error: PhoneNumberError) -> Case { PhoneNumberTests.fails(raw, error) }

    /// Accepted and sent before, invalid in the real plans.
    static let formerlyAccepted: [Case] = [
        // NANP area codes cannot start with 0 or 1, and N11 codes are service codes.
        fails("+1 055 234 5678", .notInNumberingPlan(countryCode: "1")),
        fails("+1 155 234 5678", .notInNumberingPlan(countryCode: "1")),
        fails("+1 911 234 5678", .notInNumberingPlan(countryCode: "1")),
        // NANP exchanges (central office codes) cannot start with 0 or 1.
        fails("+1 415 055 2671", .notInNumberingPlan(countryCode: "1")),
        fails("+1 415 155 2671", .notInNumberingPlan(countryCode: "1")),
        // Brazil: a fixed line's subscriber number starts with 2-5; there is no area code 00.
        fails("+55 11 1234 5678", .notInNumberingPlan(countryCode: "55")),
        fails("+55 00 91234 5678", .notInNumberingPlan(countryCode: "55")),
        fails("+5500912345678", .notInNumberingPlan(countryCode: "55")),
        // A German 0151 mobile number has 11 digits, not 10.
        fails("+49 151 2345678", .notInNumberingPlan(countryCode: "49")),
        // "+3" is no country code; the digits read as +31 234567, no Dutch number.
        fails("+3 1234567", .notInNumberingPlan(countryCode: "31")),
    ]

    /// Refused before, valid in the real plans.
    static let formerlyRefused: [Case] = [
        ok("+44 0 20 7946 0958", "+442079460958"),
        ok("+44 020 7946 0958", "+442079460958"),
        ok("+44 (0)7911 123456", "+447911123456"),
        ok("+91180012345", "+91180012345"),
    ]

    @Test("refuses what the issue found sent to numbers that do not exist", arguments: formerlyAccepted)
    func refusesInvalid(_ testCase: Case) {
        #expect(Result { () throws(PhoneNumberError) in try PhoneNumber.normalize(testCase.raw) } == testCase.expected)
    }

    @Test("accepts what the issue found refused", arguments: formerlyRefused)
    func acceptsValid(_ testCase: Case) {
        #expect(Result { () throws(PhoneNumberError) in try PhoneNumber.normalize(testCase.raw) } == testCase.expected)
    }

    @Test("the neighbours of the refused numbers are valid", arguments: [
        ("+1 415 555 2671", "+14155552671"), ("+1 201 555 0123", "+12015550123"),
        ("+55 11 2345 6789", "+551123456789"), ("+55 11 91234 5678", "+5511912345678"),
        ("+49 151 23456789", "+4915123456789"), ("+31 20 123 4567", "+31201234567"),
    ] as [(String, String)])
    func neighboursValid(_ raw: String, _ e164: String) throws {
        #expect(try PhoneNumber.normalize(raw) == e164)
    }

    struct RegionCase: Sendable, CustomTestStringConvertible {
        let raw: String
        let region: String
        let expected: Result<String, PhoneNumberError>
        var testDescription: String { "\(raw.debugDescription) in \(region) → \(expected)" }
    }

    @Test("reads national-form input with a default region", arguments: [
        RegionCase(raw: "0151 23456789", region: "DE", expected: .success("+4915123456789")),
        RegionCase(raw: "030 12345678", region: "DE", expected: .success("+493012345678")),
        RegionCase(raw: "030 12345678", region: "de", expected: .failure(.unknownRegion("de"))),
        RegionCase(raw: "(415) 555-2671", region: "US", expected: .success("+14155552671")),
        RegionCase(raw: "1 415 555 2671", region: "US", expected: .success("+14155552671")),
        RegionCase(raw: "415 555 2671", region: "CA", expected: .success("+14155552671")),
        RegionCase(raw: "020 7946 0958", region: "GB", expected: .success("+442079460958")),
        RegionCase(raw: "06 12 34 56 78", region: "FR", expected: .success("+33612345678")),
        RegionCase(raw: "06 6982 1234", region: "IT", expected: .success("+390669821234")),
        // Argentina: a national mobile "0 11 15 …" is +54 9 11 … (the plan's transform rule).
        RegionCase(raw: "011 15 2345 6789", region: "AR", expected: .success("+5491123456789")),
        // The region's own international prefix: 011 in the NANP, 00 in Germany.
        RegionCase(raw: "011 44 20 7946 0958", region: "US", expected: .success("+442079460958")),
        RegionCase(raw: "0044 20 7946 0958", region: "DE", expected: .success("+442079460958")),
        RegionCase(raw: "+0049 151 23456789", region: "DE", expected: .success("+4915123456789")),
        // "+" input ignores the region.
        RegionCase(raw: "+44 20 7946 0958", region: "US", expected: .success("+442079460958")),
        // 00 is no international prefix in the US: the digits are a (too long) national number.
        RegionCase(raw: "0049 151 23456789", region: "US", expected: .failure(.invalidLength(countryCode: "1", digits: 15))),
        RegionCase(raw: "0151 2345678", region: "DE", expected: .failure(.notInNumberingPlan(countryCode: "49"))),
        RegionCase(raw: "0151 23456789", region: "XX", expected: .failure(.unknownRegion("XX"))),
        RegionCase(raw: "+49 151 23456789", region: "001", expected: .failure(.unknownRegion("001"))),
        RegionCase(raw: "0151 23456789", region: "", expected: .failure(.unknownRegion(""))),
    ])
    func defaultRegion(_ testCase: RegionCase) {
        #expect(Result { () throws(PhoneNumberError) in
            try PhoneNumber.normalize(testCase.raw, defaultRegion: testCase.region)
        } == testCase.expected)
    }

    @Test("without a default region, 00 is the international prefix and national form is refused")
    func noDefaultRegion() {
        #expect(PhoneNumber.isValid("0044 20 7946 0958"))
        #expect(!PhoneNumber.isValid("020 7946 0958"))
        #expect(PhoneNumber.isValid("020 7946 0958", defaultRegion: "GB"))
    }

    @Test("knows which regions a default region may name")
    func supportedRegions() {
        #expect(PhoneNumber.supportedRegion("DE") == "DE")
        #expect(PhoneNumber.supportedRegion("de") == nil)
        #expect(PhoneNumber.supportedRegion(" GB ") == nil)
        #expect(PhoneNumber.supportedRegion("XX") == nil)
        #expect(PhoneNumber.supportedRegion("001") == nil)
        #expect(PhoneNumberMetadata.shared.supportedRegions.count == 245)
    }

    @Test("the vendored metadata loads, matches its notice and every pattern compiles")
    func metadataLoads() throws {
        let metadata = PhoneNumberMetadata.shared
        #expect(metadata.loadError == nil)
        #expect(metadata.version == "9.0.43")
        try metadata.validateAllPatterns()
        let root = ReferencePython.repositoryRoot
        let notice = try String(contentsOf: root.appendingPathComponent("Sources/SMSCore/Resources/PHONE-METADATA.md"), encoding: .utf8)
        #expect(notice.contains("version **\(metadata.version)**"))
        let requirements = try String(contentsOf: root.appendingPathComponent("scripts/requirements-tools.txt"), encoding: .utf8)
        #expect(requirements.split(separator: "\n").contains("phonenumbers==\(metadata.version)"))
    }

    @Test("every example number of the metadata is valid in its own plan, as libphonenumber's tests require")
    func examplesAreValid() {
        var failures: [String] = []
        var checked = 0
        for plan in PhoneNumberMetadata.shared.allTerritories() {
            for (type, description) in plan.types {
                guard let example = description.example else { continue }
                checked += 1
                let e164 = "+\(plan.countryCode)\(example)"
                if (try? PhoneNumber.normalize(e164)) != e164 { failures.append("\(plan.id) \(type.rawValue) \(e164)") }
            }
        }
        #expect(checked > 1_000)
        #expect(failures == [])
    }

    @Test("tells the region and number type of a valid number", arguments: [
        ("+4915123456789", "DE", PhoneNumberType.mobile), ("+493012345678", "DE", .fixedLine),
        ("+14165550123", "CA", .fixedLine), ("+12684641234", "AG", .mobile),
        ("+442079460958", "GB", .fixedLine), ("+441624756789", "IM", .fixedLine),
        ("+80012345678", "001", .tollFree), ("+78005553535", "RU", .tollFree),
    ] as [(String, String, PhoneNumberType)])
    func regionAndType(_ e164: String, _ region: String, _ type: PhoneNumberType) throws {
        let parser = PhoneNumberParser(metadata: .shared)
        let parsed = try parser.parse(digits: String(e164.dropFirst()), international: true, region: nil)
        let found = try #require(parser.validRegion(of: parsed))
        #expect(found.region == region)
        #expect(found.type == type)
    }
}
