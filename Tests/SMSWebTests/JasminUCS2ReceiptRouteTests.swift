import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// A UCS-2 message's receipt through Jasmin (`docs/PITFALLS.md #25`): the SMSC's receipt carries
/// the message's first 20 octets after `text:` (raw UTF-16BE), and Jasmin posts them as its DLR's
/// `text`. Only the fields the Jasmin dialect reads (``JasminCallback/readFields``) must be UTF-8:
/// the DLR counts whatever `text` (or another field it does not read) holds, and a DLR refused for
/// another reason is kept byte for byte.
@Suite("Jasmin: a UCS-2 message's receipt counts, whatever bytes its text carries")
struct JasminUCS2ReceiptRouteTests {
    static let form = "application/x-www-form-urlencoded"
    static let path = "/callbacks/p1?secret=\(CallbackTestApp.secret)&meta=m1"

    /// The body Jasmin 0.11.1's code makes for the receipt of `Grüße 😀 aus Jasmin` sent with
    /// `coding=8` (ids made up): `text` is the first 20 octets of the UTF-16BE
    /// (`00 47 00 72 00 FC 00 DF 00 65 00 20 D8 3D DE 00 00 20 00 61`) as Jasmin's
    /// `isDeliveryReceipt` decodes them (`decode('utf-8', 'ignore')`: the octets that do not decode
    /// dropped, the zeros kept) and its DLR thrower form-encodes them (`%00`).
    /// `JasminIntegrationTests.ucs2ReceiptBytes` records the real body against the gateway.
    static let jasminBody = "id=6b0c4a46-2a4c-4b5e-8d5a-0d0e0f101112&level=2&message_status=DELIVRD&connector=sim"
        + "&id_smsc=1765113600001&sub=001&dlvrd=001&subdate=2612072310&donedate=2612072310&err=000"
        + "&text=%00G%00r%00%00%00e%00+%3D%00%00+%00a"

    /// The same receipt from a Jasmin that passes the octets on as they came (raw UTF-16BE: not UTF-8).
    static let rawOctetsBody = "id=6b0c4a46-2a4c-4b5e-8d5a-0d0e0f101112&level=2&message_status=DELIVRD&connector=sim"
        + "&id_smsc=1765113600001&sub=001&dlvrd=001&subdate=2612072310&donedate=2612072310&err=000"
        + "&text=%00G%00r%00%FC%00%DF%00e%00+%D8%3D%DE%00%00+%00a"

    @Test("the body Jasmin posts, and the raw UTF-16BE octets in text or a byte 0xFF in connector: each DLR counts, ACK/Jasmin, nothing kept as an error",
          arguments: [
              JasminUCS2ReceiptRouteTests.jasminBody, JasminUCS2ReceiptRouteTests.rawOctetsBody,
              JasminUCS2ReceiptRouteTests.jasminBody.replacingOccurrences(of: "connector=sim", with: "connector=sim%FF"),
          ])
    func counts(body: String) async throws {
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1"])
        try await app.sent("m1")
        try await app.test { client async throws in
            let r = try await client.callback(body, path: Self.path, contentType: Self.form)
            #expect(r.status == .ok)
            #expect(r.text == "ACK/Jasmin")
            #expect(try await app.store.ingestionErrors(limit: 10).isEmpty)
        }
        #expect(try await app.stats().delivered == 1)
        #expect(try await app.store.unmatchedCallbacks(receivedBefore: Int64.max, limit: 10).isEmpty)
    }

    @Test("a byte that is not UTF-8 in a field the dialect reads (err, id) is refused naming it; the request is kept byte for byte")
    func readFieldRefused() async throws {
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1"])
        try await app.sent("m1")
        let badErr = Self.rawOctetsBody.replacingOccurrences(of: "err=000", with: "err=0%FE0")
        let badId = Self.rawOctetsBody.replacingOccurrences(of: "id=6b0c", with: "id=%C36b0c")
        try await app.test { client async throws in
            for (body, reason) in [
                (badErr, "the callback field 'err' is not valid UTF-8 (byte 0xFE at byte 1 of its value)"),
                (badId, "the callback field 'id' is not valid UTF-8 (byte 0xC3 at byte 0 of its value)"),
            ] {
                let r = try await client.callback(body, path: Self.path, contentType: Self.form)
                #expect(r.status == .ok)
                #expect(r.text == "ACK/Jasmin")
                let kept = try #require(try await app.store.ingestionErrors(limit: 1).first)
                #expect(kept.reason == reason, "\(kept.reason)")
                // The form as received, then `&` and the query without our secret.
                #expect(kept.raw == Array((body + "&meta=m1").utf8), "\(RawBytes.escaped(kept.raw))")
            }
        }
        #expect(try await app.stats().delivered == 0)
    }

    @Test("a DLR with raw octets in text refused for its status is kept byte for byte, and its replay reads the same bytes to the same reason")
    func keptExactly() async throws {
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1"])
        try await app.sent("m1")
        let body = Self.rawOctetsBody.replacingOccurrences(of: "DELIVRD", with: "SKIPPED")
        try await app.test { client async throws in
            let r = try await client.callback(body, path: Self.path, contentType: Self.form)
            #expect(r.text == "ACK/Jasmin")
            let kept = try #require(try await app.store.ingestionErrors(limit: 1).first)
            #expect(kept.reason == "unknown status 'SKIPPED'")
            #expect(kept.raw == Array((body + "&meta=m1").utf8))
            let replay = try await client.api("/api/v1/ingestion-errors/\(kept.id)/replay", method: .post)
            #expect(replay.text.contains("unknown status 'SKIPPED'"), "\(replay.text)")
        }
        #expect(try await app.stats().delivered == 0)
    }
}
