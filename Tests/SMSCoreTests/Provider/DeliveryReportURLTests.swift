import Foundation
import SMSCore
import Testing

/// `$$DlrUrl`: the per-message callback URL a provider is given with each message.
@Suite("Delivery-report URL ($$DlrUrl)")
struct DeliveryReportURLTests {
    static func provider(_ kind: ProviderKind, id: String = "p1") -> ProviderConfig {
        ProviderConfig(id: id, name: "P", kind: kind, url: "https://p.example", bodyTemplate: "to=$$To", callbackSecret: "Sec123", createdAt: 0)
    }

    @Test("kannel: secret, meta and Kannel's escape codes for type, answer, time and SMSC id")
    func kannel() {
        #expect(DeliveryReportURL.make(publicBaseURL: "https://sms.example.com/", provider: Self.provider(.kannel), meta: "mAbC123")
            == "https://sms.example.com/callbacks/p1?secret=Sec123&meta=mAbC123&type=%d&answer=%A&ts=%T&fid=%F")
    }

    @Test("other kinds: secret and meta only; reserved characters of the meta and id are percent-encoded")
    func generic() {
        #expect(DeliveryReportURL.make(publicBaseURL: "http://127.0.0.1:8080", provider: Self.provider(.generic), meta: "m 1&x=ü")
            == "http://127.0.0.1:8080/callbacks/p1?secret=Sec123&meta=m%201%26x%3D%C3%BC")
        #expect(DeliveryReportURL.make(publicBaseURL: "http://h", provider: Self.provider(.twilio, id: "a/b"), meta: "m")
            == "http://h/callbacks/a%2Fb?secret=Sec123&meta=m")
    }
}
