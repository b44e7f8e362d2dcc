import Testing
@testable import SMSCore

@Suite("CountryCallingCodes")
struct CountryCallingCodesTests {
    @Test("codes are 1 to 3 ASCII digits, not starting with 0, unique and ascending")
    func codesAreWellFormed() {
        let codes = CountryCallingCodes.all.map(\.code)
        #expect(codes.allSatisfy { (1...3).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        #expect(codes.allSatisfy { !$0.hasPrefix("0") })
        #expect(Set(codes).count == codes.count)
        #expect(codes == codes.sorted())
    }

    @Test("no code is a prefix of another, so prefix lookup is unambiguous")
    func tableIsPrefixFree() {
        let codes = CountryCallingCodes.all.map(\.code)
        let clashes = codes.flatMap { a in codes.filter { b in a != b && b.hasPrefix(a) }.map { "\(a)/\($0)" } }
        #expect(clashes == [])
    }

    @Test("every code has regions and ascending possible lengths within libphonenumber's NSN bounds")
    func lengthsArePlausible() {
        for entry in CountryCallingCodes.all {
            #expect(!entry.possibleLengths.isEmpty, "\(entry.code)")
            #expect(entry.possibleLengths == entry.possibleLengths.sorted(), "\(entry.code)")
            #expect(entry.minLength >= 4, "\(entry.code)")
            #expect(entry.maxLength <= 17, "\(entry.code)")
            #expect(!entry.regions.isEmpty, "\(entry.code)")
        }
    }

    @Test("holds the lengths of the main plans", arguments: [
        ("1", [10]), ("7", [10, 14]), ("44", [7, 9, 10]), ("49", Array(4...15)), ("91", Array(8...13)), ("33", [9]),
        ("86", Array(7...12)), ("225", [10]), ("229", [10]), ("683", [4, 7]), ("290", [4, 5]),
    ] as [(String, [Int])])
    func mainPlanLengths(_ code: String, _ lengths: [Int]) throws {
        let entry = try #require(CountryCallingCodes.entry(forCode: code))
        #expect(entry.possibleLengths == lengths)
        #expect(entry.minLength == lengths.first)
        #expect(entry.maxLength == lengths.last)
        #expect(entry.accepts(nationalLength: lengths[0]))
        #expect(!entry.accepts(nationalLength: lengths[0] - 1))
    }

    @Test("covers every zone's assigned codes and leaves spare and reclaimed ones out")
    func coverage() {
        #expect(CountryCallingCodes.all.count == 215)
        for code in ["20", "27", "30", "39", "55", "61", "64", "800", "870", "881", "882", "883", "888", "979", "998", "383", "672"] {
            #expect(CountryCallingCodes.entry(forCode: code) != nil, "\(code)")
        }
        for code in ["0", "2", "28", "210", "214", "280", "384", "388", "422", "801", "875", "969", "991", "999"] {
            #expect(CountryCallingCodes.entry(forCode: code) == nil, "\(code)")
        }
    }

    @Test("finds the code that starts a digit string", arguments: [
        ("4915112345678", "49"), ("14155552671", "1"), ("79123456789", "7"), ("3538712345", "353"),
        ("2250712345678", "225"), ("88212345678", "882"),
    ] as [(String, String)])
    func prefixLookup(_ digits: String, _ code: String) {
        #expect(CountryCallingCodes.entry(prefixing: digits)?.code == code)
    }

    @Test("NANP code lists the US, Canada and the Caribbean members")
    func nanpRegions() throws {
        let entry = try #require(CountryCallingCodes.entry(forCode: "1"))
        #expect(entry.regions.count == 25)
        #expect(entry.regions.contains("CA"))
        #expect(entry.regions.first == "US")
    }
}
