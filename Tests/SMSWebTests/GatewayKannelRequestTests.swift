import Foundation
import SMSCore
import SMSGatewayHTTP
import Testing

/// The GET provider path as Kannel's `sendsms` needs it: `+` of the E.164 number and spaces of the
/// text percent-encoded, and the `dlr-url` (already URL-encoded once in the template, with Kannel's
/// `%d`/`%A`/`%T`/`%F` escapes as `%25d`…) carrying the message's meta.
@Suite("Gateway: Kannel sendsms request")
struct GatewayKannelRequestTests {
    @Test("golden: the sendsms URL with the encoded dlr-url and the meta substituted")
    func sendsmsURL() throws {
        let dlr = "http%3A%2F%2F127.0.0.1%3A8080%2Fcallbacks%2Fkannel%3Fsecret%3Ds3%26meta%3D$$MessageID"
            + "%26type%3D%25d%26answer%3D%25A%26ts%3D%25T%26fid%3D%25F"
        let provider = ProviderConfig(
            id: "kannel", name: "Kannel", kind: .kannel, method: "GET", url: "http://127.0.0.1:13013/cgi-bin/sendsms",
            bodyType: "form", bodyTemplate: "username=tester&password=foobar&from=12345&to=$$To&text=$$Body&dlr-mask=31&dlr-url=" + dlr,
            callbackSecret: "s3", createdAt: 0)
        let message = OutboundMessage(
            messageId: 7, campaignId: "c1", userId: "u1", to: "+4915550008001", body: "Hi & bye 50%", meta: "mAbC123")
        let requests = try ProviderRequestBuilder.requests(for: [message], provider: provider, customValues: [:])
        #expect(requests.count == 1)
        #expect(requests.first?.request.method == "GET")
        #expect(requests.first?.request.body == nil)
        #expect(
            requests.first?.request.url
                == "http://127.0.0.1:13013/cgi-bin/sendsms?username=tester&password=foobar&from=12345&to=%2B4915550008001"
                + "&text=Hi%20%26%20bye%2050%25&dlr-mask=31&dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2Fcallbacks%2Fkannel%3Fsecret%3Ds3"
                + "%26meta%3DmAbC123%26type%3D%25d%26answer%3D%25A%26ts%3D%25T%26fid%3D%25F")
        #expect(requests.first?.messageIds == [7])
    }

    @Test("$$DlrUrl renders the sendsms URL with the message's own token (not the secret) in the dlr-url, as the Kannel integration test sends it")
    func dlrUrlPlaceholder() throws {
        let provider = ProviderConfig(
            id: "kannel", name: "Kannel", kind: .kannel, method: "GET", url: "http://127.0.0.1:13013/cgi-bin/sendsms",
            bodyType: "form", bodyTemplate: "username=tester&password=foobar&from=12345&to=$$To&text=$$Body&dlr-mask=31&dlr-url=$$DlrUrl",
            callbackSecret: "s3", createdAt: 0)
        let message = OutboundMessage(
            messageId: 7, campaignId: "c1", userId: "u1", to: "+4915550008001", body: "Hi & bye 50%", meta: "mAbC123")
        let requests = try ProviderRequestBuilder.requests(
            for: [message], provider: provider, customValues: [:], publicBaseURL: "http://127.0.0.1:8080")
        #expect(
            requests.first?.request.url
                == "http://127.0.0.1:13013/cgi-bin/sendsms?username=tester&password=foobar&from=12345&to=%2B4915550008001"
                + "&text=Hi%20%26%20bye%2050%25&dlr-mask=31&dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2Fcallbacks%2Fkannel%3Ftoken%3DeyDA6b8izSDg6YgJRWBT-Q"
                + "%26meta%3DmAbC123%26type%3D%25d%26answer%3D%25A%26ts%3D%25T%26fid%3D%25F")
        // Without a public base URL the placeholder has no value: the request cannot be built.
        #expect {
            try ProviderRequestBuilder.requests(for: [message], provider: provider, customValues: [:])
        } throws: { "\($0)".contains("$$DlrUrl") }
    }

    @Test("$$DlrUrl in a JSON body (e.g. a per-message status-callback field) is a JSON string")
    func dlrUrlInJSON() throws {
        let provider = ProviderConfig(
            id: "p", name: "P", url: "https://p.example/send", bodyTemplate: #"{"to":"$$To","text":"$$Body","callback":"$$DlrUrl"}"#,
            callbackSecret: "s3", createdAt: 0)
        let message = OutboundMessage(messageId: 1, campaignId: "c1", userId: "u1", to: "+4915550008001", body: "Hi", meta: "m1")
        let requests = try ProviderRequestBuilder.requests(
            for: [message], provider: provider, customValues: [:], publicBaseURL: "https://sms.example.com")
        #expect(requests.first?.request.body
            == #"{"to":"+4915550008001","text":"Hi","callback":"https://sms.example.com/callbacks/p?token=pUc6FS4KaUk9nowUBdlK4Q&meta=m1"}"#)
    }
}
