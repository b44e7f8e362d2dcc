import Foundation
import Testing

@testable import SMSCore

/// Issue 18: the body whose encoding multiplies its cost (``EncodingCostWarning``).
@Suite("Encoding cost warning")
struct EncodingCostWarningTests {
    @Test("one curly apostrophe makes a 100-character body UCS-2: 2 segments instead of 1, named with its code point")
    func curlyApostrophe() throws {
        let body = "It\u{2019}s spring: " + String(repeating: "a", count: 85)
        let w = try #require(EncodingCostWarning.check(body))
        #expect(w.kind == .ucs2 && w.segments == 2 && w.segmentsOtherwise == 1 && w.characters == ["\u{2019}"])
        #expect(w.message() == "\u{2019} (U+2019) makes this UCS-2 (Unicode): 2 segments instead of 1 per recipient; replace it with GSM-7 characters to pay 1")
        #expect(w.message(field: "variants[1].body").hasPrefix("variants[1].body: \u{2019} (U+2019) makes"))
    }

    @Test("several characters, in order of first appearance, each once; an emoji counts 2 UTF-16 units")
    func severalCharacters() throws {
        let body = "\u{201C}Hi\u{201D} \u{1F600} " + String(repeating: "b", count: 200) + " \u{201C}"
        let w = try #require(EncodingCostWarning.check(body))
        #expect(w.characters == ["\u{201C}", "\u{201D}", "\u{1F600}"])
        #expect(w.segments == SegmentCounter.count(body).segments && w.segments == 4 && w.segmentsOtherwise == 2)
        #expect(w.message().hasPrefix("\u{201C} (U+201C), \u{201D} (U+201D), \u{1F600} (U+1F600) make this UCS-2"))
    }

    @Test("no warning when the cost does not change: GSM-7 in one segment, or UCS-2 that fits one segment either way", arguments: [
        "Hello", "Gr\u{00FC}\u{00DF}e \u{20AC}5", "It\u{2019}s short", String(repeating: "x", count: 200),
    ])
    func noWarning(body: String) {
        #expect(EncodingCostWarning.check(body) == nil)
    }

    @Test("a few characters spilling into one more GSM-7 segment; extension characters named when they cause it")
    func extraSegment() throws {
        let w = try #require(EncodingCostWarning.check(String(repeating: "a", count: 163)))
        #expect(w.kind == .extraSegment && w.segments == 2 && w.segmentsOtherwise == 1 && w.spilled == 3 && w.characters == [])
        #expect(w.message() == "3 characters spill into segment 2: 2 segments instead of 1 per recipient")
        // 155 letters and three euro signs: 161 septets, 158 characters.
        let euro = try #require(EncodingCostWarning.check(String(repeating: "a", count: 155) + "\u{20AC}\u{20AC}\u{20AC}"))
        #expect(euro.segments == 2 && euro.spilled == 1 && euro.characters == ["\u{20AC}"])
        #expect(euro.message() == "1 character spills into segment 2: 2 segments instead of 1 per recipient; \u{20AC} (U+20AC) counts as 2 characters in GSM-7")
        // 11 characters over: a real second segment, no warning.
        #expect(EncodingCostWarning.check(String(repeating: "a", count: 171)) == nil)
    }

    /// Property: for random bodies, a UCS-2 warning's `segmentsOtherwise` is the segment count of
    /// the body with every named-or-not non-GSM-7 character replaced by one GSM-7 character, its
    /// characters are exactly the distinct non-GSM-7 ones (first five); an extra-segment warning
    /// saves a segment by dropping `spilled` trailing characters and not one fewer; no warning
    /// means neither holds (brute force over the scalars).
    @Test("property: the warning agrees with brute-force segment counts")
    func property() {
        var rng = SplitMix64(seed: 0x5E6_C057)
        let pool: [Unicode.Scalar] = ["a", "b", " ", "\u{20AC}", "[", "\u{2019}", "\u{00E9}", "\u{00E7}", "\u{1F600}", "\n"]
        for _ in 0..<400 {
            var scalars = String.UnicodeScalarView()
            let n = Int.random(in: 0...340, using: &rng)
            let exotic = Int.random(in: 0...4, using: &rng) == 0
            for _ in 0..<n { scalars.append(exotic ? pool.randomElement(using: &rng)! : pool[Int.random(in: 0...4, using: &rng)]) }
            let body = String(scalars)
            let count = SegmentCounter.count(body)
            let nonGSM = body.unicodeScalars.filter { SegmentCounter.septets(for: $0) == nil }
            var replaced = String.UnicodeScalarView()
            replaced.append(contentsOf: body.unicodeScalars.map { SegmentCounter.septets(for: $0) == nil ? "?" : $0 })
            let gsmSegments = SegmentCounter.count(String(replaced)).segments
            func dropped(_ k: Int) -> Int {
                var v = String.UnicodeScalarView()
                v.append(contentsOf: body.unicodeScalars.dropLast(k))
                return SegmentCounter.count(String(v)).segments
            }
            let spill = count.encoding == .gsm7 && count.segments > 1
                ? (1...min(EncodingCostWarning.extraSegmentSlack, n)).first { dropped($0) < count.segments } : nil
            let w = EncodingCostWarning.check(body)
            switch w?.kind {
            case .ucs2?:
                #expect(count.encoding == .ucs2 && w?.segmentsOtherwise == gsmSegments && gsmSegments < count.segments)
                var distinct: [Unicode.Scalar] = []
                for s in nonGSM where !distinct.contains(s) { distinct.append(s) }
                #expect(w?.characters == Array(distinct.prefix(EncodingCostWarning.shownCharacters)))
            case .extraSegment?:
                #expect(spill != nil && w?.spilled == spill && w?.segmentsOtherwise == dropped(spill ?? 0))
            case nil:
                #expect(!(count.encoding == .ucs2 && gsmSegments < count.segments) && spill == nil, "\(body.debugDescription)")
            }
        }
    }
}
