import Foundation

/// The assigned ITU-T E.164 country calling codes that have a numbering plan in
/// ``PhoneNumberMetadata`` (libphonenumber's metadata), with the regions sharing each code and the
/// possible lengths of its national significant number (NSN: the digits after the country code)
/// in the code's main plan, the one libphonenumber checks lengths against.
///
/// The codes are prefix-free (no code is a prefix of another), so a number's country code is found
/// by trying its first 1, 2 and 3 digits.
public enum CountryCallingCodes {
    /// One assigned country calling code.
    public struct Entry: Sendable, Equatable, Hashable {
        /// The country calling code, digits only, without `+` (`"49"`).
        public let code: String
        /// ISO 3166-1 alpha-2 regions sharing the code, main region first (`["GB", "GG", "IM",
        /// "JE"]`), or `["001"]` for a non-geographic (global service) code.
        public let regions: [String]
        /// The NSN lengths the code's main plan allows (its general description; the main region's
        /// for a shared code), ascending, in digits.
        public let possibleLengths: [Int]

        /// Creates an entry.
        /// - Parameters:
        ///   - code: country calling code, digits only.
        ///   - regions: ISO 3166-1 alpha-2 codes, main region first, or `["001"]` for a global service.
        ///   - possibleLengths: the NSN lengths in digits, ascending.
        public init(code: String, regions: [String], possibleLengths: [Int]) {
            self.code = code
            self.regions = regions
            self.possibleLengths = possibleLengths
        }

        /// Shortest possible NSN, in digits (0 when the code has no plan).
        public var minLength: Int { possibleLengths.first ?? 0 }
        /// Longest possible NSN, in digits (0 when the code has no plan).
        public var maxLength: Int { possibleLengths.last ?? 0 }

        /// Whether the code's main plan allows an NSN of `digits` digits.
        public func accepts(nationalLength digits: Int) -> Bool {
            possibleLengths.contains(digits)
        }
    }

    /// Every country calling code of the metadata, ascending by code (as a string).
    public static var all: [Entry] { table.all }

    /// The entry for an exact country calling code (digits only, no `+`), or `nil` when the code is
    /// not assigned.
    /// - Parameter code: e.g. `"49"`.
    public static func entry(forCode code: String) -> Entry? {
        table.byCode[code]
    }

    /// The entry whose code starts the given international digit string, or `nil` when its first
    /// 1, 2 or 3 digits are no assigned code.
    /// - Parameter digits: the digits after `+` (`"4915112345678"`).
    public static func entry(prefixing digits: some StringProtocol) -> Entry? {
        for length in 1...3 where digits.count >= length {
            if let entry = table.byCode[String(digits.prefix(length))] { return entry }
        }
        return nil
    }

    private struct Table: Sendable {
        let all: [Entry]
        let byCode: [String: Entry]
    }

    private static let table: Table = {
        let metadata = PhoneNumberMetadata.shared
        let entries = metadata.regionsByCountryCode.map { code, regions in
            Entry(code: String(code), regions: regions, possibleLengths: metadata.possibleLengths(region: regions[0], countryCode: code))
        }.sorted { $0.code < $1.code }
        return Table(all: entries, byCode: Dictionary(uniqueKeysWithValues: entries.map { ($0.code, $0) }))
    }()
}
