import Testing
import SMSCore

/// Jasmin DLR adapter.
@Suite("Jasmin callback")
struct CallbacksJasminTests {
    /// Golden sample: the example values of the level 2/3 DLR parameter table in Jasmin's
    /// "Receiving DLR" (https://docs.jasminsms.com/en/latest/apis/ja-http/receiving-dlr.html),
    /// with `message_status` DELIVRD and level 3.
    @Test("golden: a level 3 DELIVRD receipt is delivered at donedate")
    func goldenDelivered() {
        let params = [
            "id": "16fd2706-8baf-433b-82eb-8c7fada847da", "id_smsc": "2567", "message_status": "DELIVRD", "level": "3",
            "subdate": "1311022338", "donedate": "1311022338", "sub": "1", "dlvrd": "1", "err": "0", "text": "Hello foo bar",
        ]
        #expect(JasminCallback.parse(params: params) == CallbackParseResult(items: [
            CallbackItem(kind: .delivered, meta: "16fd2706-8baf-433b-82eb-8c7fada847da", ts: 1_383_435_480,
                         providerStatus: "DELIVRD", providerMessageId: "16fd2706-8baf-433b-82eb-8c7fada847da"),
        ]))
    }

    @Test("an UNDELIV receipt is failed with the err code")
    func undelivered() {
        let params = ["id": "j1", "message_status": "UNDELIV", "level": "2", "donedate": "2411291201", "err": "1"]
        #expect(JasminCallback.parse(params: params).items == [
            CallbackItem(kind: .failed, meta: "j1", ts: 1_732_881_660, code: "1", providerStatus: "UNDELIV", providerMessageId: "j1"),
        ])
    }

    /// Level 1 example values of the same page (`ESME_ROK`, `ESME_RINVNUMDESTS`).
    @Test("level 1: ESME_ROK is submitted and an ESME error is failed with that status as code")
    func levelOne() {
        #expect(JasminCallback.parse(params: ["id": "j2", "message_status": "ESME_ROK", "level": "1"]).items == [
            CallbackItem(kind: .submitted, meta: "j2", providerStatus: "ESME_ROK", providerMessageId: "j2"),
        ])
        #expect(JasminCallback.parse(params: ["id": "j3", "message_status": "ESME_RINVNUMDESTS", "level": "1"]).items == [
            CallbackItem(kind: .failed, meta: "j3", code: "ESME_RINVNUMDESTS", providerStatus: "ESME_RINVNUMDESTS", providerMessageId: "j3"),
        ])
    }

    @Test("message statuses map per the SMPP column of the dialect table", arguments: [
        ("DELIVRD", CallbackEventKind?.some(.delivered)), ("UNDELIV", .failed), ("REJECTD", .failed), ("EXPIRED", .failed),
        ("DELETED", .failed), ("ACCEPTD", .submitted), ("ENROUTE", .submitted), ("ESME_ROK", .submitted),
        ("ESME_RTHROTTLED", .failed), ("UNKNOWN", .submitted), ("SKIPPED", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(JasminCallback.kind(forStatus: status) == kind)
    }

    @Test("a status Jasmin never sends is stored, not guessed; missing id is named")
    func invalid() {
        #expect(JasminCallback.parse(params: ["id": "j4", "message_status": "SKIPPED"]).invalid == [
            InvalidCallbackItem(raw: #"{"id":"j4","message_status":"SKIPPED"}"#, event: "SKIPPED", reason: "unknown status 'SKIPPED'", missingFields: []),
        ])
        #expect(JasminCallback.parse(params: ["message_status": "DELIVRD"]).invalid.map(\.missingFields) == [["id"]])
    }

    /// The fields of a level-2 DLR as Jasmin 0.11's `DLRThrower.http_dlr_callback` throws them
    /// (`id`, `level`, `message_status`, `connector`, then `id_smsc` … `text`), to a `dlr-url` made
    /// by `$$DlrUrl` whose query (`meta`) comes back beside them.
    @Test("the meta of our dlr-url wins over Jasmin's id; the id stays the provider message id")
    func metaFromDlrUrl() {
        let params = [
            "meta": "mAbC123", "id": "0F0C5C5B-4A8E-4B8E-9D56-7F3A3C2B1A00", "level": "2", "message_status": "UNDELIV",
            "connector": "sim-7", "id_smsc": "7", "sub": "001", "dlvrd": "000", "subdate": "2612071310", "donedate": "2612071311",
            "err": "001", "text": "Hello from Jasmin",
        ]
        #expect(JasminCallback.parse(params: params).items == [
            CallbackItem(kind: .failed, meta: "mAbC123", ts: 1_796_649_060, code: "001", providerStatus: "UNDELIV",
                         providerMessageId: "0F0C5C5B-4A8E-4B8E-9D56-7F3A3C2B1A00"),
        ])
        // A meta with a control character is refused naming the field, like the id.
        #expect(JasminCallback.parse(params: ["meta": "m\u{7}", "id": "j5", "message_status": "DELIVRD"]).invalid.first?.reason
            .contains("meta") == true)
    }

    /// How Jasmin reports ENROUTE (and a receipt whose text lacks fields: `ND`).
    @Test("UNKNOWN is the intermediate submitted; ND fields count as absent")
    func unknownIsIntermediate() {
        let params = [
            "meta": "mX", "id": "j6", "level": "2", "message_status": "UNKNOWN", "connector": "c", "id_smsc": "9",
            "sub": "ND", "dlvrd": "ND", "subdate": "ND", "donedate": "ND", "err": "ND", "text": "",
        ]
        #expect(JasminCallback.parse(params: params) == CallbackParseResult(items: [
            CallbackItem(kind: .submitted, meta: "mX", providerStatus: "UNKNOWN", providerMessageId: "j6"),
        ]))
        var failed = params
        failed["message_status"] = "UNDELIV"
        #expect(JasminCallback.parse(params: failed).items.map(\.code) == [nil])
    }

    @Test("the acknowledgement body is exactly ACK/Jasmin")
    func acknowledgement() {
        #expect(JasminCallback.acknowledgement == "ACK/Jasmin")
    }

    /// `docs/PITFALLS.md #25`: a DLR's `text` carries the message's first octets in its own coding;
    /// only the fields the dialect reads must be UTF-8.
    @Test("any bytes in text, connector or id_smsc pass and the DLR is read; a bad byte in id, message_status, meta, err or donedate is named", arguments: 0..<200)
    func utf8CheckedPart(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        func encoded(_ b: [UInt8]) -> [UInt8] { b.flatMap { Array(String(format: "%%%02X", $0).utf8) } }
        let unread = ["text", "connector", "id_smsc"][Int(rng.next() % 3)]
        let junk = bytes(Int(rng.next() % 40))
        let form = Array("id=abc-1&level=2&message_status=DELIVRD&err=000&donedate=2612072310&\(unread)=".utf8) + encoded(junk)
            + Array("&meta=m1".utf8)
        guard case .success(let pairs) = FormFields.strictPairs(bytes: form, checkedPart: CallbackDialect.utf8CheckedPart(.jasmin)) else {
            Issue.record("refused \(junk) in \(unread)")
            return
        }
        let parsed = JasminCallback.parse(params: Dictionary(pairs, uniquingKeysWith: { a, _ in a }))
        #expect(parsed.items.map(\.kind) == [.delivered])
        #expect(parsed.items.map(\.meta) == ["m1"])
        #expect(Array(JasminCallback.utf8CheckedPart(name: unread, value: junk)) == [])
        // A read field with a byte that is not UTF-8 is refused, naming it and the byte's offset.
        let read = ["id", "message_status", "meta", "err", "donedate"][Int(rng.next() % 5)]
        #expect(JasminCallback.readFields.contains(read))
        let good = Array("x1".utf8)
        let at = Int(rng.next() % 3)
        var spoiled = good
        spoiled.insert(0xFF, at: min(at, good.count))
        #expect(Array(JasminCallback.utf8CheckedPart(name: read, value: spoiled)) == spoiled)
        let refusedForm = Array("\(read)=".utf8) + encoded(spoiled)
        guard case .failure(let refused) = FormFields.strictPairs(bytes: refusedForm, checkedPart: CallbackDialect.utf8CheckedPart(.jasmin)) else {
            Issue.record("accepted a bad byte in \(read)")
            return
        }
        #expect(refused.fields.map(\.field) == [read])
        #expect(refused.fields.map(\.offset) == [min(at, good.count)])
    }
}
