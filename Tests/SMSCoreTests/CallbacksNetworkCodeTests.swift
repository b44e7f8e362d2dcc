import Foundation
import Testing
@testable import SMSCore

/// The carrier / network (MCC-MNC) of a receipt (``NetworkCode``, `docs/DOMAIN.md` §3 "Carrier / network").
@Suite("Callback network code")
struct CallbacksNetworkCodeTests {
    @Test("5 or 6 ASCII digits are a code (white space around trimmed); anything else is none", arguments: [
        ("26202", "26202"), ("310260", "310260"), (" 23415\n", "23415"), ("2620", nil), ("3102601", nil),
        ("26a02", nil), ("", nil), ("  ", nil), ("26 202", nil), ("-2620", nil), ("٢٦٢٠٢", nil), ("2620２", nil),
    ] as [(String, String?)])
    func valid(raw: String, code: String?) {
        #expect(NetworkCode.valid(raw) == code)
    }

    @Test("merged keeps the smaller valid code; an absent or bad report keeps what is stored")
    func mergedExamples() {
        #expect(NetworkCode.merged(nil, nil) == nil)
        #expect(NetworkCode.merged(nil, "26202") == "26202")
        #expect(NetworkCode.merged("26203", "26202") == "26202")
        #expect(NetworkCode.merged("26202", "26203") == "26202")
        #expect(NetworkCode.merged("26202", "bad") == "26202")
        #expect(NetworkCode.merged(nil, "12") == nil)
        // Byte order: "262021" sorts after "26202" (a prefix), "31026" after "262021".
        #expect(NetworkCode.merged("262021", "26202") == "26202")
        #expect(NetworkCode.merged("31026", "262021") == "262021")
    }

    /// Property: folding any permutation of a multiset of reports (valid, bad, absent, repeated)
    /// gives the smallest valid code, by a brute-force sort.
    @Test("property: the fold is the same in every order and equals the smallest valid code")
    func foldIsOrderIndependent() {
        var rng = SplitMix64(seed: 0x4E37_C0DE)
        let pool: [String?] = [nil, "26202", "26201", "262011", "31026", "310260", "23415", "bad", "2620", " 26203 ", "9999999"]
        for _ in 0..<500 {
            let reports = (0..<Int.random(in: 0...8, using: &rng)).map { _ in pool.randomElement(using: &rng)! }
            let expected = reports.compactMap { r -> String? in
                guard let r else { return nil }
                let t = r.trimmingCharacters(in: .whitespaces)
                return (t.count == 5 || t.count == 6) && t.allSatisfy(\.isASCII) && t.allSatisfy(\.isNumber) ? t : nil
            }.sorted().first
            for _ in 0..<3 {
                let folded = reports.shuffled(using: &rng).reduce(String?.none) { NetworkCode.merged($0, $1) }
                #expect(folded == expected, "\(reports)")
            }
        }
    }

    @Test("Vonage: network-code is kept as received on the item, bad or not; the receipt is never refused")
    func vonage() throws {
        let good = #"{"messageId":"V1","status":"delivered","network-code":"26202","message-timestamp":"2020-01-01 12:00:00"}"#
        #expect(try VonageCallback.parse(json: Data(good.utf8)).items.map(\.network) == ["26202"])
        let bad = #"{"messageId":"V2","status":"delivered","network-code":"T-Mobile","message-timestamp":"2020-01-01 12:00:00"}"#
        let result = try VonageCallback.parse(json: Data(bad.utf8))
        #expect(result.invalid == [])
        #expect(result.items.map(\.network) == ["T-Mobile"])
        #expect(NetworkCode.valid(result.items[0].network) == nil)
        #expect(VonageCallback.parse(params: ["messageId": "V3", "status": "accepted", "network-code": "310260"]).items.map(\.network) == ["310260"])
        #expect(VonageCallback.parse(params: ["messageId": "V4", "status": "accepted"]).items.map(\.network) == [nil])
    }

    @Test("generic: the optional network field, as a string or a number; a bad one is kept raw, never refused")
    func generic() throws {
        let body = """
            [{"event": "delivered", "data": [{"meta": "m-1", "ts": 1700000000, "network": "26202"},
                                             {"meta": "m-2", "ts": 1700000000, "network": 310260},
                                             {"meta": "m-3", "ts": 1700000000, "network": "x"},
                                             {"meta": "m-4", "ts": 1700000000}]},
             {"event": "failed", "data": [{"meta": "m-5", "ts": 1700000000, "code": "1", "network": "23415"}]}]
            """
        let result = try GenericCallbackParser.parse(Data(body.utf8))
        #expect(result.invalid == [])
        #expect(result.items.map(\.network) == ["26202", "310260", "x", nil, "23415"])
    }

    @Test("the dedup key: unchanged without a network, different per network")
    func dedupKey() {
        let plain = CallbackItem(kind: .delivered, meta: "m1", ts: 1_700_000_000)
        var a = plain
        a.network = "26202"
        var b = plain
        b.network = "26203"
        #expect(CallbackDedupKey.canonicalString(providerId: "p", item: plain).contains("network") == false)
        #expect(CallbackDedupKey.canonicalString(providerId: "p", item: a).hasSuffix("network=5:26202;"))
        #expect(CallbackDedupKey.make(providerId: "p", item: a) != CallbackDedupKey.make(providerId: "p", item: b))
        #expect(CallbackDedupKey.make(providerId: "p", item: a) != CallbackDedupKey.make(providerId: "p", item: plain))
    }
}
