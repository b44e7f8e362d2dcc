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

    @Test("the phone's national significant number is masked in text and bytes, in every written form")
    func scrub() {
        #expect(erasure.phoneNeedles == ["15112345678"])
        #expect(erasure.scrub("to +4915112345678, or 015112345678!") == "to +49***********, or 0***********!")
        #expect(erasure.scrub("nothing here 1511234567") == "nothing here 1511234567")
        let invalid = ProfileErasure(userId: "u", profile: Profile(userId: "u", phone: "0151 oops", phoneValid: false))
        #expect(invalid.phoneNeedles == ["0151 oops"])
        #expect(ProfileErasure(userId: "u", profile: nil).phoneNeedles.isEmpty)
    }

    @Test("an ingestion error names the person by the phone in any written form, or by the user id as a whole token")
    func namesPerson() {
        let anna = ProfileErasure(userId: "anna-7", profile: Profile(userId: "anna-7", phone: "+4915112345678", phoneValid: true))
        func names(_ raw: String, reason: String = "refused") -> Bool { anna.names(raw: Array(raw.utf8), reason: reason) }
        // The phone: E.164, without +, national, with separators, form-encoded, in bytes that are no UTF-8.
        for raw in [
            #"{"to":"+4915112345678"}"#, "to=4915112345678&x=1", "015112345678", "+49 151 1234 5678", "0151-1234-5678",
            "(0151) 1234/5678", "to=%2B49+151+1234+5678", "to=%2B49%20151%2012345678",
        ] {
            #expect(names(raw), "\(raw)")
        }
        #expect(anna.names(raw: [0xFF, 0x00] + Array("4915112345678".utf8) + [0x00], reason: ""))
        #expect(names("x", reason: "phone 015112345678 unknown"))
        // The user id: as a token, JSON-escaped, percent-encoded, or a JSON string however escaped.
        for raw in [
            #"{"userId":"anna-7","ts":"x"}"#, "userId=anna-7&ts=1", "anna-7,Berlin", #"{"userId":"\u0061nna-7"}"#,
            #"{"note":{"anna-7":1}}"#, "[anna-7]",
        ] {
            #expect(names(raw), "\(raw)")
        }
        #expect(names("x", reason: "user anna-7 refused"))
        // Not the person: other ids that contain it, other numbers, digits split by letters.
        for raw in [
            #"{"userId":"anna-70"}"#, #"{"userId":"xanna-7"}"#, "anna-7_b", "1511234567", "4915112345679", "0151 1234 5679", "151a12345678", #"{"userId":"anna-8","phone":"+4915112345670"}"#,
        ] {
            #expect(!names(raw), "\(raw)")
        }
        let slash = ProfileErasure(userId: "team/7", profile: nil)
        #expect(slash.names(raw: Array(#"{"userId":"team\/7"}"#.utf8), reason: ""))
        #expect(slash.names(raw: Array("userId=team%2F7".utf8), reason: ""))
        #expect(!slash.names(raw: Array("team/70".utf8), reason: ""))
    }

    @Test("property: a phone written with any separators between its digits is found; a different number is not")
    func namesPhoneProperty() {
        var rng = SplitMix64(seed: 1515)
        let separators = [" ", "-", ".", "(", ")", "/", "+", "%20", "  "]
        for _ in 0..<500 {
            let digits = (0..<11).map { _ in String(rng.next() % 10) }.joined()
            let person = ProfileErasure(userId: "u", profile: Profile(userId: "u", phone: "+49" + digits, phoneValid: true))
            guard let nsn = person.phoneNeedles.first else { continue }
            var written = ""
            for (i, d) in nsn.enumerated() {
                if i > 0, rng.next() % 3 == 0 { written += separators[Int(rng.next() % UInt64(separators.count))] }
                written.append(d)
            }
            #expect(person.names(raw: Array(("to=+49" + written + "&k=v").utf8), reason: ""), "\(written)")
            var other = Array(nsn)
            let at = Int(rng.next() % UInt64(other.count))
            other[at] = other[at] == "9" ? "0" : Character(String(other[at].wholeNumberValue! + 1))
            #expect(!person.names(raw: Array(("to=+49" + String(other)).utf8), reason: ""), "\(String(other)) vs \(nsn)")
        }
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
