import Foundation
import Testing
import SMSCore

/// Vonage SMS API delivery receipt adapter.
@Suite("Vonage callback")
struct CallbacksVonageTests {
    /// Golden sample: the example delivery receipt body on Vonage's "Messaging Opted-out Numbers"
    /// page (https://developer.vonage.com/en/opt-out-assist/guides/messaging-opted-out-numbers).
    @Test("golden: a failed DLR body becomes a failed item with err-code and UTC timestamp")
    func goldenFailed() throws {
        let body = """
            {
               "msisdn": "447700900000",
               "to": "AcmeInc",
               "network-code": "12345",
               "messageId": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
               "price": "0.00000000",
               "status": "failed",
               "scts": "2001011400",
               "err-code": "9",
               "api-key": "abcd1234",
               "message-timestamp": "2020-01-01 12:00:00"
            }
            """
        #expect(try VonageCallback.parse(json: Data(body.utf8)) == CallbackParseResult(items: [
            CallbackItem(kind: .failed, meta: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", ts: 1_577_880_000, code: "9",
                         toPhone: "447700900000", providerStatus: "failed",
                         providerMessageId: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab", network: "12345"),
        ]))
    }

    @Test("client-ref carries our meta when set; delivered has no code")
    func clientRefIsMeta() throws {
        let body = #"{"msisdn":"447700900000","messageId":"0C0000002EEBDA56","status":"delivered","err-code":"0","client-ref":"meta-42","message-timestamp":"2017-05-02 11:24:03"}"#
        #expect(try VonageCallback.parse(json: Data(body.utf8)).items == [
            CallbackItem(kind: .delivered, meta: "meta-42", ts: 1_493_724_243, toPhone: "447700900000",
                         providerStatus: "delivered", providerMessageId: "0C0000002EEBDA56"),
        ])
    }

    @Test("query-parameter DLRs parse the same; scts is the fallback time")
    func queryParams() {
        let params = ["msisdn": "447700900000", "messageId": "X1", "status": "accepted", "scts": "2001011400"]
        #expect(VonageCallback.parse(params: params).items == [
            CallbackItem(kind: .submitted, meta: "X1", ts: 1_577_887_200, toPhone: "447700900000", providerStatus: "accepted", providerMessageId: "X1"),
        ])
    }

    @Test("statuses map per the dialect table", arguments: [
        ("accepted", CallbackEventKind?.some(.submitted)), ("buffered", .submitted), ("delivered", .delivered),
        ("failed", .failed), ("rejected", .failed), ("expired", .failed), ("unknown", nil), ("sent", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(VonageCallback.kind(forStatus: status) == kind)
    }

    @Test("status unknown is stored, not guessed")
    func unknownStatus() throws {
        let result = try VonageCallback.parse(json: Data(#"{"messageId":"X2","status":"unknown","err-code":1}"#.utf8))
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"{"messageId":"X2","status":"unknown","err-code":1}"#, event: "unknown",
                                reason: "unknown status 'unknown'", missingFields: []),
        ])
    }

    @Test("missing messageId is named; a non-object body throws")
    func errors() {
        #expect(VonageCallback.parse(params: ["status": "delivered"]).invalid.map(\.missingFields) == [["messageId"]])
        #expect(throws: CallbackParseError.notAnObject) { try VonageCallback.parse(json: Data("[]".utf8)) }
        #expect(throws: CallbackParseError.invalidUTF8) { try VonageCallback.parse(json: Data([0x7B, 0xFF, 0x7D])) }
    }
}
