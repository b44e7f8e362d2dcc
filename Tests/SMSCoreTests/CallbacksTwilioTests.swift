import Testing
import SMSCore

/// Twilio status callback adapter.
@Suite("Twilio callback")
struct CallbacksTwilioTests {
    /// Golden sample: the form fields of an outbound message status callback as listed in Twilio's
    /// "Track the Message Status of Outbound Messages"
    /// (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status), for a message
    /// that ends `undelivered` with error 30003.
    @Test("golden: an undelivered status callback becomes a failed item with Twilio's code")
    func goldenUndelivered() {
        let params = [
            "AccountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "ApiVersion": "2010-04-01",
            "ErrorCode": "30003",
            "From": "+15017122661",
            "MessageSid": "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "MessageStatus": "undelivered",
            "SmsSid": "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "SmsStatus": "undelivered",
            "To": "+15558675310",
        ]
        #expect(TwilioCallback.parse(params: params) == CallbackParseResult(items: [
            CallbackItem(kind: .failed, meta: "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", ts: nil, code: "30003",
                         toPhone: "+15558675310", providerStatus: "undelivered",
                         providerMessageId: "SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
        ]))
    }

    @Test("golden: a delivered callback has no code and no timestamp")
    func goldenDelivered() {
        let params = ["MessageSid": "SM1", "MessageStatus": "delivered", "To": "+15558675310", "ErrorCode": "0"]
        #expect(TwilioCallback.parse(params: params).items == [
            CallbackItem(kind: .delivered, meta: "SM1", toPhone: "+15558675310", providerStatus: "delivered", providerMessageId: "SM1"),
        ])
    }

    @Test("ErrorMessage becomes the description; SmsSid/SmsStatus are fallbacks")
    func fallbacksAndMessage() {
        let params = ["SmsSid": "SM2", "SmsStatus": "failed", "ErrorCode": "21610", "ErrorMessage": "Attempt to send to unsubscribed recipient"]
        #expect(TwilioCallback.parse(params: params).items == [
            CallbackItem(kind: .failed, meta: "SM2", code: "21610", description: "Attempt to send to unsubscribed recipient",
                         providerStatus: "failed", providerMessageId: "SM2"),
        ])
    }

    @Test("statuses map per the dialect table", arguments: [
        ("accepted", CallbackEventKind?.some(.submitted)), ("queued", .submitted), ("sending", .submitted), ("sent", .submitted),
        ("delivered", .delivered), ("read", .delivered), ("undelivered", .failed), ("failed", .failed), ("Delivered", .delivered),
        ("canceled", .failed), ("scheduled", nil), ("receiving", nil), ("received", nil), ("partially_delivered", nil),
    ])
    func statusTable(status: String, kind: CallbackEventKind?) {
        #expect(TwilioCallback.kind(forStatus: status) == kind)
    }

    @Test("an unknown status is stored whole, not guessed")
    func unknownStatus() {
        let result = TwilioCallback.parse(params: ["MessageSid": "SM3", "MessageStatus": "scheduled"])
        #expect(result == CallbackParseResult(invalid: [
            InvalidCallbackItem(raw: #"{"MessageSid":"SM3","MessageStatus":"scheduled"}"#, event: "scheduled",
                                reason: "unknown status 'scheduled'", missingFields: []),
        ]))
    }

    @Test("canceled is a final non-delivery: failed without a code")
    func canceledIsFailed() {
        #expect(TwilioCallback.parse(params: ["MessageSid": "SM4", "MessageStatus": "canceled"]).items == [
            CallbackItem(kind: .failed, meta: "SM4", code: nil, providerStatus: "canceled", providerMessageId: "SM4"),
        ])
    }

    @Test("missing sid and status are named with Twilio's field names")
    func missingFields() {
        #expect(TwilioCallback.parse(params: ["To": "+1"]).invalid == [
            InvalidCallbackItem(raw: #"{"To":"+1"}"#, event: nil, reason: "missing required fields: MessageSid, MessageStatus",
                                missingFields: ["MessageSid", "MessageStatus"]),
        ])
    }

    /// Twilio's documented example (https://www.twilio.com/docs/usage/webhooks/webhooks-security);
    /// HMAC-SHA1 of this payload with auth token "12345" is "0/KCTR6DLpKmkAf8muzZqo1nDgQ=".
    @Test("signature payload is the URL then name+value pairs sorted by name")
    func signaturePayload() {
        let params = [
            ("Digits", "1234"), ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"),
            ("From", "+12349013030"), ("To", "+18005551212"),
        ]
        #expect(TwilioCallback.signaturePayload(url: "https://mycompany.com/myapp.php?foo=1&bar=2", params: params)
            == "https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212")
    }

    @Test("signature payload sorts case-sensitively by bytes and keeps values raw")
    func signaturePayloadOrdering() {
        #expect(TwilioCallback.signaturePayload(url: "https://x/cb", params: [("a", "1"), ("B", "2 3"), ("b", "&")]) == "https://x/cbB2 3a1b&")
        #expect(TwilioCallback.signaturePayload(url: "https://x/cb", params: []) == "https://x/cb")
        // A repeated name: once per distinct value, values sorted (Twilio's RequestValidator).
        #expect(TwilioCallback.signaturePayload(url: "u", params: [("S", "failed"), ("A", "1"), ("S", "delivered"), ("S", "failed")]) == "uA1SdeliveredSfailed")
    }
}
