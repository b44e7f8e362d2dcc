import Foundation
import Testing
import SMSCore

/// Gupshup Enterprise real-time DLR adapter.
@Suite("Gupshup callback")
struct CallbacksGupshupTests {
    /// Golden sample: the two events of Gupshup's "Real Time Delivery Reports" POST example
    /// (https://docs.gupshup.io/docs/real-time-delivery-reports), written as valid JSON (the page
    /// uses typographic quotes and unquoted ids).
    @Test("golden: a batch of DELIVERED and FAILED events")
    func goldenBatch() throws {
        let body = """
            [{"externalId":"3562707498794989059-328736121207676738","eventType":"DELIVERED","eventTs":1526347800000,
              "destAddr":919892488888,"srcAddr":"TESTIN","cause":"SUCCESS","errCode":"000","channel":"SMS","noOfFrags":1},
             {"externalId":"3798318073013708082-252169030017029882","eventType":"FAILED","eventTs":1526347800000,
              "destAddr":"91989237777","srcAddr":"ABCDEF","cause":" UNKNOWN_SUBSCRIBER","errCode":"003","channel":"SMS","noOfFrags":1}]
            """
        #expect(try GupshupCallback.parse(json: Data(body.utf8)) == CallbackParseResult(items: [
            CallbackItem(kind: .delivered, meta: "3562707498794989059-328736121207676738", ts: 1_526_347_800,
                         toPhone: "919892488888", providerStatus: "DELIVERED",
                         providerMessageId: "3562707498794989059-328736121207676738"),
            CallbackItem(kind: .failed, meta: "3798318073013708082-252169030017029882", ts: 1_526_347_800, code: "003",
                         description: "UNKNOWN_SUBSCRIBER", toPhone: "91989237777", providerStatus: "FAILED",
                         providerMessageId: "3798318073013708082-252169030017029882"),
        ]))
    }

    @Test("event types map SENT→submitted, DELIVERED/READ→delivered, FAILED→failed", arguments: [
        ("SENT", CallbackEventKind?.some(.submitted)), ("DELIVERED", .delivered), ("READ", .delivered),
        ("FAILED", .failed), ("failed", .failed), ("CLICKED", nil), ("UNKNOWN", nil),
    ])
    func eventTypeTable(eventType: String, kind: CallbackEventKind?) {
        #expect(GupshupCallback.kind(forEventType: eventType) == kind)
    }

    @Test("a mixed batch keeps valid events and lists invalid ones with their index")
    func mixedBatch() throws {
        let body = #"[1,{"eventType":"SENT"},{"externalId":"e3","eventType":"CLICKED","eventTs":1},{"externalId":"e4","eventType":"FAILED","eventTs":1700000000,"errorCode":"12"}]"#
        let result = try GupshupCallback.parse(json: Data(body.utf8))
        #expect(result.items == [
            CallbackItem(kind: .failed, meta: "e4", ts: 1_700_000_000, code: "12", providerStatus: "FAILED", providerMessageId: "e4"),
        ])
        #expect(result.invalid == [
            InvalidCallbackItem(raw: "1", event: nil, reason: "event must be a JSON object, got a number", missingFields: [], index: 0),
            InvalidCallbackItem(raw: #"{"eventType":"SENT"}"#, event: "SENT", reason: "missing required fields: externalId", missingFields: ["externalId"], index: 1),
            InvalidCallbackItem(raw: #"{"externalId":"e3","eventType":"CLICKED","eventTs":1}"#, event: "CLICKED", reason: "unknown status 'CLICKED'", missingFields: [], index: 2),
        ])
    }

    @Test("a single event object is read as a batch of one; other bodies throw")
    func shapes() throws {
        let one = #"{"externalId":"e1","eventType":"SENT","eventTs":1526347800000}"#
        #expect(try GupshupCallback.parse(json: Data(one.utf8)).items.map(\.kind) == [.submitted])
        #expect(throws: CallbackParseError.notAnArray) { try GupshupCallback.parse(json: Data(#""x""#.utf8)) }
        #expect(throws: CallbackParseError.tooManyItems(2)) { try GupshupCallback.parse(json: Data("[{},{}]".utf8), maxItems: 1) }
    }
}
