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
}
