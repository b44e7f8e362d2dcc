import Foundation
import SMSTestSupport
import Testing
@testable import SMSCore

/// Issue 12 "Real numbering plans": ``PhoneNumber`` against Google's libphonenumber (the Python
/// port `phonenumbers`, `scripts/reference/phonenumbers_check.py`) on ``PhoneCorpus``: at least
/// 99 % agreement on validity, and the same E.164 wherever both accept.
@Suite("PhoneNumber against libphonenumber")
struct PhoneNumberReferenceTests {
    struct Reference: Decodable {
        struct Result: Decodable {
            var valid: Bool
            var e164: String?
            var error: String?
            var region: String?
        }

        var version: String
        var results: [Result]
    }

    @Test("agrees with libphonenumber on validity (≥ 99 %) and E.164 on the metadata's examples and their perturbations",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func agreesWithLibphonenumber() throws {
        _ = try ReferencePython.require()
        let corpus = PhoneCorpus.build()
        #expect(corpus.count > 5_000, "the corpus covers every region's examples")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("phone-corpus-\(UUID().uuidString).json")
        try JSONEncoder().encode(corpus).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try ReferencePython.run(script: "scripts/reference/phonenumbers_check.py", arguments: [file.path])
        let reference = try JSONDecoder().decode(Reference.self, from: output)
        try #require(reference.results.count == corpus.count)
        if reference.version != PhoneNumberMetadata.shared.version {
            print("note: phonenumbers \(reference.version) differs from the vendored metadata \(PhoneNumberMetadata.shared.version); re-run scripts/setup/python.sh (scripts/requirements-tools.txt pins it)")
        }

        let clock = ContinuousClock()
        let started = clock.now
        let ours = corpus.map { entry in
            Result { () throws(PhoneNumberError) in try PhoneNumber.normalize(entry.input, defaultRegion: entry.region) }
        }
        let elapsed = clock.now - started

        var agreeing = 0
        var bothValid = 0
        var disagreements: [String] = []
        var e164Mismatches: [String] = []
        var regionMismatches: [String] = []
        for ((entry, expected), ours) in zip(zip(corpus, reference.results), ours) {
            let oursValid = (try? ours.get()) != nil
            let label = "\(entry.input.debugDescription) region \(entry.region ?? "-") [\(entry.variant)]"
            if oursValid == expected.valid {
                agreeing += 1
            } else {
                let theirs = expected.valid ? "valid \(expected.e164 ?? "?")" : "invalid (\(expected.error ?? "parsed as \(expected.e164 ?? "?")"))"
                let mine: String
                switch ours {
                case .success(let e164): mine = "valid \(e164)"
                case .failure(let error): mine = "invalid (\(error))"
                }
                disagreements.append("\(label): libphonenumber \(theirs), SMSStats \(mine)")
            }
            if case .success(let e164) = ours, expected.valid {
                bothValid += 1
                if e164 != expected.e164 {
                    e164Mismatches.append("\(label): libphonenumber \(expected.e164 ?? "nil"), SMSStats \(e164)")
                }
                // A profile's `country` (issue 15) is libphonenumber's region_code_for_number
                // ("001", non-geographic, is no country: nil).
                if PhoneNumber.region(ofE164: e164) != (expected.region == "001" ? nil : expected.region) {
                    regionMismatches.append("\(label): libphonenumber region \(expected.region ?? "nil"), SMSStats \(PhoneNumber.region(ofE164: e164) ?? "nil")")
                }
            }
        }
        let agreement = Double(agreeing) / Double(corpus.count) * 100
        print(
            "phone corpus: \(corpus.count) inputs, validity agreement \(String(format: "%.2f", agreement)) % "
                + "(\(agreeing)/\(corpus.count)) with phonenumbers \(reference.version); E.164 identical on "
                + "\(bothValid - e164Mismatches.count)/\(bothValid) numbers both accept; SMSStats took \(elapsed) for them")
        for line in disagreements { print("disagreement: \(line)") }
        for line in e164Mismatches { print("E.164 differs: \(line)") }
        #expect(agreement >= 99, "validity agreement \(agreement) % is under 99 %")
        #expect(e164Mismatches.isEmpty)
        for line in regionMismatches.prefix(20) { print("region differs: \(line)") }
        #expect(regionMismatches.isEmpty, "\(regionMismatches.count) regions differ")
        #expect(bothValid > 1_000, "the comparison covers many valid numbers")
    }
}
