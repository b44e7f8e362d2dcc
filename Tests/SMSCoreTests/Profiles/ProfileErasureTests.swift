import Foundation
import Testing
@testable import SMSCore

/// The erasure rule's pure parts (issue 15).
@Suite("Profiles: erasure rule")
struct ProfileErasureTests {
    let erasure = ProfileErasure(userId: "u1", profile: Profile(userId: "u1", phone: "+4915112345678", phoneValid: true))

    @Test("the pseudonym is random, not derived from the user or the phone")
    func pseudonym() {
        let a = ProfileErasure(userId: "u1", profile: nil), b = ProfileErasure(userId: "u1", profile: nil)
        #expect(a.pseudonym != b.pseudonym)
        #expect(a.pseudonym.hasPrefix("erased-") && a.pseudonym.count == 39)
        let hex = a.pseudonym.dropFirst(7).allSatisfy { $0.isHexDigit }
        #expect(hex)
    }

    @Test("the phone's national significant number is masked in text, contiguous or with separators")
    func scrub() {
        #expect(erasure.scrub("to +4915112345678, or 015112345678!") == "to +49***********, or 0***********!")
        #expect(erasure.scrub("call +49 151 1234-5678 now") == "call +49 *** ****-**** now")
        #expect(erasure.scrub("nothing here 1511234567") == "nothing here 1511234567")
        #expect(erasure.scrub("longer 151123456789, other 9915112345678") == "longer 151123456789, other 9915112345678")
        let invalid = ProfileErasure(userId: "u", profile: Profile(userId: "u", phone: "0151 oops", phoneValid: false))
        #expect(invalid.scrub("was 0151 oops.") == "was *********.")
        #expect(ProfileErasure(userId: "u", profile: nil).scrub("+4915112345678") == "+4915112345678")
    }

    @Test("a pending callback naming the person loses reply text and phone, the phone's digits masked anywhere; meta kept")
    func pending() throws {
        let item = CallbackItem(
            kind: .replied, meta: "m-other", ts: 5, description: "from +49 151 1234 5678", incomingText: "STOP",
            toPhone: "+49 (151) 1234 5678")
        let payload = String(decoding: try JSONEncoder().encode(item), as: UTF8.self)
        let scrubbed = try JSONDecoder().decode(CallbackItem.self, from: Data(erasure.scrub(pending: payload).utf8))
        #expect(scrubbed == CallbackItem(kind: .replied, meta: "m-other", ts: 5, description: "from +49 *** **** ****"))
        #expect(erasure.scrub(pending: "not json 015112345678") == "not json 0***********")
    }

    @Test("a callback event loses its reply text and phone, keeps what a recount reads")
    func event() {
        let item = CallbackItem(
            kind: .replied, meta: "m1", ts: 5, code: "opt_out", description: "from 4915112345678", url: "https://x.example",
            incomingText: "STOP", toPhone: "+4915112345678", providerMessageId: "p1")
        let scrubbed = erasure.scrub(event: item)
        #expect(scrubbed == CallbackItem(
            kind: .replied, meta: "m1", ts: 5, code: "opt_out", description: "from 49***********", url: "https://x.example",
            providerMessageId: "p1"))
    }

    @Test("conversion properties keep only what a goal reads")
    func properties() {
        let goals = [
            ConversionGoal(event: "purchase", windowMinutes: 60, revenueProperty: "amount"),
            ConversionGoal(event: "purchase", windowMinutes: 60, filters: [PropertyFilter(property: "plan", op: .equals, value: .string("pro"))]),
        ]
        let props: [String: JSONValue] = ["amount": .number(12), "plan": .string("pro"), "email": .string("a@b.example")]
        #expect(ProfileErasure.retainedProperties(props, goals: goals) == ["amount": .number(12), "plan": .string("pro")])
        #expect(ProfileErasure.retainedProperties(props, goals: []) == [:])
    }

    @Test("property: scrub(audience:) removes exactly the erased id from a userIds list, order kept; other audiences unchanged")
    func audience() {
        var rng = SplitMix64(seed: 15)
        for _ in 0..<500 {
            let ids = (0..<Int(rng.next() % 8)).map { _ in ["u1", "u2", "u10", "u", "U1"][Int(rng.next() % 5)] }
            #expect(erasure.scrub(audience: .userIds(ids)) == .userIds(ids.filter { $0 != "u1" }))
        }
        #expect(erasure.scrub(audience: .all) == .all)
        #expect(erasure.scrub(audience: .segment(4)) == .segment(4))
    }

    @Test("a pseudonym is recognised exactly; a click on a pseudonymised user's message drops user agent and IP hash only")
    func laterClicks() {
        let p = ProfileErasure.newPseudonym()
        #expect(ProfileErasure.isPseudonym(p))
        for other in ["erased-", "u1", "erased-" + String(repeating: "0", count: 31), "erased-" + String(repeating: "A", count: 32),
                      "erased-" + String(repeating: "f", count: 33), "Erased-" + String(repeating: "0", count: 32)] {
            #expect(!ProfileErasure.isPseudonym(other), "\(other)")
        }
        let click = ClickInput(code: "abc", at: 5, userAgent: "UA", ipHash: "h", isBot: true, botReason: "HEAD request", clickId: "c1")
        #expect(ProfileErasure.storedClick(click, messageUserId: "u1") == click)
        let stored = ProfileErasure.storedClick(click, messageUserId: p)
        #expect(stored == ClickInput(code: "abc", at: 5, userAgent: nil, ipHash: nil, isBot: true, botReason: "HEAD request", clickId: "c1"))
    }
}
