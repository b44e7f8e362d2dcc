/// The kind of number a national significant number is in its region's numbering plan
/// (libphonenumber's `PhoneNumberType`; the keys of `types` in `Resources/phone-metadata.json`).
///
/// ``allCases`` is in the order libphonenumber tests them (premium rate first, then toll free, …,
/// fixed line, mobile): a number matching several is reported as the first.
public enum PhoneNumberType: String, CaseIterable, Sendable, Codable {
    case premiumRate
    case tollFree
    case sharedCost
    case voip
    case personalNumber
    case pager
    case uan
    case voicemail
    case fixedLine
    case mobile
}
