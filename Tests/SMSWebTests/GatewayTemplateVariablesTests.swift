import Foundation
import SMSCore
import SMSGatewayHTTP
import Testing

@Suite("Provider request: $$TemplateID, $$TemplateVariables and campaign values, escaped where they land")
struct GatewayTemplateVariablesTests {
    static let message = OutboundMessage(
        messageId: 7, campaignId: "c1", userId: "u1", to: "+4915112345678", body: "Hi \"Ann\" & co 😎 100% + \\ more\nbye",
        meta: "m-7", templateVariables: #"{"city":"Köln & \"Bonn\"","first_name":"Ann"}"#)

    static func provider(method: String = "POST", bodyType: String = "json", url: String = "https://sms.example/send", template: String) -> ProviderConfig {
        ProviderConfig(id: "p", name: "P", method: method, url: url, bodyType: bodyType, bodyTemplate: template, callbackSecret: "s", createdAt: 0)
    }

    @Test("JSON: the variables' JSON text is one escaped JSON string; every value parses back exactly")
    func json() throws {
        let p = Self.provider(template: #"{"to":"$$To","text":"$$Body","tpl":"$$TemplateID","vars":$$TemplateVariables,"sender":"$$Sender"}"#)
        let built = try ProviderRequestBuilder.requests(for: [Self.message], provider: p, customValues: ["TemplateID": "DLT-1", "Sender": "A&B \"Co\""])
        let body = try #require(built[0].request.body)
        #expect(body == #"{"to":"+4915112345678","text":"Hi \"Ann\" & co 😎 100% + \\ more\nbye","tpl":"DLT-1","vars":"{\"city\":\"Köln & \\\"Bonn\\\"\",\"first_name\":\"Ann\"}","sender":"A&B \"Co\""}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(parsed["text"] == Self.message.body)
        #expect(parsed["vars"] == Self.message.templateVariables)
        #expect(parsed["sender"] == "A&B \"Co\"")
    }

    @Test("form: & + % quotes, newline and emoji are percent-encoded; the form decodes back to the values")
    func form() throws {
        let p = Self.provider(bodyType: "form", template: "to=$$To&text=$$Body&vars=$$TemplateVariables&tpl=$$TemplateID")
        let built = try ProviderRequestBuilder.requests(for: [Self.message], provider: p, customValues: ["TemplateID": "a+b"])
        let body = try #require(built[0].request.body)
        #expect(body == "to=%2B4915112345678&text=Hi+%22Ann%22+%26+co+%F0%9F%98%8E+100%25+%2B+%5C+more%0Abye"
            + "&vars=%7B%22city%22%3A%22K%C3%B6ln+%26+%5C%22Bonn%5C%22%22%2C%22first_name%22%3A%22Ann%22%7D&tpl=a%2Bb")
        var components = URLComponents()
        components.percentEncodedQuery = body.replacingOccurrences(of: "+", with: "%20")
        let items = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["text"] == Self.message.body)
        #expect(items["vars"] == Self.message.templateVariables)
        #expect(items["tpl"] == "a+b")
    }

    @Test("GET query: RFC 3986 encoding, no + for space, and it decodes back")
    func query() throws {
        let p = Self.provider(method: "GET", url: "https://sms.example/send?key=$$ApiKey", template: "to=$$To&text=$$Body&vars=$$TemplateVariables")
        let built = try ProviderRequestBuilder.requests(for: [Self.message], provider: p, customValues: ["ApiKey": "k&=1"])
        let url = built[0].request.url
        #expect(url.hasPrefix("https://sms.example/send?key=k%26%3D1&to=%2B4915112345678&text=Hi%20%22Ann%22%20%26%20co%20%F0%9F%98%8E%20100%25%20%2B%20%5C%20more%0Abye&vars="))
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["key"] == "k&=1")
        #expect(items["text"] == Self.message.body)
        #expect(items["vars"] == Self.message.templateVariables)
    }

    @Test("a message without personalisation sends {} as $$TemplateVariables")
    func emptyVariables() throws {
        var m = Self.message
        m.templateVariables = nil
        let built = try ProviderRequestBuilder.requests(for: [m], provider: Self.provider(template: #"{"to":"$$To","text":"$$Body","v":"$$TemplateVariables"}"#), customValues: [:])
        #expect(built[0].request.body?.hasSuffix(#""v":"{}"}"#) == true)
    }
}
