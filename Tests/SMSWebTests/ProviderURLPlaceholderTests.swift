import Foundation
import Hummingbird
import HummingbirdTesting
import SMSCore
import SMSGatewayHTTP
import Testing

/// Placeholders in a provider's `url` (issue 16): a gateway documented as one GET URL with the
/// values in it (Kannel's `sendsms?…&to=…&text=…`) or a REST path with ids in it
/// (`/v1/accounts/{account}/messages`) is configured as written, for GET and POST alike.
@Suite("Provider url placeholders")
struct ProviderURLPlaceholderTests {
    static let message = OutboundMessage(
        messageId: 7, campaignId: "c1", userId: "u1", to: "+4915550008001", body: "Hi & bye 50% ü/?", meta: "m/1")

    @Test("GET with every placeholder in the url and an empty template: one request, values escaped for the query")
    func getFromURLOnly() throws {
        let provider = ProviderConfig(
            id: "k", name: "K", kind: .kannel, method: "GET",
            url: "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&to=$$To&text=$$Body&ref=$$MessageID",
            bodyType: "form", bodyTemplate: "", callbackSecret: "s", createdAt: 0)
        let requests = try ProviderRequestBuilder.requests(for: [Self.message], provider: provider, customValues: [:])
        #expect(requests.count == 1)
        #expect(requests[0].request.url
            == "http://127.0.0.1:13013/cgi-bin/sendsms?username=u&to=%2B4915550008001&text=Hi%20%26%20bye%2050%25%20%C3%BC%2F%3F&ref=m%2F1")
        #expect(requests[0].request.body == nil)
        #expect(requests[0].messageIds == [7])
    }

    @Test("POST with a path placeholder: the value stays one path segment; the body is rendered as before")
    func postWithPathPlaceholder() throws {
        let provider = ProviderConfig(
            id: "p", name: "P", url: "https://api.example/v1/refs/$$MessageID/sms?to=$$To", bodyType: "form",
            bodyTemplate: "Body=$$Body", callbackSecret: "s", createdAt: 0)
        let request = try #require(ProviderRequestBuilder.requests(for: [Self.message], provider: provider, customValues: [:]).first?.request)
        #expect(request.url == "https://api.example/v1/refs/m%2F1/sms?to=%2B4915550008001")
        #expect(URLComponents(string: request.url)?.percentEncodedPath.split(separator: "/").count == 4)
        #expect(request.body == "Body=Hi+%26+bye+50%25+%C3%BC%2F%3F")
    }

    @Test("the API accepts $$To and $$Body in the url with an empty GET template; one missing from both is a 400 naming the rule")
    func apiRule() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let created = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"k","kind":"kannel","method":"GET","bodyType":"form",
                 "url":"http://127.0.0.1:13013/cgi-bin/sendsms?username=u&password=p&to=$$To&text=$$Body&dlr-url=$$DlrUrl","bodyTemplate":""}
                """#)
            #expect(created.0 == .created, "\(created.1)")
            let missing = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"k","method":"GET","url":"http://127.0.0.1:13013/cgi-bin/sendsms?text=$$Body","bodyTemplate":""}
                """#)
            #expect(missing.0 == .badRequest)
            #expect(missing.1.contains("$$To (or $$ToDigits) must appear in the url or the template"), "\(missing.1)")
            let unknown = try await ProviderTrialRequestTests.create(client, #"""
                {"name":"k","method":"GET","url":"http://h.example/$$Nope?to=$$To&text=$$Body","bodyTemplate":""}
                """#)
            #expect(unknown.0 == .badRequest)
            #expect(unknown.1.contains("unknown placeholder $$Nope"), "\(unknown.1)")
        }
    }
}
