import Foundation

/// The delivery error codes this project knows, as data, and the lookup that turns a code from a
/// callback into a ``DeliveryErrorCode`` for the Errors tab.
///
/// Sources:
/// - Generic contract codes 900–920 (there is no 911; 906–909 and 916/917 are separate entries):
///   `docs/DOMAIN.md` §3 "Error codes of the generic contract".
/// - Twilio codes 30001–30010, 21610, 21614: titles of Twilio's public error pages,
///   `https://www.twilio.com/docs/api/errors/<code>` (e.g. `.../errors/30003` "Unreachable
///   destination handset"); the category is chosen from the page's meaning.
/// - SMPP `err` codes (Kannel `%A` receipt, Jasmin `err`): network/SMSC specific, so they are kept
///   as given and described as `"SMPP error NNN"` (`docs/DOMAIN.md` §3: "Provider-native codes ... are
///   kept as given").
public enum DeliveryErrorCatalog {
    /// The generic contract's codes, in code order (20 entries: 900–920 without 911).
    /// Source: `docs/DOMAIN.md` §3 "Error codes of the generic contract".
    public static let genericCodes: [DeliveryErrorCode] = [
        .init(code: "900", description: "Other (see description)", category: .other),
        .init(code: "901", description: "DND", category: .consent),
        .init(code: "902", description: "Spam detected", category: .content),
        .init(code: "903", description: "Blacklisted / STOP", category: .consent),
        .init(code: "904", description: "Provider system error", category: .operator_),
        .init(code: "905", description: "Subscriber error", category: .subscriber),
        .init(code: "906", description: "DLT header blocked (India)", category: .regulatory),
        .init(code: "907", description: "DLT entity blocked (India)", category: .regulatory),
        .init(code: "908", description: "DLT template blocked (India)", category: .regulatory),
        .init(code: "909", description: "DLT consent blocked (India)", category: .regulatory),
        .init(code: "910", description: "Invalid subscriber", category: .subscriber),
        .init(code: "912", description: "Inbox full", category: .subscriber),
        .init(code: "913", description: "NDNC", category: .consent),
        .init(code: "914", description: "Undelivered after retries", category: .operator_),
        .init(code: "915", description: "Dropped", category: .subscriber),
        .init(code: "916", description: "Expired", category: .operator_),
        .init(code: "917", description: "Force expired", category: .operator_),
        .init(code: "918", description: "Duplicate within 30 min", category: .duplicate),
        .init(code: "919", description: "DLT failure", category: .regulatory),
        .init(code: "920", description: "URL not whitelisted", category: .content),
    ]

    /// Twilio's messaging delivery codes named in `docs/DOMAIN.md` §3, with the titles of Twilio's public
    /// error pages (`https://www.twilio.com/docs/api/errors/<code>`).
    public static let twilioCodes: [DeliveryErrorCode] = [
        .init(code: "21610", description: "Attempt to send to unsubscribed recipient", category: .consent),
        .init(code: "21614", description: "'To' number is not a valid mobile number", category: .subscriber),
        .init(code: "30001", description: "Queue overflow", category: .operator_),
        .init(code: "30002", description: "Account suspended", category: .operator_),
        .init(code: "30003", description: "Unreachable destination handset", category: .subscriber),
        .init(code: "30004", description: "Message blocked", category: .consent),
        .init(code: "30005", description: "Unknown destination handset", category: .subscriber),
        .init(code: "30006", description: "Landline or unreachable carrier", category: .subscriber),
        .init(code: "30007", description: "Message filtered", category: .content),
        .init(code: "30008", description: "Unknown error", category: .other),
        .init(code: "30009", description: "Missing segment", category: .operator_),
        .init(code: "30010", description: "Message price exceeds max price", category: .other),
    ]

    private static let genericByCode: [String: DeliveryErrorCode] =
        Dictionary(uniqueKeysWithValues: genericCodes.map { ($0.code, $0) })
    private static let twilioByCode: [String: DeliveryErrorCode] =
        Dictionary(uniqueKeysWithValues: twilioCodes.map { ($0.code, $0) })

    /// Describes a delivery error code.
    ///
    /// - Parameters:
    ///   - code: the code as received (string form; surrounding whitespace is ignored and dropped).
    ///   - provider: the dialect the code came from. `nil` means "not known": the generic table is
    ///     tried, then Twilio's (their code ranges do not overlap). `.generic` uses only the generic
    ///     table, `.twilio` only Twilio's, `.kannel`/`.jasmin` describe SMPP codes. Other providers'
    ///     native codes are not catalogued and come back as `unknown`.
    ///   - description: the provider's own description, if it sent one. It replaces the catalog text
    ///     for generic `900` ("other, see description") and is used for codes the catalog does not know.
    /// - Returns: the catalog entry; for SMPP codes of Kannel/Jasmin `"SMPP error NNN"` (all-digit
    ///   `err`), `"SMPP command status ESME_…"` (Jasmin level-1 failures) or `"SMSC rejected the
    ///   message"` (Kannel `REJECTD`), category `provider`; otherwise the code with the given
    ///   description (or `"Unknown error <code>"`) and category `unknown`. Never throws.
    public static func lookup(code: String, provider: ProviderKind?, description: String?) -> DeliveryErrorCode {
        let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
        let given = description.flatMap { text -> String? in
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        let known: DeliveryErrorCode?
        switch provider {
        case nil:
            known = generic(trimmed, given: given) ?? twilioByCode[trimmed]
        case .generic?:
            known = generic(trimmed, given: given)
        case .twilio?:
            known = twilioByCode[trimmed]
        case .kannel?, .jasmin?:
            known = smpp(trimmed)
        case .vonage?, .plivo?, .sinch?, .gupshup?:
            known = nil
        }
        if let known { return known }
        let fallback = trimmed.isEmpty ? "Unknown error (no code given)" : "Unknown error \(trimmed)"
        return DeliveryErrorCode(code: trimmed, description: given ?? fallback, category: .unknown)
    }

    private static func generic(_ code: String, given: String?) -> DeliveryErrorCode? {
        guard let entry = genericByCode[code] else { return nil }
        if code == "900", let given {
            return DeliveryErrorCode(code: code, description: given, category: entry.category)
        }
        return entry
    }

    private static func smpp(_ code: String) -> DeliveryErrorCode? {
        guard !code.isEmpty else { return nil }
        if code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return DeliveryErrorCode(code: code, description: "SMPP error \(code)", category: .provider)
        }
        if code.hasPrefix("ESME_") {
            return DeliveryErrorCode(code: code, description: "SMPP command status \(code)", category: .provider)
        }
        if code == "REJECTD" {
            return DeliveryErrorCode(code: code, description: "SMSC rejected the message", category: .provider)
        }
        return nil
    }
}
