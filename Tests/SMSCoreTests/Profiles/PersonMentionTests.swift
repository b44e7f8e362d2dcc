import Foundation
import Testing
@testable import SMSCore

/// Which raw input names a person (issue 15, tester's finding: a short or common user id deleted
/// other people's ingestion errors).
@Suite("Profiles: raw input naming a person")
struct PersonMentionTests {
    static let phone = "+4915112345678"

    func mention(_ userId: String, metas: [String] = ["mQ7k2Zp9xA"], providerIds: [String] = []) -> PersonMention {
        PersonMention(userId: userId, phone: Self.phone, metas: metas, providerMessageIds: providerIds)
    }

    /// Other people's input that holds `1`, `delivered`, parts of the phone and the like.
    static let others: [String] = [
        #"{"eventId":"e1","userId":"u2","name":"purchase","ts":1700000001,"properties":{"qty":1}}"#,
        #"{"eventId":"1","userId":"2","name":"delivered","ts":"1"}"#,
        #"{"userId":"11","name":"x","ts":1}"#,
        #"{"userId":"delivered-2","name":"delivered"}"#,
        "meta=m1&status=delivered&ts=1700000000&to=%2B4915112345679",
        #"{"meta":"mZZ","status":"delivered","to":"+49 151 1234 567"}"#,
        #"{"items":[{"meta":"m2","status":"1"}],"note":"user 1 delivered"}"#,
        "id=1&err=1&text=51123456&sub=001&dlvrd=001",
        "to=151123456789&from=9915112345678",
        #"{"owner":"1","by":"delivered","user":"10"}"#,
        "GET /callbacks/p1?meta=mQ7k2Zp9xAB&status=1",
    ]

    @Test("a short or common user id names no one else's input; the person's own is found by field, meta or phone")
    func field() {
        for id in ["1", "delivered"] {
            let m = mention(id)
            for raw in Self.others { #expect(!m.names(raw: Array(raw.utf8), reason: "refused: 1 delivered"), "\(id): \(raw)") }
            for raw in [
                #"{"eventId":"e9","userId":"\#(id)","name":"x","ts":1}"#, #"[{"userId" : "\#(id)"}]"#,
                #"{"userId":"\#(id)","ts":"#, "userId=\(id)&ts=1", #"{"nested":{"user_id":"\#(id)"}}"#, "meta=x&user=\(id)", #"{"user":"\#(id)"}"#,
                #"{"userId":"\#(id.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined())"}"#,
            ] {
                #expect(m.names(raw: Array(raw.utf8)), "\(id): \(raw)")
            }
        }
        #expect(mention("1").names(raw: Array(#"{"userId":1,"ts":"x"}"#.utf8)))
        #expect(!mention("delivered").names(raw: Array(#"{"userId":1}"#.utf8)))
        let m = mention("1")
        for raw in [
            "meta=mQ7k2Zp9xA&status=delivered", #"{"meta":"mQ7k2Zp9xA"}"#, "to=%2B4915112345678", "to=+49+151+1234+5678",
            #"{"to":"+49 (151) 1234-5678"}"#, "015112345678", "0049 151 12345678", "to=%2B49%20151%2012345678",
        ] {
            #expect(m.names(raw: Array(raw.utf8)), "\(raw)")
        }
        #expect(m.names(raw: [0xFF, 0x00] + Array("4915112345678".utf8) + [0x00]))
        #expect(m.names(raw: Array("x".utf8), reason: "unknown meta mQ7k2Zp9xA"))
        #expect(m.names(raw: Array("x".utf8), reason: "phone 015112345678 unknown"))
        // A provider message id names the person from 8 characters on.
        #expect(mention("1", providerIds: ["SM0123456789abcdef"]).names(raw: Array("MessageSid=SM0123456789abcdef".utf8)))
        #expect(!mention("1", providerIds: ["17"]).names(raw: Array("id=17".utf8)))
    }

    @Test("property: a phone written with any separators between its digits is found; a different or longer number is not")
    func phoneProperty() {
        var rng = SplitMix64(seed: 1515)
        let separators = [" ", "-", ".", "(", ")", "/", "+", "%20", "  ", "%2B", "%2d"]
        for _ in 0..<500 {
            let digits = "1" + (0..<10).map { _ in String(rng.next() % 10) }.joined()
            let person = PersonMention(userId: "u", phone: "+49" + digits, metas: [], providerMessageIds: [])
            guard let nsn = person.phoneDigits else { continue }
            var (written, maskedWritten) = ("", "")
            for (i, d) in nsn.enumerated() {
                if i > 0, rng.next() % 3 == 0 {
                    let separator = separators[Int(rng.next() % UInt64(separators.count))]
                    written += separator
                    maskedWritten += separator
                }
                written.append(d)
                maskedWritten.append("*")
            }
            for prefix in ["to=+49", "to=0", "to=", "tel:0049", "x ", "to=49", "to=01149"] {
                #expect(person.names(raw: Array((prefix + written + "&k=v").utf8)), "\(prefix)\(written)")
            }
            #expect(person.masked("to=+49" + written + "&k=v") == "to=+49" + maskedWritten + "&k=v")
            var other = Array(nsn)
            let at = Int(rng.next() % UInt64(other.count))
            other[at] = other[at] == "9" ? "0" : Character(String(other[at].wholeNumberValue! + 1))
            #expect(!person.names(raw: Array(("to=+49" + String(other)).utf8)), "\(String(other)) vs \(nsn)")
            #expect(!person.names(raw: Array(("to=" + nsn + "7").utf8)))
            #expect(!person.names(raw: Array(("to=" + String(nsn.dropLast())).utf8)))
            #expect(!person.names(raw: Array(("to=" + "9" + nsn).utf8)))
            // Digits before the country code or the trunk 0 make it another, longer number.
            for longer in ["949", "12349", "90", "1049", "0149"] {
                #expect(!person.names(raw: Array(("to=" + longer + nsn).utf8)), "\(longer)\(nsn)")
            }
        }
    }

    @Test("the tester's numbers: a longer number ending in the person's digits is another person's")
    func longerNumbersOnTheLeft() {
        let us = PersonMention(userId: "1", phone: "+14155550123", metas: [], providerMessageIds: [])
        #expect(!us.names(raw: Array(#"{"description":"to 914155550123"}"#.utf8)))
        #expect(us.names(raw: Array(#"{"description":"to 14155550123"}"#.utf8)))
        #expect(us.names(raw: Array(#"{"description":"to 0014155550123"}"#.utf8)))
        #expect(us.names(raw: Array(#"{"description":"to 01114155550123"}"#.utf8)))
        #expect(us.names(raw: Array(#"{"description":"to +1 (415) 555-0123"}"#.utf8)))
        let de = PersonMention(userId: "v1", phone: "+4915123456777", metas: [], providerMessageIds: [])
        #expect(!de.names(raw: Array("94915123456777".utf8)))
        #expect(!de.names(raw: Array("tel 1234915123456777".utf8)))
        #expect(!de.names(raw: Array("915123456777".utf8)))
        #expect(!de.names(raw: Array("49151234567770".utf8)))
        #expect(de.names(raw: Array("tel 4915123456777".utf8)))
        #expect(de.names(raw: Array("tel 015123456777".utf8)))
    }

    /// Whether `pattern` (SQL `LIKE`, escape `\`, `%` and `_` only, case-sensitive) matches `text`.
    static func like(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
        func m(_ t: Int, _ p: Int) -> Bool {
            if p == pattern.count { return t == text.count }
            switch pattern[p] {
            case UInt8(ascii: "%"): return (t...text.count).contains { m($0, p + 1) }
            case UInt8(ascii: "_"): return t < text.count && m(t + 1, p + 1)
            case UInt8(ascii: "\\") where p + 1 < pattern.count:
                return t < text.count && text[t] == pattern[p + 1] && m(t + 1, p + 2)
            default: return t < text.count && text[t] == pattern[p] && m(t + 1, p + 1)
            }
        }
        return m(0, 0)
    }

    @Test("property: whatever names the person passes the stores' pre-filter (a literal or a LIKE pattern)")
    func prefilterIsSuperset() {
        var rng = SplitMix64(seed: 77)
        let ids = ["1", "delivered", "a_b%c", "team/7", #"q"uote\"#, "ünï"]
        let pieces = [
            "to=+49 151 1234 5678", #"{"userId":"ID"}"#, "userId=PCT", #"{"user_id" : "ID"}"#, "meta=mQ7k2Zp9xA", "x", "1",
            "delivered", "{", "015112345678", #""userId":"#, "&",
        ]
        for _ in 0..<2000 {
            let id = ids[Int(rng.next() % UInt64(ids.count))]
            let m = mention(id)
            let json = String(decoding: try! JSONEncoder().encode(id).dropFirst().dropLast(), as: UTF8.self)
            let pct = id.addingPercentEncoding(withAllowedCharacters: PersonMention.unreserved)!
            let raw = (0..<Int(1 + rng.next() % 4)).map { _ in
                pieces[Int(rng.next() % UInt64(pieces.count))].replacingOccurrences(of: "ID", with: json)
                    .replacingOccurrences(of: "PCT", with: pct)
            }.joined(separator: rng.next() % 2 == 0 ? "" : " ")
            let bytes = Array(raw.utf8)
            guard m.names(raw: bytes) else { continue }
            let kept = m.literals.contains { raw.contains($0) } || m.likePatterns.contains { Self.like(bytes, Array($0.utf8)) }
            #expect(kept, "\(id): \(raw)")
        }
    }
}
