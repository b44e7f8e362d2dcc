import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSGatewayHTTP
import Testing

/// The gateway is told the encoding (issue 16): `$$Coding` from the provider's mapping,
/// `$$Unicode`, `$$Segments`, `$$Encoding`, `$$BodyUCS2Hex`; a UCS-2 campaign text to a provider
/// not told it is warned about at creation (API `warnings`, dashboard form).
@Suite("Provider encoding placeholders and the UCS-2 warning")
struct ProviderEncodingTests {
    static let message = OutboundMessage(messageId: 3, campaignId: "c1", userId: "u1", to: "+4915550008001", body: "Zoë 😎", meta: "m3")

    @Test("Kannel GET: coding=2 and charset for a UCS-2 text, coding=0 for GSM-7; the text stays UTF-8 percent-encoded")
    func kannelCoding() throws {
        var provider = ProviderConfig(
            id: "k", name: "K", kind: .kannel, method: "GET",
            url: "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&password=p&to=$$To&text=$$Body&coding=$$Coding&charset=UTF-8",
            bodyType: "form", bodyTemplate: "", callbackSecret: "s", createdAt: 0)
        provider.coding = ["GSM-7": "0", "UCS-2": "2"]
        var gsm = Self.message
        gsm.body = "Hi Zoe"
        let urls = try ProviderRequestBuilder.requests(for: [Self.message, gsm], provider: provider, customValues: [:]).map(\.request.url)
        #expect(urls == [
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&password=p&to=%2B4915550008001&text=Zo%C3%AB%20%F0%9F%98%8E&coding=2&charset=UTF-8",
            "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&password=p&to=%2B4915550008001&text=Hi%20Zoe&coding=0&charset=UTF-8",
        ])
    }

    @Test("a JSON body with $$Unicode, $$Segments and $$Encoding; a form body with Jasmin's hex-content")
    func otherPlaceholders() throws {
        let json = ProviderConfig(
            id: "j", name: "J", url: "https://api.example/sms",
            bodyTemplate: #"{"to":"$$To","text":"$$Body","unicode":$$Unicode,"parts":"$$Segments","enc":"$$Encoding"}"#,
            callbackSecret: "s", createdAt: 0)
        let body = try #require(ProviderRequestBuilder.requests(for: [Self.message], provider: json, customValues: [:]).first?.request.body)
        #expect(body == #"{"to":"+4915550008001","text":"Zoë 😎","unicode":"true","parts":"1","enc":"UCS-2"}"#)
        var jasmin = ProviderConfig(
            id: "js", name: "Jasmin", kind: .jasmin, url: "http://127.0.0.1:1401/send", bodyType: "form",
            bodyTemplate: "username=u&password=p&to=$$To&coding=$$Coding&hex-content=$$BodyUCS2Hex", callbackSecret: "s", createdAt: 0)
        jasmin.coding = ["GSM-7": "0", "UCS-2": "8"]
        let form = try #require(ProviderRequestBuilder.requests(for: [Self.message], provider: jasmin, customValues: [:]).first?.request.body)
        #expect(form == "username=u&password=p&to=%2B4915550008001&coding=8&hex-content=005A006F00EB0020D83DDE0E")
    }

    @Test("the API: $$Coding needs both keys of coding; coding is stored and shown; $$BodyUCS2Hex may stand for the body")
    func apiValidation() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let missing = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"k","method":"GET","url":"http://gw.example/sendsms?to=$$To&text=$$Body&coding=$$Coding","bodyTemplate":""}
                """#)
            #expect(missing.0 == .badRequest)
            #expect(missing.1.contains("uses $$Coding: coding must map GSM-7 and UCS-2"), "\(missing.1)")
            let badKey = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"k","method":"GET","url":"http://gw.example/sendsms?to=$$To&text=$$Body","bodyTemplate":"","coding":{"ucs2":"8"}}
                """#)
            #expect(badKey.0 == .badRequest)
            #expect(badKey.1.contains("coding has the key 'ucs2': its keys are GSM-7, UCS-2"), "\(badKey.1)")
            let created = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"j","bodyType":"form","url":"http://gw.example/send","bodyTemplate":"to=$$To&coding=$$Coding&hex-content=$$BodyUCS2Hex",
                 "coding":{"GSM-7":"0","UCS-2":"8"},"detectsEncoding":false}
                """#)
            #expect(created.0 == .created, "\(created.1)")
            let object = try JSONSerialization.jsonObject(with: Data(created.1.utf8)) as? [String: Any]
            #expect(object?["coding"] as? [String: String] == ["GSM-7": "0", "UCS-2": "8"])
            #expect(object?["detectsEncoding"] as? Bool == false)
        }
    }

    @Test("campaign creation: a UCS-2 text to a provider not told the encoding answers 201 with warnings; GSM-7, or a provider told, none")
    func campaignWarning() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            struct P: Decodable { var id: String }
            func provider(_ body: String) async throws -> String {
                try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(body)) { r in
                    #expect(r.status == .created)
                    return try decode(P.self, r.body).id
                }
            }
            let plain = try await provider(#"{"name":"plain","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#)
            let told = try await provider(#"{"name":"told","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"unicode\":\"$$Unicode\"}"}"#)
            let detecting = try await provider(#"{"name":"auto","url":"https://p.example/send","detectsEncoding":true,"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#)
            try await client.execute(uri: "/api/v1/profiles", method: .post, headers: auth, body: json(#"[{"userId":"a","phone":"+4915123456789"}]"#)) { r in
                #expect(r.status == .ok)
            }
            func create(_ providerId: String, _ text: String) async throws -> [String: Any] {
                let body = #"{"name":"c","providerId":"\#(providerId)","body":"\#(text)","audience":{"all":true}}"#
                return try await client.execute(uri: "/api/v1/campaigns", method: .post, headers: auth, body: json(body)) { r in
                    #expect(r.status == .created)
                    return try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any] ?? [:]
                }
            }
            let warned = try await create(plain, "Grüße 😎")
            let warnings = warned["warnings"] as? [String]
            #expect(warnings?.count == 1)
            #expect(warnings?.first?.hasPrefix("the text needs UCS-2 ('😎'), but provider '\(plain)' is not told the encoding") == true, "\(warned)")
            #expect(try await create(plain, "Grüße")["warnings"] == nil)
            #expect(try await create(told, "Grüße 😎")["warnings"] == nil)
            #expect(try await create(detecting, "Grüße 😎")["warnings"] == nil)
        }
    }

    @Test("the dashboard's new-campaign form shows the warning for a UCS-2 text and marks the providers that need it")
    func dashboardWarning() async throws {
        let (app, store) = try await DashboardFixture.app()
        try await app.test(.router) { client in
            let s = try await DashboardFixture.seed(client, store: store, dispatch: false)
            let (cookie, _) = try await DashboardFixture.signIn(client)
            let emoji = "Hi 😎".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await client.execute(uri: "/campaigns/new?providerId=\(s.providerId)&body=\(emoji)", method: .get, headers: [.cookie: cookie]) { r in
                let html = String(buffer: r.body)
                #expect(r.status == .ok)
                #expect(html.contains(#"<div class="note warn" role="status" id="encoding-warning"><p>the text needs UCS-2 (&#39;😎&#39;), but provider &#39;\#(s.providerId)&#39; is not told the encoding"#), "\(html)")
                #expect(html.contains(#"data-mangles-ucs2="true""#))
            }
            try await client.execute(uri: "/campaigns/new?providerId=\(s.providerId)&body=Hi", method: .get, headers: [.cookie: cookie]) { r in
                #expect(String(buffer: r.body).contains(#"id="encoding-warning" hidden>"#))
            }
        }
    }
}
