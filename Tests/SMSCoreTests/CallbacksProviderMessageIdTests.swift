import Foundation
import SMSCore
import Testing

@Suite("Provider message id normalisation")
struct CallbacksProviderMessageIdTests {
    @Test("per-dialect rules: case and leading zeros", arguments: [
        (ProviderKind.generic, " AbC-001 ", "AbC-001"),
        (.twilio, "SM1342FE1B2C904D1AB04F0FC7A58ABCA9", "sm1342fe1b2c904d1ab04f0fc7a58abca9"),
        (.twilio, "SM0001", "sm0001"),
        (.plivo, "DB3A2A1E-3A7E-11EA-9F42-0242AC110003", "db3a2a1e-3a7e-11ea-9f42-0242ac110003"),
        (.jasmin, "06FD2706-8BAF-433B-82EB-8C7FADA847DA", "06fd2706-8baf-433b-82eb-8c7fada847da"),
        (.sinch, "01FC66621VHDBN119Z8PMV1QPQ", "01fc66621vhdbn119z8pmv1qpq"),
        (.vonage, "0A0000001234567B", "a0000001234567b"),
        (.vonage, "a0000001234567b", "a0000001234567b"),
        (.kannel, "0001795940704916", "1795940704916"),
        (.gupshup, "03693849823453231234", "3693849823453231234"),
        (.gupshup, "000", "0"),
    ])
    func rules(kind: ProviderKind, id: String, expected: String) {
        #expect(ProviderMessageId.normalize(id, kind: kind) == expected)
    }

    @Test("an absent or blank id is no id")
    func blank() {
        #expect(ProviderMessageId.normalize(nil, kind: .twilio) == nil)
        #expect(ProviderMessageId.normalize("  ", kind: .vonage) == nil)
    }

    @Test("an item's provider id is normalised, its meta left as received")
    func item() {
        let item = CallbackItem(kind: .delivered, meta: "SMAB", providerMessageId: "SMAB")
        let normalised = ProviderMessageId.normalize(item, kind: .twilio)
        #expect(normalised.meta == "SMAB")
        #expect(normalised.providerMessageId == "smab")
    }
}
