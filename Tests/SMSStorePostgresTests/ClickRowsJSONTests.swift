import Foundation
import SMSCore
@testable import SMSStorePostgres
import Testing

/// The click rows' hand-written JSON (``ClickRows/json``) against Foundation's encoder: the same
/// document for any text (quotes, backslashes, every control character, non-ASCII, emoji), with
/// `null` where the encoder leaves an absent value out.
@Suite("PostgreSQL store: click rows as JSON")
struct ClickRowsJSONTests {
    static let alphabet: [Character] =
        Array("aZ09 \"\\/'{}[],:") + (0..<0x20).map { Character(Unicode.Scalar($0)!) } + ["\u{7F}", "é", "ß", "€", "😀", "\u{2028}", "\u{FFFD}"]

    static func text<G: RandomNumberGenerator>(_ g: inout G) -> String {
        String((0..<Int.random(in: 0...24, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
    }

    static func objects(_ json: String) throws -> [[String: NSObject]] {
        let any = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try #require(any as? [[String: Any]]).map { row in
            row.compactMapValues { $0 is NSNull ? nil : $0 as? NSObject }
        }
    }

    /// 500 random rows (fixed seed): equal documents; an empty batch is `[]`.
    @Test func sameDocumentAsJSONEncoder() throws {
        var g = SplitMix64(seed: 14)
        let rows = (0..<500).map { i in
            ClickRows.Row(
                code: Self.text(&g), message_id: Int64.random(in: Int64.min...Int64.max, using: &g), campaign_id: Self.text(&g),
                link_index: Int64(i % 7), at: Int64.random(in: 0...4_102_444_800, using: &g),
                user_agent: Bool.random(using: &g) ? Self.text(&g) : nil, ip_hash: Bool.random(using: &g) ? Self.text(&g) : nil,
                is_bot: Bool.random(using: &g), bot_reason: Bool.random(using: &g) ? Self.text(&g) : nil,
                click_id: Bool.random(using: &g) ? Self.text(&g) : nil)
        }
        let mine = ClickRows(rows: rows).json
        let reference = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        #expect(try Self.objects(mine) == Self.objects(reference))
        #expect(try Self.objects(mine).count == 500)
        #expect(ClickRows().json == "[]")
        let one = ClickRows(rows: [
            ClickRows.Row(
                code: "ab\"c", message_id: 7, campaign_id: "c\\1", link_index: 0, at: 1, user_agent: "x\u{1}\ny", ip_hash: nil,
                is_bot: true, bot_reason: "é", click_id: nil)
        ]).json
        #expect(one == #"[{"code":"ab\"c","message_id":7,"campaign_id":"c\\1","link_index":0,"at":1,"user_agent":"x\u0001\u000ay","ip_hash":null,"is_bot":true,"bot_reason":"é","click_id":null}]"#)
    }
}
