import Foundation

/// libphonenumber's `parse` + `is_valid_number`, on input already reduced to digits by
/// ``PhoneNumber/normalize(_:defaultRegion:)``: finds the country calling code (after `+`, after
/// the default region's international prefix, or the default region's own), strips the national
/// (trunk) prefix where the plan has one, and checks the national significant number (NSN) against
/// the plan of the region it belongs to. Each step names the libphonenumber function it mirrors
/// (Python port `phonenumbers/phonenumberutil.py`); the corpus test compares the two.
struct PhoneNumberParser {
    /// A parsed number: country calling code and NSN, both digits only.
    struct Parsed: Equatable, Sendable {
        var countryCode: Int
        var nationalNumber: String
        /// `"+"`, the country code and the NSN (libphonenumber's `format_number(…, E164)`).
        var e164: String { "+\(countryCode)\(nationalNumber)" }
    }

    /// libphonenumber's `_MIN_LENGTH_FOR_NSN` and `_MAX_LENGTH_FOR_NSN`.
    static let nsnLengths = 2...17

    let metadata: PhoneNumberMetadata

    /// Parses and validates.
    /// - Parameters:
    ///   - digits: the input's ASCII digits in order, without `+`.
    ///   - international: whether the input started with `+` (or, with no default region, `00`).
    ///   - region: the default region's plan for input without `+`; `nil` when there is none.
    /// - Returns: the number, valid in its region's plan.
    /// - Throws: ``PhoneNumberError`` `.missingCountryCode`, `.unknownCountryCode`,
    ///   `.invalidLength`, `.notInNumberingPlan`.
    func parseValid(digits: String, international: Bool, region: PhoneTerritory?) throws(PhoneNumberError) -> Parsed {
        let parsed = try parse(digits: digits, international: international, region: region)
        guard validRegion(of: parsed) != nil else {
            let code = String(parsed.countryCode)
            switch metadata.mainTerritory(countryCode: parsed.countryCode)?.checkLength(parsed.nationalNumber) {
            case .tooShort, .tooLong, .invalidLength, .possibleLocalOnly, nil:
                // A local-only length (7 digits in the NANP) cannot be dialled from abroad: a length error.
                throw .invalidLength(countryCode: code, digits: parsed.nationalNumber.count)
            case .possible:
                throw .notInNumberingPlan(countryCode: code)
            }
        }
        return parsed
    }

    /// libphonenumber's `parse` (without extensions, RFC 3966 and letters, which
    /// ``PhoneNumber`` refuses earlier).
    func parse(digits: String, international: Bool, region: PhoneTerritory?) throws(PhoneNumberError) -> Parsed {
        var (countryCode, national): (Int, String)
        do throws(PhoneNumberError) {
            (countryCode, national) = try extractCountryCode(digits, international: international, region: region)
        } catch {
            guard international, case .unknownCountryCode = error else { throw error }
            // libphonenumber reads "+" followed by no known code once more as if the "+" were not
            // there (so "+0049…" with region DE is +49 after the IDD "00").
            (countryCode, national) = try extractCountryCode(digits, international: false, region: region)
            if countryCode == 0 { throw .unknownCountryCode(String(digits.prefix(3))) }
        }
        let plan: PhoneTerritory?
        if countryCode != 0 {
            plan = metadata.mainTerritory(countryCode: countryCode)
        } else {
            guard let region else { throw .missingCountryCode }
            countryCode = region.countryCode
            national = digits
            plan = region
        }
        guard national.count >= Self.nsnLengths.lowerBound else {
            throw .invalidLength(countryCode: String(countryCode), digits: national.count)
        }
        if let plan {
            // Strip the national prefix only if what remains has a possible length (or is too long);
            // otherwise the digits may be a short number that starts like the prefix.
            let stripped = plan.strippingNationalPrefix(national)
            switch plan.checkLength(stripped) {
            case .tooShort, .possibleLocalOnly, .invalidLength: break
            case .possible, .tooLong: national = stripped
            }
        }
        guard Self.nsnLengths.contains(national.count) else {
            throw .invalidLength(countryCode: String(countryCode), digits: national.count)
        }
        return Parsed(countryCode: countryCode, nationalNumber: national)
    }

    /// libphonenumber's `_maybe_extract_country_code`.
    /// - Returns: the country code and the rest, or `(0, "")` when the digits carry no country code
    ///   (national form).
    func extractCountryCode(_ digits: String, international: Bool, region: PhoneTerritory?) throws(PhoneNumberError) -> (Int, String) {
        guard !digits.isEmpty else { return (0, "") }
        var full = digits
        var afterPrefix = international
        if !international, let idd = region?.internationalPrefix, let match = idd.firstMatch(full) {
            // `_parse_prefix_as_idd`: country codes never start with 0, so "IDD then 0" is not one.
            let rest = full.dropFirst(PhonePattern.matchedLength(match))
            if rest.first != "0" {
                full = String(rest)
                afterPrefix = true
            }
        }
        if afterPrefix {
            guard full.count > Self.nsnLengths.lowerBound else {
                if let (code, rest) = countryCodePrefix(full) {
                    throw .invalidLength(countryCode: String(code), digits: rest.count)
                }
                throw .unknownCountryCode(String(full.prefix(3)))
            }
            guard let (code, rest) = countryCodePrefix(full) else { throw .unknownCountryCode(String(full.prefix(3))) }
            return (code, rest)
        }
        if let region {
            // National digits that start with the region's own country code: take it as the
            // country code if the number only makes sense that way, or is too long otherwise.
            let own = String(region.countryCode)
            if full.hasPrefix(own) {
                let potential = region.strippingNationalPrefix(String(full.dropFirst(own.count)))
                if (!region.matchesGeneralPattern(full) && region.matchesGeneralPattern(potential))
                    || region.checkLength(full) == .tooLong {
                    return (region.countryCode, potential)
                }
            }
        }
        return (0, "")
    }

    /// libphonenumber's `_extract_country_code`: the known code made of the first 1, 2 or 3 digits
    /// (never starting with 0), and the digits after it.
    func countryCodePrefix(_ digits: String) -> (Int, String)? {
        guard digits.first != "0" else { return nil }
        for length in 1...min(3, digits.count) {
            if let code = Int(digits.prefix(length)), metadata.regionsByCountryCode[code] != nil {
                return (code, String(digits.dropFirst(length)))
            }
        }
        return nil
    }

    /// libphonenumber's `region_code_for_number` + `is_valid_number_for_region`: the region whose
    /// plan the NSN belongs to (by leading digits, or by matching a number type), and the type it
    /// matched there; `nil` when the number is not valid.
    func validRegion(of parsed: Parsed) -> (region: String, type: PhoneNumberType)? {
        guard let regions = metadata.regionsByCountryCode[parsed.countryCode] else { return nil }
        let nsn = parsed.nationalNumber
        var found: (String, PhoneTerritory)?
        if regions.count == 1 {
            found = metadata.territory(region: regions[0], countryCode: parsed.countryCode).map { (regions[0], $0) }
        } else {
            for region in regions {
                guard let plan = metadata.territory(region: region, countryCode: parsed.countryCode) else { continue }
                if let leading = plan.leadingDigits {
                    if leading.matches(nsn) { found = (region, plan); break }
                } else if plan.numberType(ofNSN: nsn) != nil {
                    found = (region, plan); break
                }
            }
        }
        guard let (region, plan) = found, let type = plan.numberType(ofNSN: nsn) else { return nil }
        return (region, type)
    }
}
