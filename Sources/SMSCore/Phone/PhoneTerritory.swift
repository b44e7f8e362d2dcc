import Foundation

/// The numbering plan of one region (or of one non-geographic country calling code) from
/// ``PhoneNumberMetadata``, with its patterns compiled: what libphonenumber calls a region's
/// `PhoneMetadata`. The rules mirror libphonenumber's `phonenumberutil` (`_test_number_length`,
/// `_maybe_strip_national_prefix_carrier_code`, `_number_type_helper`), so that validity and E.164
/// agree with it (`Tests/SMSCoreTests/Phone/PhoneNumberReferenceTests.swift` measures this).
final class PhoneTerritory: Sendable {
    /// A number description: the national-number pattern and the possible lengths.
    struct Description: Sendable {
        /// Matched against the whole national significant number.
        let pattern: PhonePattern
        /// Possible NSN lengths in digits, ascending; empty means "not restricted here".
        let lengths: [Int]
        /// Lengths only diallable inside the region (general description only).
        let localLengths: [Int]
        /// An example NSN of this type (the test corpus starts from it).
        let example: String?

        /// libphonenumber's `_is_number_matching_desc`: a possible length and the whole pattern.
        func matches(_ nsn: String) -> Bool {
            if !lengths.isEmpty, !lengths.contains(nsn.count) { return false }
            return pattern.matches(nsn)
        }
    }

    /// Length verdict of libphonenumber's `_test_number_length` against the general description.
    enum LengthCheck: Sendable, Equatable {
        case possible, possibleLocalOnly, tooShort, tooLong, invalidLength
    }

    /// ISO 3166-1 alpha-2 region (`"DE"`), or `"001"` for a non-geographic code.
    let id: String
    /// The country calling code (`49`).
    let countryCode: Int
    /// The international (IDD) prefix dialled from this region, as a prefix pattern (`00`, `011`).
    let internationalPrefix: PhonePattern?
    /// The national (trunk) prefix as written (`"0"`), for documentation and messages.
    let nationalPrefix: String?
    /// The national prefix (and carrier codes) to strip when parsing, a prefix pattern.
    let nationalPrefixForParsing: PhonePattern?
    /// Replaces the national prefix match when present (`"9\1"` in Argentina).
    let nationalPrefixTransformRule: String?
    /// The NSN prefixes that belong to this region among the regions sharing its code.
    let leadingDigits: PhonePattern?
    /// Every number of the plan matches this.
    let general: Description?
    /// The per-type descriptions, in ``PhoneNumberType/allCases`` order.
    let types: [(PhoneNumberType, Description)]

    /// Compiles a decoded territory.
    /// - Throws: ``PhoneNumberMetadata/LoadError/badPattern(_:_:)`` naming the region and pattern
    ///   that does not compile.
    init(_ data: PhoneNumberMetadata.TerritoryData) throws(PhoneNumberMetadata.LoadError) {
        func compile(_ source: String?, _ anchoring: PhonePattern.Anchoring) throws(PhoneNumberMetadata.LoadError) -> PhonePattern? {
            guard let source, !source.isEmpty else { return nil }
            guard let pattern = PhonePattern(source, anchoring) else { throw .badPattern(data.id, source) }
            return pattern
        }
        func description(_ d: PhoneNumberMetadata.DescriptionData?) throws(PhoneNumberMetadata.LoadError) -> Description? {
            guard let d, let pattern = try compile(d.pattern, .whole) else { return nil }
            return Description(pattern: pattern, lengths: d.lengths.sorted(), localLengths: d.localLengths ?? [], example: d.example)
        }
        id = data.id
        countryCode = data.countryCode
        internationalPrefix = try compile(data.internationalPrefix, .prefix)
        nationalPrefix = data.nationalPrefix
        nationalPrefixForParsing = try compile(data.nationalPrefixForParsing, .prefix)
        nationalPrefixTransformRule = data.nationalPrefixTransformRule.flatMap { $0.isEmpty ? nil : $0 }
        leadingDigits = try compile(data.leadingDigits, .prefix)
        general = try description(data.generalDesc)
        var types: [(PhoneNumberType, Description)] = []
        for type in PhoneNumberType.allCases {
            if let d = try description(data.types[type.rawValue]) { types.append((type, d)) }
        }
        self.types = types
    }

    /// The description of one number type, if the plan has that type.
    func description(of type: PhoneNumberType) -> Description? {
        types.first { $0.0 == type }?.1
    }

    /// libphonenumber's `_number_type_helper`: the first type whose description matches the NSN,
    /// after the general description does; `nil` when none does (an invalid number).
    func numberType(ofNSN nsn: String) -> PhoneNumberType? {
        guard let general, general.matches(nsn) else { return nil }
        return types.first { $0.1.matches(nsn) }?.0
    }

    /// Whether the NSN matches the general description's pattern (no length check), libphonenumber's
    /// `_match_national_number(number, general_desc, False)`.
    func matchesGeneralPattern(_ digits: some StringProtocol) -> Bool {
        general?.pattern.matches(String(digits)) ?? false
    }

    /// libphonenumber's `_test_number_length` for the general description (type UNKNOWN).
    func checkLength(_ digits: some StringProtocol) -> LengthCheck {
        guard let general, let shortest = general.lengths.first, let longest = general.lengths.last else {
            return .invalidLength
        }
        let n = digits.count
        if general.localLengths.contains(n) { return .possibleLocalOnly }
        if n == shortest { return .possible }
        if n < shortest { return .tooShort }
        if n > longest { return .tooLong }
        return general.lengths.dropFirst().contains(n) ? .possible : .invalidLength
    }

    /// libphonenumber's `_maybe_strip_national_prefix_carrier_code` without the carrier code: strips
    /// (or transforms, with ``nationalPrefixTransformRule``) the national prefix at the start of
    /// `digits`, unless the number matched the general pattern before and would not after.
    /// - Returns: the digits with the national prefix handled, or `digits` unchanged.
    func strippingNationalPrefix(_ digits: String) -> String {
        guard !digits.isEmpty, let prefix = nationalPrefixForParsing, let match = prefix.firstMatch(digits) else {
            return digits
        }
        let viableBefore = matchesGeneralPattern(digits)
        let result: String
        if let rule = nationalPrefixTransformRule, PhonePattern.lastGroupMatched(match) {
            result = prefix.replacingPrefix(of: digits, match: match, template: rule)
        } else {
            result = String(digits.dropFirst(PhonePattern.matchedLength(match)))
        }
        if viableBefore, !matchesGeneralPattern(result) { return digits }
        return result
    }
}
