import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

@testable import SMSWeb

/// Golden route tests: one real-shaped request per provider dialect, written from the provider's
/// public documentation (sources in each adapter's doc comment), through `/callbacks/p1` with
/// the provider's `kind`; each must reach its message and the stats.
@Suite("Callback dialect routes")
struct CallbackDialectRouteTests {
    @Test("generic: the contract's sample body → 200 with processed_events and the events applied")
    func generic() async throws {
        let app = try await CallbackTestApp.make(kind: .generic)
        try await app.insert(["m1", "m2", "m3", "m4"])
        for m in ["m1", "m2", "m3", "m4"] { try await app.sent(m) }
        let now = CallbackTestApp.now()
        let body = """
            [{"event": "delivered", "data": [{"meta": "m1", "ts": \(now - 50), "description": "Delivered to handset"}]},
             {"event": "failed",    "data": [{"meta": "m2", "ts": \(now - 45), "code": "914", "description": "Undelivered after retries"}]},
             {"event": "clicked",   "data": [{"meta": "m3", "ts": \(now - 30), "url": "https://a.example/x", "shorturl": "https://sho.rt/1"}]},
             {"event": "replied",   "data": [{"meta": "m4", "ts": \(now - 20), "incomingText": "STOP", "toPhone": "+4915123456789"}]}]
            """
        try await app.test { client async throws in
            let response = try await client.callback(body)
            #expect(response.status == .ok)
            let json = try #require(try response.json() as? [String: Any])
            #expect(json["status"] as? String == "success")
            #expect(json["message"] as? String == "Callback processed successfully")
            #expect((json["data"] as? [String: Any])?["processed_events"] as? Int == 4)
        }
        let s = try await app.stats()
        #expect([s.sent, s.delivered, s.inferredDelivered, s.failed, s.pending, s.uniqueClicks, s.replies, s.optOuts] == [4, 2, 1, 1, 1, 1, 1, 1])
    }

    @Test("twilio: signed form callback with the SID in another case matches the id from the send answer")
    func twilio() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio, webhookSigningKey: "twilio-auth-token-123")
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "SM1342fe1b2c904d1ab04f0fc7a58abca9")
        // Form body as Twilio posts it; signature computed independently (Python hmac/sha1/base64)
        // over https://sms.example.com/callbacks/p1?secret=s3cret-callback-key + sorted params.
        let form = "AccountSid=ACae4c7ff1d8e25ac2e8b2b1b3b1c1d1e1&ApiVersion=2010-04-01&From=%2B15017122661"
            + "&MessageSid=SM1342FE1B2C904D1AB04F0FC7A58ABCA9&MessageStatus=delivered&SmsSid=SM1342FE1B2C904D1AB04F0FC7A58ABCA9"
            + "&SmsStatus=delivered&To=%2B15558675310"
        let signed: HTTPFields = [HTTPField.Name("X-Twilio-Signature")!: "8sN27lU0BmSVKeJo/qVkvp9tCtk="]
        try await app.test { client async throws in
            let bad = try await client.callback(
                form, contentType: "application/x-www-form-urlencoded",
                headers: [HTTPField.Name("X-Twilio-Signature")!: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="])
            #expect(bad.status == .unauthorized)
            let missing = try await client.callback(form, contentType: "application/x-www-form-urlencoded")
            #expect(missing.status == .unauthorized)
            let ok = try await client.callback(form, contentType: "application/x-www-form-urlencoded", headers: signed)
            #expect(ok.status == .ok)
        }
        #expect((try await app.stats().delivered, try await app.stats().sent) == (1, 1))
    }

    @Test("twilio: canceled counts as failed; an unknown status is stored and answered 400, not guessed")
    func twilioStatuses() async throws {
        let app = try await CallbackTestApp.make(kind: .twilio)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1", providerMessageId: "SMaaaa")
        try await app.sent("m2", providerMessageId: "SMbbbb")
        try await app.test { client async throws in
            let canceled = try await client.callback(
                "MessageSid=SMaaaa&MessageStatus=canceled", contentType: "application/x-www-form-urlencoded")
            #expect(canceled.status == .ok)
            let scheduled = try await client.callback(
                "MessageSid=SMbbbb&MessageStatus=scheduled", contentType: "application/x-www-form-urlencoded")
            #expect(scheduled.status == .badRequest)
            #expect(scheduled.text.contains("unknown status 'scheduled'"))
            let errors = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(errors.map { $0["reason"] as? String } == ["unknown status 'scheduled'"])
            #expect(errors.first?["raw"] as? String == "MessageSid=SMbbbb&MessageStatus=scheduled")
        }
        let s = try await app.stats()
        #expect((s.failed, s.pending, s.sent) == (1, 1, 2))
    }

    @Test("vonage: JSON DLR; the message id matches with leading zeros dropped and another case")
    func vonage() async throws {
        let app = try await CallbackTestApp.make(kind: .vonage)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1", providerMessageId: "0A0000001234567B")
        try await app.sent("m2", providerMessageId: "0B00000012345678")
        let delivered = """
            {"msisdn":"447700900000","to":"AcmeInc","network-code":"12345","messageId":"a0000001234567b","price":"0.03330000",
             "status":"delivered","scts":"2001011400","err-code":"0","api-key":"abcd1234","message-timestamp":"2020-01-01 12:00:00"}
            """
        let failed = """
            {"msisdn":"447700900001","to":"AcmeInc","messageId":"0B00000012345678","status":"failed","err-code":"6",
             "message-timestamp":"2020-01-01 12:00:05"}
            """
        try await app.test { client async throws in
            #expect(try await client.callback(delivered).status == .ok)
            #expect(try await client.callback(failed).status == .ok)
        }
        let s = try await app.stats()
        #expect((s.delivered, s.failed) == (1, 1))
        #expect(CampaignReport.deliveryErrors(totals: try await CampaignStatsQueries(store: app.store).totals(campaignId: "c1"), provider: .vonage).map(\.code) == ["6"])
    }

    @Test("plivo: form callbacks with Sequence; rejected counts as failed with its code")
    func plivo() async throws {
        let app = try await CallbackTestApp.make(kind: .plivo)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1", providerMessageId: "DB3A2A1E-3A7E-11EA-9F42-0242AC110003")
        try await app.sent("m2", providerMessageId: "ec9a9b5e-3a7e-11ea-9f42-0242ac110003")
        let sent = "From=14155551234&MessageUUID=db3a2a1e-3a7e-11ea-9f42-0242ac110003&PartInfo=1+of+1&Sequence=1"
            + "&Status=sent&To=14155556789&TotalAmount=0.00500&TotalRate=0.00500&Units=1&ErrorCode="
        let delivered = "From=14155551234&MessageUUID=db3a2a1e-3a7e-11ea-9f42-0242ac110003&Sequence=2&Status=delivered"
            + "&To=14155556789&ErrorCode="
        let rejected = "From=14155551234&MessageUUID=ec9a9b5e-3a7e-11ea-9f42-0242ac110003&Sequence=1&Status=rejected"
            + "&To=14155556790&ErrorCode=450"
        try await app.test { client async throws in
            for body in [delivered, sent, rejected] {
                #expect(try await client.callback(body, contentType: "application/x-www-form-urlencoded").status == .ok)
            }
        }
        let s = try await app.stats()
        #expect((s.delivered, s.failed, s.pending) == (1, 1, 0))
        #expect(CampaignReport.deliveryErrors(totals: try await CampaignStatsQueries(store: app.store).totals(campaignId: "c1"), provider: .plivo).map(\.code) == ["450"])
    }

    @Test("sinch: recipient delivery report with client_reference = our meta")
    func sinch() async throws {
        let app = try await CallbackTestApp.make(kind: .sinch)
        try await app.insert(["m1"])
        try await app.sent("m1")
        let body = """
            {"at":"2022-08-30T08:16:08.930Z","batch_id":"01FC66621VHDBN119Z8PMV1QPQ","client_reference":"m1","code":0,
             "operator_status_at":"2022-08-30T08:16:00Z","recipient":"15551231234","status":"Delivered",
             "type":"recipient_delivery_report_sms"}
            """
        try await app.test { client async throws in
            #expect(try await client.callback(body).status == .ok)
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("gupshup: a batch of events by externalId (a number in JSON)")
    func gupshup() async throws {
        let app = try await CallbackTestApp.make(kind: .gupshup)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1", providerMessageId: "3693849823453231234")
        try await app.sent("m2", providerMessageId: "3693849823453231235")
        let body = """
            [{"externalId":3693849823453231234,"eventType":"DELIVERED","eventTs":\(CallbackTestApp.now() * 1000),
              "destAddr":"919999999999","srcAddr":"GSHUP","cause":"SUCCESS","errorCode":"000","channel":"SMS"},
             {"externalId":"3693849823453231235","eventType":"FAILED","eventTs":\(CallbackTestApp.now() * 1000),
              "destAddr":"919999999998","srcAddr":"GSHUP","cause":"UNKNOWN_SUBSCRIBER","errCode":"005","channel":"SMS"}]
            """
        try await app.test { client async throws in
            #expect(try await client.callback(body).status == .ok)
        }
        let s = try await app.stats()
        #expect((s.delivered, s.failed) == (1, 1))
    }

    @Test("kannel: dlr-url GET with %d, %A (spaces as +) and %T; the secret never reaches the stored raw")
    func kannel() async throws {
        let app = try await CallbackTestApp.make(kind: .kannel)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let secret = CallbackTestApp.secret
        let ts = CallbackTestApp.now()
        try await app.test { client async throws in
            let ack = try await client.execute(
                uri: "/callbacks/p1?secret=\(secret)&meta=m1&type=8&answer=ACK%2F&ts=\(ts)&fid=1795940704916", method: .get)
            #expect(ack.status == .ok)
            let done = try await client.execute(
                uri: "/callbacks/p1?secret=\(secret)&meta=m1&type=1&answer=id%3A1795940704916+sub%3A001+dlvrd%3A001"
                    + "+submit+date%3A2611290825+done+date%3A2611290825+stat%3ADELIVRD+err%3A000+text%3Ahello&ts=\(ts)&fid=1795940704916",
                method: .get)
            #expect(done.status == .ok)
            let undeliv = try await client.execute(
                uri: "/callbacks/p1?secret=\(secret)&meta=m2&type=2&answer=id%3A17+sub%3A001+dlvrd%3A000+stat%3AUNDELIV+err%3A001+text%3Ahi&ts=\(ts)",
                method: .get)
            #expect(undeliv.status == .ok)
            let unknown = try await client.execute(uri: "/callbacks/p1?secret=\(secret)&meta=m2&type=32&ts=\(ts)", method: .get)
            #expect(unknown.status == .badRequest)
            let errors = try await client.api("/api/v1/ingestion-errors").text
            #expect(errors.contains("unknown status '32'"))
            #expect(!errors.contains(secret))
        }
        let s = try await app.stats()
        #expect((s.delivered, s.failed) == (1, 1))
        #expect(CampaignReport.deliveryErrors(totals: try await CampaignStatsQueries(store: app.store).totals(campaignId: "c1"), provider: .kannel).map(\.code) == ["001"])
    }

    @Test("jasmin: a level-3 DLR is answered with the exact text ACK/Jasmin, also when it is kept as invalid")
    func jasmin() async throws {
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "16FD2706-8BAF-433B-82EB-8C7FADA847DA")
        let dlr = "id=16fd2706-8baf-433b-82eb-8c7fada847da&id_smsc=2%2F2&message_status=DELIVRD&level=3&subdate=1311022338"
            + "&donedate=1311022338&sub=001&dlvrd=001&err=000&text=Hello+foo+bar"
        try await app.test { client async throws in
            let response = try await client.callback(dlr, contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .ok)
            #expect(response.text == "ACK/Jasmin")
            #expect(response.headers[.contentType] == "text/plain")
            // UNKNOWN is how Jasmin reports ENROUTE: intermediate, no ingestion error.
            let enroute = try await client.callback(
                "id=16fd2706-8baf-433b-82eb-8c7fada847da&message_status=UNKNOWN&level=2", contentType: "application/x-www-form-urlencoded")
            #expect(enroute.text == "ACK/Jasmin")
            let unknown = try await client.callback(
                "id=16fd2706-8baf-433b-82eb-8c7fada847da&message_status=SKIPPED&level=3", contentType: "application/x-www-form-urlencoded")
            #expect(unknown.text == "ACK/Jasmin")
            let errors = try #require(try await client.api("/api/v1/ingestion-errors").json() as? [[String: Any]])
            #expect(errors.map { $0["reason"] as? String } == ["unknown status 'SKIPPED'"])
        }
        #expect(try await app.stats().delivered == 1)
    }

    /// Jasmin 0.11 POSTs its DLR fields as a form to the `dlr-url` `$$DlrUrl` made, whose query
    /// (`secret`, `meta`) comes back unchanged: the meta finds the message even when the send
    /// answer's id was never recorded; Jasmin's `id` is kept as the provider message id.
    @Test("jasmin: the meta of the dlr-url query wins over Jasmin's id")
    func jasminMetaFromQuery() async throws {
        let app = try await CallbackTestApp.make(kind: .jasmin)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2", providerMessageId: "aaaaaaaa-0000-4000-8000-000000000001")
        let form = "id=aaaaaaaa-0000-4000-8000-000000000001&level=2&message_status=UNDELIV&connector=sim&id_smsc=7&sub=001&dlvrd=000"
            + "&subdate=2612071310&donedate=2612071311&err=001&text=Hello"
        try await app.test { client async throws in
            let response = try await client.callback(
                form, path: "/callbacks/p1?secret=\(CallbackTestApp.secret)&meta=m1", contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .ok)
            #expect(response.text == "ACK/Jasmin")
            // m2's own receipt, by Jasmin's id alone (a dlr-url without meta).
            let byId = try await client.callback(
                "id=AAAAAAAA-0000-4000-8000-000000000001&level=2&message_status=DELIVRD&donedate=2612071312&err=000",
                contentType: "application/x-www-form-urlencoded")
            #expect(byId.text == "ACK/Jasmin")
        }
        // m1 failed (by its meta), m2 delivered (by its id); had the id won, m2 alone would count.
        let s = try await app.stats()
        #expect((s.delivered, s.failed) == (1, 1))
    }
}
