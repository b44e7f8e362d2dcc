import Testing
import SMSCore

/// Plivo message status callback adapter.
@Suite("Plivo callback")
struct CallbacksPlivoTests {
    /// Golden sample built from the attributes documented on Plivo's "Message Status Callbacks"
    /// (https://www.plivo.com/docs/messaging/api/message/message-status-callbacks), with the
    /// documented timestamp format `YYYY-mm-dd HH:MM:SS.SSSSSS`.
    @Test("golden: an undelivered callback becomes a failed item with code, sequence and report time")
    func goldenUndelivered() {
        let params = [
            "MessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
            "ParentMessageUUID": "db3ce55a-7f1d-11e1-8ea7-1231380bc196",
            "PartInfo": "1 of 1",
            "To": "14155551234",
            "From": "14155550000",
            "Type": "sms",
            "Status": "undelivered",
            "ErrorCode": "80",
            "Units": "1",
            "TotalRate": "0.00350",
            "TotalAmount": "0.00350",
            "MCC": "310",
            "MNC": "260",
            "Sequence": "3",
            "MessageTime": "2024-11-29 12:00:00.123456",
            "QueuedTime": "2024-11-29 12:00:00.223456",
            "SentTime": "2024-11-29 12:00:01.654321",
            "DeliveryReportTime": "2024-11-29 12:01:00.000000",
        ]
        #expect(PlivoCallback.parse(params: params) == CallbackParseResult(items: [
            CallbackItem(kind: .failed, meta: "db3ce55a-7f1d-11e1-8ea7-1231380bc196", ts: 1_732_881_660, code: "80",
                         toPhone: "14155551234", providerStatus: "undelivered",
                         providerMessageId: "db3ce55a-7f1d-11e1-8ea7-1231380bc196", part: 3),
        ]))
    }

    @Test("a sent callback uses SentTime and has no code")
    func sentUsesSentTime() {
        let params = ["MessageUUID": "u1", "Status": "sent", "Sequence": "2", "SentTime": "2024-11-29 12:00:01.654321", "ErrorCode": ""]
        #expect(PlivoCallback.parse(params: params).items == [
            CallbackItem(kind: .submitted, meta: "u1", ts: 1_732_881_601, providerStatus: "sent", providerMessageId: "u1", part: 2),
        ])
    }

    @Test("statuses map per the dialect table", arguments: [
        ("queued", CallbackEventKind?.some(.submitted)), ("sent", .submitted), ("delivered", .delivered),
        ("undelivered", .failed), ("failed", .failed), ("rejected", .failed), ("read", nil), ("READ", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(PlivoCallback.kind(forStatus: status) == kind)
    }

    @Test("unknown status and missing fields are invalid entries")
    func invalid() {
        #expect(PlivoCallback.parse(params: ["MessageUUID": "u2", "Status": "read"]).invalid.map(\.reason) == ["unknown status 'read'"])
        #expect(PlivoCallback.parse(params: ["MessageUUID": "u2", "Status": "rejected", "ErrorCode": "450"]).items == [
            CallbackItem(kind: .failed, meta: "u2", code: "450", providerStatus: "rejected", providerMessageId: "u2"),
        ])
        #expect(PlivoCallback.parse(params: ["Sequence": "x"]).invalid.map(\.missingFields) == [["MessageUUID", "Status"]])
    }

    @Test("a non-integer Sequence leaves part empty")
    func badSequence() {
        #expect(PlivoCallback.parse(params: ["MessageUUID": "u3", "Status": "delivered", "Sequence": "x"]).items.first?.part == nil)
    }
}
