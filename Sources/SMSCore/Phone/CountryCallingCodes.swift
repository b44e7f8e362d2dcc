import Foundation

/// The assigned ITU-T E.164 country calling codes, with the plausible length of the national
/// significant number (NSN: the digits after the country code) for each (`docs/DOMAIN.md` §2: "Valid
/// means E.164 with an assigned country calling code and a plausible length for it").
///
/// Sources: ITU-T Recommendation E.164 and its list of assigned country codes (Annex to ITU
/// Operational Bulletin, "List of ITU-T Recommendation E.164 assigned country codes"); the NSN
/// lengths follow each country's national numbering plan as published to the ITU and as collected in
/// Google's libphonenumber metadata (the span from its shortest to its longest possible national
/// number), with these project decisions:
/// - `+1` (NANP) exactly 10, `+44` 9–10, `+49` 6–13, `+91` 10, `+33` 9, `+86` 5–12, `+81` 9–10,
///   `+82` 8–11 (subscriber numbers only; short service codes are not SMS recipients).
/// - `+225` (Côte d'Ivoire, since 2021) and `+229` (Benin, since 2024) are 10 digits.
/// - Every `maxLength` respects the E.164 limit of 15 digits including the country code.
/// - Codes with no live subscriber numbering are left out and so are "unknown": spare and reserved
///   codes, the reclaimed shared code 388 and the trial code 991. An SMS cannot reach them.
///
/// The table is prefix-free (no code is a prefix of another), so a number's country code is found
/// by trying its first 1, 2 and 3 digits.
public enum CountryCallingCodes {
    /// One assigned country calling code.
    public struct Entry: Sendable, Equatable, Hashable {
        /// The country calling code, digits only, without `+` (`"49"`).
        public let code: String
        /// ISO 3166-1 alpha-2 regions sharing the code (`["GB", "GG", "IM", "JE"]`), or `["001"]`
        /// for a non-geographic (global service) code.
        public let regions: [String]
        /// Shortest plausible national significant number, in digits.
        public let minLength: Int
        /// Longest plausible national significant number, in digits.
        public let maxLength: Int

        /// Creates an entry.
        /// - Parameters:
        ///   - code: country calling code, digits only.
        ///   - regions: ISO 3166-1 alpha-2 codes, or `["001"]` for a global service.
        ///   - minLength: shortest plausible NSN in digits.
        ///   - maxLength: longest plausible NSN in digits.
        public init(code: String, regions: [String], minLength: Int, maxLength: Int) {
            self.code = code
            self.regions = regions
            self.minLength = minLength
            self.maxLength = maxLength
        }

        /// Whether an NSN of `digits` digits is plausible for this code.
        public func accepts(nationalLength digits: Int) -> Bool {
            (minLength...maxLength).contains(digits)
        }
    }

    /// Every assigned country calling code with live subscriber numbering, ascending by code.
    public static let all: [Entry] = [
        // Zone 1: North American Numbering Plan
        Entry(code: "1", regions: ["US", "AG", "AI", "AS", "BB", "BM", "BS", "CA", "DM", "DO", "GD", "GU", "JM", "KN", "KY", "LC", "MP", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI"], minLength: 10, maxLength: 10),
        // Zone 7
        Entry(code: "7", regions: ["RU", "KZ"], minLength: 10, maxLength: 10),
        // Zone 2
        Entry(code: "20", regions: ["EG"], minLength: 8, maxLength: 10),
        Entry(code: "27", regions: ["ZA"], minLength: 9, maxLength: 9),
        Entry(code: "211", regions: ["SS"], minLength: 9, maxLength: 9),
        Entry(code: "212", regions: ["MA", "EH"], minLength: 9, maxLength: 9),
        Entry(code: "213", regions: ["DZ"], minLength: 8, maxLength: 9),
        Entry(code: "216", regions: ["TN"], minLength: 8, maxLength: 8),
        Entry(code: "218", regions: ["LY"], minLength: 8, maxLength: 9),
        Entry(code: "220", regions: ["GM"], minLength: 7, maxLength: 7),
        Entry(code: "221", regions: ["SN"], minLength: 9, maxLength: 9),
        Entry(code: "222", regions: ["MR"], minLength: 8, maxLength: 8),
        Entry(code: "223", regions: ["ML"], minLength: 8, maxLength: 8),
        Entry(code: "224", regions: ["GN"], minLength: 8, maxLength: 9),
        Entry(code: "225", regions: ["CI"], minLength: 10, maxLength: 10),
        Entry(code: "226", regions: ["BF"], minLength: 8, maxLength: 8),
        Entry(code: "227", regions: ["NE"], minLength: 8, maxLength: 8),
        Entry(code: "228", regions: ["TG"], minLength: 8, maxLength: 8),
        Entry(code: "229", regions: ["BJ"], minLength: 10, maxLength: 10),
        Entry(code: "230", regions: ["MU"], minLength: 7, maxLength: 8),
        Entry(code: "231", regions: ["LR"], minLength: 7, maxLength: 9),
        Entry(code: "232", regions: ["SL"], minLength: 8, maxLength: 8),
        Entry(code: "233", regions: ["GH"], minLength: 8, maxLength: 9),
        Entry(code: "234", regions: ["NG"], minLength: 7, maxLength: 12),
        Entry(code: "235", regions: ["TD"], minLength: 8, maxLength: 8),
        Entry(code: "236", regions: ["CF"], minLength: 8, maxLength: 8),
        Entry(code: "237", regions: ["CM"], minLength: 8, maxLength: 9),
        Entry(code: "238", regions: ["CV"], minLength: 7, maxLength: 7),
        Entry(code: "239", regions: ["ST"], minLength: 7, maxLength: 7),
        Entry(code: "240", regions: ["GQ"], minLength: 9, maxLength: 9),
        Entry(code: "241", regions: ["GA"], minLength: 7, maxLength: 8),
        Entry(code: "242", regions: ["CG"], minLength: 9, maxLength: 9),
        Entry(code: "243", regions: ["CD"], minLength: 7, maxLength: 9),
        Entry(code: "244", regions: ["AO"], minLength: 9, maxLength: 9),
        Entry(code: "245", regions: ["GW"], minLength: 7, maxLength: 9),
        Entry(code: "246", regions: ["IO"], minLength: 7, maxLength: 7),
        Entry(code: "247", regions: ["AC"], minLength: 5, maxLength: 6),
        Entry(code: "248", regions: ["SC"], minLength: 7, maxLength: 7),
        Entry(code: "249", regions: ["SD"], minLength: 9, maxLength: 9),
        Entry(code: "250", regions: ["RW"], minLength: 8, maxLength: 9),
        Entry(code: "251", regions: ["ET"], minLength: 9, maxLength: 9),
        Entry(code: "252", regions: ["SO"], minLength: 6, maxLength: 9),
        Entry(code: "253", regions: ["DJ"], minLength: 8, maxLength: 8),
        Entry(code: "254", regions: ["KE"], minLength: 7, maxLength: 10),
        Entry(code: "255", regions: ["TZ"], minLength: 7, maxLength: 9),
        Entry(code: "256", regions: ["UG"], minLength: 9, maxLength: 9),
        Entry(code: "257", regions: ["BI"], minLength: 8, maxLength: 8),
        Entry(code: "258", regions: ["MZ"], minLength: 8, maxLength: 9),
        Entry(code: "260", regions: ["ZM"], minLength: 9, maxLength: 9),
        Entry(code: "261", regions: ["MG"], minLength: 9, maxLength: 9),
        Entry(code: "262", regions: ["RE", "YT"], minLength: 9, maxLength: 9),
        Entry(code: "263", regions: ["ZW"], minLength: 5, maxLength: 10),
        Entry(code: "264", regions: ["NA"], minLength: 8, maxLength: 9),
        Entry(code: "265", regions: ["MW"], minLength: 7, maxLength: 9),
        Entry(code: "266", regions: ["LS"], minLength: 8, maxLength: 8),
        Entry(code: "267", regions: ["BW"], minLength: 7, maxLength: 8),
        Entry(code: "268", regions: ["SZ"], minLength: 8, maxLength: 9),
        Entry(code: "269", regions: ["KM"], minLength: 7, maxLength: 7),
        Entry(code: "290", regions: ["SH", "TA"], minLength: 4, maxLength: 5),
        Entry(code: "291", regions: ["ER"], minLength: 7, maxLength: 7),
        Entry(code: "297", regions: ["AW"], minLength: 7, maxLength: 7),
        Entry(code: "298", regions: ["FO"], minLength: 6, maxLength: 6),
        Entry(code: "299", regions: ["GL"], minLength: 6, maxLength: 6),
        // Zones 3 and 4: Europe
        Entry(code: "30", regions: ["GR"], minLength: 10, maxLength: 10),
        Entry(code: "31", regions: ["NL"], minLength: 5, maxLength: 10),
        Entry(code: "32", regions: ["BE"], minLength: 8, maxLength: 9),
        Entry(code: "33", regions: ["FR"], minLength: 9, maxLength: 9),
        Entry(code: "34", regions: ["ES"], minLength: 9, maxLength: 9),
        Entry(code: "36", regions: ["HU"], minLength: 8, maxLength: 9),
        Entry(code: "39", regions: ["IT", "VA"], minLength: 6, maxLength: 11),
        Entry(code: "350", regions: ["GI"], minLength: 8, maxLength: 8),
        Entry(code: "351", regions: ["PT"], minLength: 9, maxLength: 9),
        Entry(code: "352", regions: ["LU"], minLength: 4, maxLength: 11),
        Entry(code: "353", regions: ["IE"], minLength: 7, maxLength: 10),
        Entry(code: "354", regions: ["IS"], minLength: 7, maxLength: 9),
        Entry(code: "355", regions: ["AL"], minLength: 6, maxLength: 9),
        Entry(code: "356", regions: ["MT"], minLength: 8, maxLength: 8),
        Entry(code: "357", regions: ["CY"], minLength: 8, maxLength: 8),
        Entry(code: "358", regions: ["FI", "AX"], minLength: 5, maxLength: 12),
        Entry(code: "359", regions: ["BG"], minLength: 6, maxLength: 9),
        Entry(code: "370", regions: ["LT"], minLength: 8, maxLength: 8),
        Entry(code: "371", regions: ["LV"], minLength: 8, maxLength: 8),
        Entry(code: "372", regions: ["EE"], minLength: 7, maxLength: 10),
        Entry(code: "373", regions: ["MD"], minLength: 8, maxLength: 8),
        Entry(code: "374", regions: ["AM"], minLength: 8, maxLength: 8),
        Entry(code: "375", regions: ["BY"], minLength: 6, maxLength: 11),
        Entry(code: "376", regions: ["AD"], minLength: 6, maxLength: 9),
        Entry(code: "377", regions: ["MC"], minLength: 8, maxLength: 9),
        Entry(code: "378", regions: ["SM"], minLength: 6, maxLength: 10),
        Entry(code: "380", regions: ["UA"], minLength: 9, maxLength: 9),
        Entry(code: "381", regions: ["RS"], minLength: 6, maxLength: 12),
        Entry(code: "382", regions: ["ME"], minLength: 8, maxLength: 9),
        Entry(code: "383", regions: ["XK"], minLength: 8, maxLength: 9),
        Entry(code: "385", regions: ["HR"], minLength: 6, maxLength: 9),
        Entry(code: "386", regions: ["SI"], minLength: 5, maxLength: 8),
        Entry(code: "387", regions: ["BA"], minLength: 8, maxLength: 9),
        Entry(code: "389", regions: ["MK"], minLength: 8, maxLength: 8),
        Entry(code: "40", regions: ["RO"], minLength: 6, maxLength: 9),
        Entry(code: "41", regions: ["CH"], minLength: 9, maxLength: 12),
        Entry(code: "420", regions: ["CZ"], minLength: 9, maxLength: 12),
        Entry(code: "421", regions: ["SK"], minLength: 6, maxLength: 9),
        Entry(code: "423", regions: ["LI"], minLength: 7, maxLength: 9),
        Entry(code: "43", regions: ["AT"], minLength: 4, maxLength: 13),
        Entry(code: "44", regions: ["GB", "GG", "IM", "JE"], minLength: 9, maxLength: 10),
        Entry(code: "45", regions: ["DK"], minLength: 8, maxLength: 8),
        Entry(code: "46", regions: ["SE"], minLength: 6, maxLength: 10),
        Entry(code: "47", regions: ["NO", "SJ"], minLength: 5, maxLength: 8),
        Entry(code: "48", regions: ["PL"], minLength: 6, maxLength: 9),
        Entry(code: "49", regions: ["DE"], minLength: 6, maxLength: 13),
        // Zone 5: South and Central America
        Entry(code: "500", regions: ["FK"], minLength: 5, maxLength: 5),
        Entry(code: "501", regions: ["BZ"], minLength: 7, maxLength: 11),
        Entry(code: "502", regions: ["GT"], minLength: 8, maxLength: 11),
        Entry(code: "503", regions: ["SV"], minLength: 7, maxLength: 11),
        Entry(code: "504", regions: ["HN"], minLength: 8, maxLength: 8),
        Entry(code: "505", regions: ["NI"], minLength: 8, maxLength: 8),
        Entry(code: "506", regions: ["CR"], minLength: 8, maxLength: 10),
        Entry(code: "507", regions: ["PA"], minLength: 7, maxLength: 8),
        Entry(code: "508", regions: ["PM"], minLength: 6, maxLength: 6),
        Entry(code: "509", regions: ["HT"], minLength: 8, maxLength: 8),
        Entry(code: "51", regions: ["PE"], minLength: 8, maxLength: 9),
        Entry(code: "52", regions: ["MX"], minLength: 10, maxLength: 11),
        Entry(code: "53", regions: ["CU"], minLength: 6, maxLength: 8),
        Entry(code: "54", regions: ["AR"], minLength: 10, maxLength: 11),
        Entry(code: "55", regions: ["BR"], minLength: 8, maxLength: 11),
        Entry(code: "56", regions: ["CL"], minLength: 9, maxLength: 11),
        Entry(code: "57", regions: ["CO"], minLength: 8, maxLength: 11),
        Entry(code: "58", regions: ["VE"], minLength: 10, maxLength: 10),
        Entry(code: "590", regions: ["GP", "BL", "MF"], minLength: 9, maxLength: 9),
        Entry(code: "591", regions: ["BO"], minLength: 8, maxLength: 9),
        Entry(code: "592", regions: ["GY"], minLength: 7, maxLength: 7),
        Entry(code: "593", regions: ["EC"], minLength: 8, maxLength: 11),
        Entry(code: "594", regions: ["GF"], minLength: 9, maxLength: 9),
        Entry(code: "595", regions: ["PY"], minLength: 6, maxLength: 9),
        Entry(code: "596", regions: ["MQ"], minLength: 9, maxLength: 9),
        Entry(code: "597", regions: ["SR"], minLength: 6, maxLength: 7),
        Entry(code: "598", regions: ["UY"], minLength: 7, maxLength: 8),
        Entry(code: "599", regions: ["CW", "BQ"], minLength: 7, maxLength: 8),
        // Zone 6: South Pacific and Oceania
        Entry(code: "60", regions: ["MY"], minLength: 8, maxLength: 10),
        Entry(code: "61", regions: ["AU", "CC", "CX"], minLength: 5, maxLength: 10),
        Entry(code: "62", regions: ["ID"], minLength: 7, maxLength: 12),
        Entry(code: "63", regions: ["PH"], minLength: 6, maxLength: 13),
        Entry(code: "64", regions: ["NZ"], minLength: 8, maxLength: 10),
        Entry(code: "65", regions: ["SG"], minLength: 8, maxLength: 11),
        Entry(code: "66", regions: ["TH"], minLength: 8, maxLength: 10),
        Entry(code: "670", regions: ["TL"], minLength: 7, maxLength: 8),
        Entry(code: "672", regions: ["NF", "AQ"], minLength: 6, maxLength: 6),
        Entry(code: "673", regions: ["BN"], minLength: 7, maxLength: 7),
        Entry(code: "674", regions: ["NR"], minLength: 7, maxLength: 7),
        Entry(code: "675", regions: ["PG"], minLength: 7, maxLength: 8),
        Entry(code: "676", regions: ["TO"], minLength: 5, maxLength: 7),
        Entry(code: "677", regions: ["SB"], minLength: 5, maxLength: 7),
        Entry(code: "678", regions: ["VU"], minLength: 5, maxLength: 7),
        Entry(code: "679", regions: ["FJ"], minLength: 7, maxLength: 11),
        Entry(code: "680", regions: ["PW"], minLength: 7, maxLength: 7),
        Entry(code: "681", regions: ["WF"], minLength: 6, maxLength: 9),
        Entry(code: "682", regions: ["CK"], minLength: 5, maxLength: 5),
        Entry(code: "683", regions: ["NU"], minLength: 4, maxLength: 7),
        Entry(code: "685", regions: ["WS"], minLength: 5, maxLength: 10),
        Entry(code: "686", regions: ["KI"], minLength: 5, maxLength: 8),
        Entry(code: "687", regions: ["NC"], minLength: 6, maxLength: 6),
        Entry(code: "688", regions: ["TV"], minLength: 5, maxLength: 7),
        Entry(code: "689", regions: ["PF"], minLength: 6, maxLength: 9),
        Entry(code: "690", regions: ["TK"], minLength: 4, maxLength: 7),
        Entry(code: "691", regions: ["FM"], minLength: 7, maxLength: 7),
        Entry(code: "692", regions: ["MH"], minLength: 7, maxLength: 7),
        // Zone 8: East Asia and global services
        Entry(code: "800", regions: ["001"], minLength: 8, maxLength: 8),
        Entry(code: "808", regions: ["001"], minLength: 8, maxLength: 8),
        Entry(code: "81", regions: ["JP"], minLength: 9, maxLength: 10),
        Entry(code: "82", regions: ["KR"], minLength: 8, maxLength: 11),
        Entry(code: "84", regions: ["VN"], minLength: 7, maxLength: 10),
        Entry(code: "850", regions: ["KP"], minLength: 8, maxLength: 10),
        Entry(code: "852", regions: ["HK"], minLength: 8, maxLength: 11),
        Entry(code: "853", regions: ["MO"], minLength: 8, maxLength: 8),
        Entry(code: "855", regions: ["KH"], minLength: 8, maxLength: 10),
        Entry(code: "856", regions: ["LA"], minLength: 8, maxLength: 10),
        Entry(code: "86", regions: ["CN"], minLength: 5, maxLength: 12),
        Entry(code: "870", regions: ["001"], minLength: 9, maxLength: 9),
        Entry(code: "878", regions: ["001"], minLength: 12, maxLength: 12),
        Entry(code: "880", regions: ["BD"], minLength: 6, maxLength: 10),
        Entry(code: "881", regions: ["001"], minLength: 9, maxLength: 10),
        Entry(code: "882", regions: ["001"], minLength: 7, maxLength: 12),
        Entry(code: "883", regions: ["001"], minLength: 9, maxLength: 12),
        Entry(code: "886", regions: ["TW"], minLength: 7, maxLength: 10),
        Entry(code: "888", regions: ["001"], minLength: 11, maxLength: 11),
        // Zone 9: West, Central and South Asia, Middle East
        Entry(code: "90", regions: ["TR"], minLength: 7, maxLength: 10),
        Entry(code: "91", regions: ["IN"], minLength: 10, maxLength: 10),
        Entry(code: "92", regions: ["PK"], minLength: 8, maxLength: 12),
        Entry(code: "93", regions: ["AF"], minLength: 9, maxLength: 9),
        Entry(code: "94", regions: ["LK"], minLength: 9, maxLength: 9),
        Entry(code: "95", regions: ["MM"], minLength: 6, maxLength: 10),
        Entry(code: "960", regions: ["MV"], minLength: 7, maxLength: 10),
        Entry(code: "961", regions: ["LB"], minLength: 7, maxLength: 8),
        Entry(code: "962", regions: ["JO"], minLength: 8, maxLength: 9),
        Entry(code: "963", regions: ["SY"], minLength: 8, maxLength: 9),
        Entry(code: "964", regions: ["IQ"], minLength: 8, maxLength: 10),
        Entry(code: "965", regions: ["KW"], minLength: 7, maxLength: 8),
        Entry(code: "966", regions: ["SA"], minLength: 9, maxLength: 10),
        Entry(code: "967", regions: ["YE"], minLength: 7, maxLength: 9),
        Entry(code: "968", regions: ["OM"], minLength: 7, maxLength: 9),
        Entry(code: "970", regions: ["PS"], minLength: 8, maxLength: 10),
        Entry(code: "971", regions: ["AE"], minLength: 5, maxLength: 12),
        Entry(code: "972", regions: ["IL"], minLength: 4, maxLength: 12),
        Entry(code: "973", regions: ["BH"], minLength: 8, maxLength: 8),
        Entry(code: "974", regions: ["QA"], minLength: 7, maxLength: 8),
        Entry(code: "975", regions: ["BT"], minLength: 7, maxLength: 8),
        Entry(code: "976", regions: ["MN"], minLength: 8, maxLength: 10),
        Entry(code: "977", regions: ["NP"], minLength: 8, maxLength: 10),
        Entry(code: "979", regions: ["001"], minLength: 9, maxLength: 9),
        Entry(code: "98", regions: ["IR"], minLength: 6, maxLength: 10),
        Entry(code: "992", regions: ["TJ"], minLength: 9, maxLength: 9),
        Entry(code: "993", regions: ["TM"], minLength: 8, maxLength: 8),
        Entry(code: "994", regions: ["AZ"], minLength: 9, maxLength: 9),
        Entry(code: "995", regions: ["GE"], minLength: 9, maxLength: 9),
        Entry(code: "996", regions: ["KG"], minLength: 9, maxLength: 10),
        Entry(code: "998", regions: ["UZ"], minLength: 9, maxLength: 9),
    ].sorted { $0.code < $1.code }

    /// The table keyed by code.
    static let byCode: [String: Entry] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// The entry for an exact country calling code (digits only, no `+`), or `nil` when the code is
    /// not assigned.
    /// - Parameter code: e.g. `"49"`.
    public static func entry(forCode code: String) -> Entry? {
        byCode[code]
    }

    /// The entry whose code starts the given international digit string, or `nil` when its first
    /// 1, 2 or 3 digits are no assigned code.
    /// - Parameter digits: the digits after `+` (`"4915112345678"`).
    public static func entry(prefixing digits: some StringProtocol) -> Entry? {
        for length in 1...3 where digits.count >= length {
            if let entry = byCode[String(digits.prefix(length))] { return entry }
        }
        return nil
    }
}
