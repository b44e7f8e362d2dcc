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
        ("ESME_RTHROTTLED", .failed), ("UNKNOWN", nil), ("SKIPPED", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(JasminCallback.kind(forStatus: status) == kind)
    }

    @Test("UNKNOWN is stored, not guessed; missing id is named")
    func invalid() {
        #expect(JasminCallback.parse(params: ["id": "j4", "message_status": "UNKNOWN"]).invalid == [
            InvalidCallbackItem(raw: #"{"id":"j4","message_status":"UNKNOWN"}"#, event: "UNKNOWN", reason: "unknown status 'UNKNOWN'", missingFields: []),
        ])
        #expect(JasminCallback.parse(params: ["message_status": "DELIVRD"]).invalid.map(\.missingFields) == [["id"]])
    }

    @Test("the acknowledgement body is exactly ACK/Jasmin")
    func acknowledgement() {
        #expect(JasminCallback.acknowledgement == "ACK/Jasmin")
    }
}
