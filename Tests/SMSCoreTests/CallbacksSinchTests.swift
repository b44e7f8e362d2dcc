import Foundation
import Testing
import SMSCore

/// Sinch recipient delivery report adapter.
@Suite("Sinch callback")
struct CallbacksSinchTests {
    /// Golden sample: the recipient delivery report shown in Sinch's Python SDK tutorial
    /// "Retrieving delivery reports" (https://developers.sinch.com/docs/sms/tutorials/python-sdk/delivery-reports/get-for-number),
    /// written as the callback JSON (recipient unmasked).
    @Test("golden: a Delivered report uses operator_status_at as the event time")
    func goldenDelivered() throws {
        let body = """
            {"at":"2024-10-25T10:02:42.148Z","batch_id":"01JB1J1M5BM5XQ8Q0ZWBM44E14","code":0,"recipient":"447700900003",
             "status":"Delivered","operator_status_at":"2024-10-25T10:02:00Z","type":"recipient_delivery_report_sms"}
            """
        #expect(try SinchCallback.parse(json: Data(body.utf8)) == CallbackParseResult(items: [
            CallbackItem(kind: .delivered, meta: "01JB1J1M5BM5XQ8Q0ZWBM44E14", ts: 1_729_850_520, toPhone: "447700900003",
                         providerStatus: "Delivered", providerMessageId: "01JB1J1M5BM5XQ8Q0ZWBM44E14"),
        ]))
    }

    /// From Sinch's Node SDK tutorial output (code 401, status Dispatched, `at` only).
    @Test("golden: a Dispatched report is submitted and falls back to at")
    func goldenDispatched() throws {
        let body = #"{"at":"2024-06-07T14:03:26.536Z","batch_id":"01J06CY78GZ2F74YZNNH2VBWR6","code":401,"recipient":"447700900003","status":"Dispatched","type":"recipient_delivery_report_sms"}"#
        #expect(try SinchCallback.parse(json: Data(body.utf8)).items == [
            CallbackItem(kind: .submitted, meta: "01J06CY78GZ2F74YZNNH2VBWR6", ts: 1_717_769_006, toPhone: "447700900003",
                         providerStatus: "Dispatched", providerMessageId: "01J06CY78GZ2F74YZNNH2VBWR6"),
        ])
    }

    @Test("a Failed report keeps the numeric code and client_reference as meta")
    func failedWithClientReference() throws {
        let body = #"{"at":"2024-06-07T14:03:26.536Z","batch_id":"B1","code":402,"recipient":"447700900003","status":"Failed","client_reference":"meta-7","type":"recipient_delivery_report_sms"}"#
        #expect(try SinchCallback.parse(json: Data(body.utf8)).items == [
            CallbackItem(kind: .failed, meta: "meta-7", ts: 1_717_769_006, code: "402", toPhone: "447700900003",
                         providerStatus: "Failed", providerMessageId: "B1"),
        ])
    }

    @Test("statuses map per the dialect table", arguments: [
        ("Queued", CallbackEventKind?.some(.submitted)), ("Dispatched", .submitted), ("Delivered", .delivered),
        ("Rejected", .failed), ("Deleted", .failed), ("Failed", .failed), ("Expired", .failed),
        ("Aborted", .failed), ("Cancelled", .failed), ("Unknown", nil), ("Cancelling", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(SinchCallback.kind(forStatus: status) == kind)
    }

    @Test("a batch summary report type is stored as unsupported, not guessed")
    func otherReportType() throws {
        let body = #"{"batch_id":"B2","statuses":[],"total_message_count":1,"type":"delivery_report_sms"}"#
        #expect(try SinchCallback.parse(json: Data(body.utf8)).invalid == [
            InvalidCallbackItem(raw: body, event: nil, reason: "unsupported report type 'delivery_report_sms'", missingFields: []),
        ])
    }

    @Test("Unknown is an unknown status, Aborted a failure; malformed bodies throw")
    func invalid() throws {
        let body = #"{"batch_id":"B3","status":"Unknown","type":"recipient_delivery_report_sms"}"#
        #expect(try SinchCallback.parse(json: Data(body.utf8)).invalid.map(\.reason) == ["unknown status 'Unknown'"])
        let aborted = #"{"batch_id":"B3","code":405,"status":"Aborted","type":"recipient_delivery_report_sms"}"#
        #expect(try SinchCallback.parse(json: Data(aborted.utf8)).items.map(\.kind) == [.failed])
        #expect(try SinchCallback.parse(json: Data(aborted.utf8)).items.map(\.code) == ["405"])
        #expect(throws: CallbackParseError.notAnObject) { try SinchCallback.parse(json: Data("1".utf8)) }
        #expect(throws: CallbackParseError.malformedJSON("unexpected end of input, expected a value at byte 6")) {
            try SinchCallback.parse(json: Data(#"{"a": "#.utf8))
        }
    }
}
