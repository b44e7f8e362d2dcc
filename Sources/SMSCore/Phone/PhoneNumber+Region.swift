import Foundation

extension PhoneNumber {
    /// The region (ISO 3166-1 alpha-2, `"DE"`) an E.164 number belongs to: libphonenumber's
    /// `region_code_for_number` on the vendored plans (for a calling code shared by several
    /// regions, the one whose leading digits or number ranges hold the number: `+1 204 …` is
    /// `"CA"`, `+1 650 …` `"US"`). The `country` of a profile (`GET /api/v1/profiles?country=`,
    /// audience segments).
    /// - Parameter e164: `"+"` followed by digits (a stored, normalised phone).
    /// - Returns: the region, or `nil` when the text is not a valid number of any region (an
    ///   invalid phone kept as typed, a non-geographic `+800` number).
    public static func region(ofE164 e164: String) -> String? {
        guard let digits = e164Digits(e164) else { return nil }
        let parser = PhoneNumberParser(metadata: .shared)
        guard let parsed = try? parser.parse(digits: String(digits), international: true, region: nil) else { return nil }
        guard let region = parser.validRegion(of: parsed)?.region, region != "001" else { return nil }
        return region
    }
}
