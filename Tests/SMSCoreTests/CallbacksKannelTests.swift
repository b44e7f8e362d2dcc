import Foundation
import Testing
import SMSCore

/// Kannel dlr-url adapter (`...?meta=<meta>&type=%d&answer=%A&ts=%T&fid=%F`).
@Suite("Kannel callback")
struct CallbacksKannelTests {
    /// Golden sample: Kannel's `%d` value 2 with an SMPP 3.4 Appendix B receipt in `%A`, as described
    /// in the Kannel User's Guide (https://www.kannel.org/download/kannel-userguide-snapshot/userguide.html,
    /// dlr-url escape codes) and SMPP 3.4 §B.
    @Test("golden: type 2 with an UNDELIV receipt is failed with the SMPP err code")
    func goldenUndelivered() {
        let params = [
            "meta": "m-77", "type": "2",
            "answer": "id:123 sub:001 dlvrd:000 submit date:2411291200 done date:2411291201 stat:UNDELIV err:001 text:hello",
            "ts": "1732881660", "fid": "123",
        ]
        #expect(KannelCallback.parse(params: params) == CallbackParseResult(items: [
            CallbackItem(kind: .failed, meta: "m-77", ts: 1_732_881_660, code: "001",
                         description: "id:123 sub:001 dlvrd:000 submit date:2411291200 done date:2411291201 stat:UNDELIV err:001",
                         providerStatus: "UNDELIV", providerMessageId: "123"),
        ]))
    }

    @Test("golden: type 1 with a DELIVRD receipt is delivered without code")
    func goldenDelivered() {
        let params = ["meta": "m-78", "type": "1", "answer": "id:124 sub:001 dlvrd:001 submit date:2411291200 done date:2411291201 stat:DELIVRD err:000 text:hello", "ts": "1732881661", "fid": "124"]
        #expect(KannelCallback.parse(params: params).items == [
            CallbackItem(kind: .delivered, meta: "m-78", ts: 1_732_881_661, providerStatus: "DELIVRD", providerMessageId: "124"),
        ])
    }

    @Test("type 16 (SMSC reject) without err: is failed with code REJECTD and the answer as description")
    func smscReject() {
        let params = ["meta": "m-79", "type": "16", "answer": "NACK/0x0000000b/Invalid Destination Address", "ts": "1732881662"]
        #expect(KannelCallback.parse(params: params).items == [
            CallbackItem(kind: .failed, meta: "m-79", ts: 1_732_881_662, code: "REJECTD",
                         description: "NACK/0x0000000b/Invalid Destination Address", providerStatus: "16"),
        ])
    }

    @Test("types 4 and 8 are submitted")
    func intermediate() {
        #expect(KannelCallback.parse(params: ["meta": "m", "type": "8", "answer": "ACK/"]).items == [
            CallbackItem(kind: .submitted, meta: "m", providerStatus: "8"),
        ])
        #expect(KannelCallback.parse(params: ["meta": "m", "type": "4"]).items.map(\.kind) == [.submitted])
    }

    @Test("dlr types map per the dialect table", arguments: [
        ("1", CallbackEventKind?.some(.delivered)), ("2", .failed), ("4", .submitted), ("8", .submitted), ("16", .failed),
        ("0", nil), ("3", nil), ("32", nil), ("x", nil),
    ])
    func typeTable(type: String, kind: CallbackEventKind?) {
        #expect(KannelCallback.kind(forType: type) == kind)
    }

    @Test("receipt fields are read before text: only, case-insensitively at word starts", arguments: [
        ("id:1 sub:001 dlvrd:000 submit date:2411291200 done date:2411291201 stat:UNDELIV err:001 text:err:999 stat:X", "UNDELIV", "001"),
        ("id:1 Stat:DELIVRD Err:000 Text:stat:no", "DELIVRD", "000"),
        ("id:1 xstat:NO err:5", nil, "5"),
        ("NACK/0x0000000b/Invalid Destination Address", nil, nil),
        ("", nil, nil),
    ] as [(String, String?, String?)])
    func receiptFields(answer: String, stat: String?, err: String?) {
        let fields = KannelCallback.receiptFields(answer)
        #expect(fields.stat == stat)
        #expect(fields.err == err)
    }

    @Test("unknown type and missing meta are invalid entries")
    func invalid() {
        #expect(KannelCallback.parse(params: ["meta": "m", "type": "3"]).invalid == [
            InvalidCallbackItem(raw: #"{"meta":"m","type":"3"}"#, event: "3", reason: "unknown status '3'", missingFields: []),
        ])
        #expect(KannelCallback.parse(params: ["type": "1", "meta": ""]).invalid.map(\.missingFields) == [["meta"]])
    }

    /// `docs/PITFALLS.md #25`: a receipt's `text:` is the message's own octets in its own coding
    /// (SMPP 3.4 Appendix B); Kannel passes them on raw in `%A`.
    @Test("only the receipt's head (before text:) must be UTF-8: any bytes after text: pass, a bad byte before it is named", arguments: 0..<200)
    func utf8CheckedPart(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        let head = Array("id:17 sub:001 dlvrd:001 stat:DELIVRD err:000 ".utf8)
        let key = [Array("text:".utf8), Array("Text:".utf8), Array("TEXT:".utf8)][Int(rng.next() % 3)]
        let tail = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let answer = head + key + tail
        #expect(Array(KannelCallback.utf8CheckedPart(name: "answer", value: answer)) == head)
        #expect(Array(KannelCallback.utf8CheckedPart(name: "fid", value: answer)) == answer)
        let query = Array("meta=m1&type=1&answer=".utf8) + answer.flatMap { Array(String(format: "%%%02X", $0).utf8) }
        guard case .success(let pairs) = FormFields.strictPairs(bytes: query, checkedPart: CallbackDialect.utf8CheckedPart(.kannel)) else {
            Issue.record("refused \(tail)")
            return
        }
        let fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        let parsed = KannelCallback.parse(params: fields)
        #expect(parsed.items.map(\.kind) == [.delivered])
        #expect(parsed.items.map(\.providerStatus) == ["DELIVRD"])
        // The same bytes before `text:` are refused, naming the first bad byte's offset.
        let at = Int(rng.next() % UInt64(head.count))
        var spoiled = head
        spoiled.insert(0xFF, at: at)
        let refusedQuery = Array("answer=".utf8) + (spoiled + key + tail).flatMap { Array(String(format: "%%%02X", $0).utf8) }
        guard case .failure(let refused) = FormFields.strictPairs(bytes: refusedQuery, checkedPart: CallbackDialect.utf8CheckedPart(.kannel)) else {
            Issue.record("accepted a bad byte at \(at)")
            return
        }
        #expect(refused.fields.map(\.offset) == [at])
        // Other dialects check the whole value of every field (Jasmin: of every field it reads).
        guard case .failure = FormFields.strictPairs(bytes: query, checkedPart: CallbackDialect.utf8CheckedPart(.twilio)) else {
            if String(validating: tail, as: UTF8.self) != nil { return }
            Issue.record("twilio accepted \(tail)")
            return
        }
    }

    @Test("text: counts only at the start or after white space (xtext: is part of the head)")
    func headEnd() {
        let answer = Array("id:1 xtext:%FF stat:DELIVRD\ttext:\u{00}".utf8)
        #expect(Array(KannelCallback.utf8CheckedPart(name: "answer", value: answer)) == Array("id:1 xtext:%FF stat:DELIVRD\t".utf8))
        #expect(Array(KannelCallback.utf8CheckedPart(name: "answer", value: Array("text:abc".utf8))).isEmpty)
        #expect(Array(KannelCallback.utf8CheckedPart(name: "answer", value: Array("stat:X".utf8))) == Array("stat:X".utf8))
    }
}
