import Testing

@testable import SMSCore

@Suite("Opt-out keywords")
struct OptOutKeywordsTests {
    @Test(arguments: [
        ("STOP", OptOutKeywords.Intent?.some(.optOut)), ("stop", .optOut), ("  Stop.\n", .optOut), ("STOPALL", .optOut),
        ("unsubscribe", .optOut), ("Cancel", .optOut), ("END", .optOut), ("quit!", .optOut),
        ("START", .optIn), ("unstop", .optIn),
        ("stop please", nil), ("STOPP", nil), ("", nil), ("Thanks, see you at the store", nil),
    ])
    func standardKeywords(text: String, intent: OptOutKeywords.Intent?) {
        #expect(OptOutKeywords().classify(text) == intent)
    }

    @Test func configuredKeywordsAddToTheStandardOnes() {
        let k = OptOutKeywords(extraOptOut: ["stopp", "Arret"])
        #expect(k.classify("STOPP") == .optOut)
        #expect(k.classify("arret") == .optOut)
        #expect(k.classify("STOP") == .optOut)
        #expect(k.classify("START") == .optIn)
    }
}
