import Foundation
import Testing
import SMSCore

/// Delivery error code table and lookup (`docs/DOMAIN.md` §3 "Error codes of the generic contract").
@Suite("Delivery error catalog")
struct CallbacksErrorCatalogTests {
    @Test("the generic table has 900–920 without 911, each code once")
    func genericTableShape() {
        let codes = DeliveryErrorCatalog.genericCodes.map(\.code)
        #expect(codes == (900...920).filter { $0 != 911 }.map(String.init))
        #expect(Set(codes).count == 20)
    }

    @Test("every generic code has its description and category", arguments: [
        ("900", "Other (see description)", DeliveryErrorCategory.other),
        ("901", "DND", .consent),
        ("902", "Spam detected", .content),
        ("903", "Blacklisted / STOP", .consent),
        ("904", "Provider system error", .operator_),
        ("905", "Subscriber error", .subscriber),
        ("906", "DLT header blocked (India)", .regulatory),
        ("907", "DLT entity blocked (India)", .regulatory),
        ("908", "DLT template blocked (India)", .regulatory),
        ("909", "DLT consent blocked (India)", .regulatory),
        ("910", "Invalid subscriber", .subscriber),
        ("912", "Inbox full", .subscriber),
        ("913", "NDNC", .consent),
        ("914", "Undelivered after retries", .operator_),
        ("915", "Dropped", .subscriber),
        ("916", "Expired", .operator_),
        ("917", "Force expired", .operator_),
        ("918", "Duplicate within 30 min", .duplicate),
        ("919", "DLT failure", .regulatory),
        ("920", "URL not whitelisted", .content),
    ])
    func genericCodes(code: String, description: String, category: DeliveryErrorCategory) {
        let expected = DeliveryErrorCode(code: code, description: description, category: category)
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: .generic, description: code == "900" ? nil : "ignored for catalogued codes") == expected)
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: nil, description: nil) == expected)
    }

    @Test("code 900 takes the provider's description, which is its meaning")
    func code900UsesDescription() {
        #expect(DeliveryErrorCatalog.lookup(code: "900", provider: .generic, description: " Carrier timeout ")
            == DeliveryErrorCode(code: "900", description: "Carrier timeout", category: .other))
    }

    @Test("Twilio codes have the titles of Twilio's error pages", arguments: [
        ("21610", "Attempt to send to unsubscribed recipient", DeliveryErrorCategory.consent),
        ("21614", "'To' number is not a valid mobile number", .subscriber),
        ("30001", "Queue overflow", .operator_),
        ("30002", "Account suspended", .operator_),
        ("30003", "Unreachable destination handset", .subscriber),
        ("30004", "Message blocked", .consent),
        ("30005", "Unknown destination handset", .subscriber),
        ("30006", "Landline or unreachable carrier", .subscriber),
        ("30007", "Message filtered", .content),
        ("30008", "Unknown error", .other),
        ("30009", "Missing segment", .operator_),
        ("30010", "Message price exceeds max price", .other),
    ])
    func twilioCodes(code: String, description: String, category: DeliveryErrorCategory) {
        let expected = DeliveryErrorCode(code: code, description: description, category: category)
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: .twilio, description: "Twilio's own text") == expected)
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: nil, description: nil) == expected)
    }

    @Test("SMPP codes from Kannel and Jasmin are kept as given, provider category", arguments: [
        (ProviderKind.kannel, "001", "SMPP error 001"),
        (.jasmin, "0", "SMPP error 0"),
        (.jasmin, "ESME_RINVDSTADR", "SMPP command status ESME_RINVDSTADR"),
        (.kannel, "REJECTD", "SMSC rejected the message"),
    ])
    func smppCodes(provider: ProviderKind, code: String, description: String) {
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: provider, description: "whatever")
            == DeliveryErrorCode(code: code, description: description, category: .provider))
    }

    @Test("unknown codes keep the code and the given description with category unknown", arguments: [
        ("911", ProviderKind?.some(.generic), "odd", "odd"),
        ("914", .twilio, "carrier said no", "carrier said no"),  // generic codes are not Twilio's
        ("30003", .generic, nil, "Unknown error 30003"),
        ("9", .vonage, "Illegal Number", "Illegal Number"),
        ("402", .sinch, nil, "Unknown error 402"),
        ("NOPE", .kannel, "x", "x"),
        ("12345", nil, nil, "Unknown error 12345"),
        ("", nil, nil, "Unknown error (no code given)"),
    ])
    func unknownCodes(code: String, provider: ProviderKind?, description: String?, expected: String) {
        #expect(DeliveryErrorCatalog.lookup(code: code, provider: provider, description: description)
            == DeliveryErrorCode(code: code, description: expected, category: .unknown))
    }

    @Test("surrounding whitespace of a code is dropped before lookup")
    func whitespaceTrimmed() {
        #expect(DeliveryErrorCatalog.lookup(code: " 914\n", provider: nil, description: nil).code == "914")
        #expect(DeliveryErrorCatalog.lookup(code: " 914\n", provider: nil, description: nil).category == .operator_)
    }

    @Test("categories and provider kinds encode as their lower-case names")
    func rawValues() throws {
        #expect(DeliveryErrorCategory.operator_.rawValue == "operator")
        let json = try JSONEncoder().encode([DeliveryErrorCategory.operator_, .provider])
        #expect(String(decoding: json, as: UTF8.self) == #"["operator","provider"]"#)
        #expect(ProviderKind.allCases.map(\.rawValue) == ["generic", "twilio", "vonage", "plivo", "sinch", "gupshup", "kannel", "jasmin"])
    }
}
