import Foundation

/// Why a raw phone number is not a valid E.164 number (`docs/DOMAIN.md` §2: profiles with an invalid
/// phone become the dispatch error "invalid phone number (not E.164)").
public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No digits at all (empty, blank, or only separators / `+`).
    case empty
    /// No digit, but other characters (`not a phone`): text that is no phone number.
    case notAPhoneNumber
    /// A character other than digits, the accepted separators and one leading `+` (letters, `#`,
    /// `*`, non-ASCII digits, a `+` in the middle, ...).
    case invalidCharacters
    /// More than ``PhoneNumber/maxInputLength`` characters (libphonenumber's own limit).
    case tooLong
    /// The number is in national form (it starts with neither `+` nor `00`) and no default region
    /// says which country it is from.
    case missingCountryCode
    /// The default region given for national-form input is not a region of the numbering plans;
    /// carries it as given.
    case unknownRegion(String)
    /// The number starts with no assigned country calling code; carries the first (up to 3) digits
    /// after the international prefix.
    case unknownCountryCode(String)
    /// The national significant number (NSN) has a length its country's numbering plan does not
    /// allow; carries the code and the NSN digit count.
    case invalidLength(countryCode: String, digits: Int)
    /// The NSN has a possible length but is in no number range (fixed line, mobile, toll free, …) of
    /// its country's numbering plan, as libphonenumber's metadata describes it (an area code 055 in
    /// the NANP, an exchange starting with 0 or 1, a Brazilian area code 00); carries the code.
    case notInNumberingPlan(countryCode: String)

    /// A message fit for an import warning or the Errors tab. It names the country calling code,
    /// never the number itself.
    public var description: String {
        switch self {
        case .empty:
            return "phone number is empty"
        case .notAPhoneNumber:
            return "phone number holds no digit: the text is not a phone number"
        case .invalidCharacters:
            return "phone number contains characters other than digits, spaces, dashes, dots, slashes, parentheses and a leading + or 00"
        case .tooLong:
            return "phone number is longer than \(PhoneNumber.maxInputLength) characters"
        case .missingCountryCode:
            return "phone number has no country calling code: write it in international form, starting with + or 00, or give a default region (\"region\":\"DE\")"
        case .unknownRegion(let region):
            return "region \"\(region)\" is not a region of the numbering plans: expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"
        case .unknownCountryCode(let prefix):
            return "phone number +\(prefix)… does not start with an assigned ITU-T country calling code"
        case .invalidLength(let code, let digits):
            let lengths = CountryCallingCodes.entry(forCode: code)?.possibleLengths ?? []
            let expected: String
            switch lengths.count {
            case 0: expected = "a possible number of"
            case 1: expected = "\(lengths[0])"
            default:
                expected = lengths.dropLast().map(String.init).joined(separator: ", ") + " or \(lengths[lengths.count - 1])"
            }
            return "phone number +\(code) has \(digits) digits after the country code; expected \(expected)"
        case .notInNumberingPlan(let code):
            return "phone number +\(code)… matches no number range (fixed line, mobile, toll free, …) of the +\(code) numbering plan"
        }
    }
}
