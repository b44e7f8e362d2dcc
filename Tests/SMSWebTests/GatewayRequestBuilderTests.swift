import Foundation
import SMSCore
import SMSGatewayHTTP
import Testing

@Suite("Provider request building")
struct GatewayRequestBuilderTests {
    /// A body with every character that needs escaping somewhere: quotes, &, +, %, space, emoji.
    static let tricky = OutboundMessage(
        messageId: 1,
        campaignId: "c1",
        userId: "u1",
        to: "+4915112345678",
        body: "Say \"hi\" & 50% + more 🎉",
        meta: "m-1"
    )

    static func provider(
        method: String = "POST",
        url: String = "https://sms.example.com/send",
        bodyType: String = "json",
        template: String,
        headers: [String: String] = [:],
        batch: BatchConfig? = nil
    ) -> ProviderConfig {
        ProviderConfig(
            id: "p1",
            name: "Example",
            method: method,
            url: url,
            bodyType: bodyType,
            bodyTemplate: template,
            headers: headers,
            batch: batch,
            callbackSecret: "s",
            createdAt: 0
        )
    }

    @Test func getAppendsTheUrlEscapedTemplateToTheExistingQuery() throws {
        let provider = Self.provider(
            method: "GET",
            url: "https://sms.example.com/send?user=acme",
            template: "to=$$To&text=$$Body&ref=$$MessageID",
            headers: ["X-Key": "k"]
        )
        let built = try ProviderRequestBuilder.requests(for: [Self.tricky], provider: provider, customValues: [:])
        #expect(built.count == 1)
        #expect(built[0].messageIds == [1])
        #expect(
            built[0].request
                == ProviderRequest(
                    method: "GET",
                    url: "https://sms.example.com/send?user=acme&to=%2B4915112345678"
                        + "&text=Say%20%22hi%22%20%26%2050%25%20%2B%20more%20%F0%9F%8E%89&ref=m-1",
                    headers: ["X-Key": "k"],
                    body: nil
                )
        )
    }

    @Test func getWithoutQueryStartsOneAndDropsALeadingQuestionMark() throws {
        let provider = Self.provider(method: "get", template: "?to=$$To&text=$$Body")
        let built = try ProviderRequestBuilder.requests(for: [Self.tricky], provider: provider, customValues: [:])
        #expect(
            built[0].request.url
                == "https://sms.example.com/send?to=%2B4915112345678&text=Say%20%22hi%22%20%26%2050%25%20%2B%20more%20%F0%9F%8E%89"
        )
    }

    @Test func formPostEscapesFieldsAndSetsTheContentType() throws {
        let provider = Self.provider(
            bodyType: "form",
            template: "to=$$To&text=$$Body&ref=$$MessageID&sender=$$Sender",
            headers: ["Authorization": "Basic YWNtZTpzZWNyZXQ="]
        )
        let built = try ProviderRequestBuilder.requests(
            for: [Self.tricky],
            provider: provider,
            customValues: ["Sender": "ACME Co"]
        )
        #expect(
            built[0].request
                == ProviderRequest(
                    method: "POST",
                    url: "https://sms.example.com/send",
                    headers: [
                        "Authorization": "Basic YWNtZTpzZWNyZXQ=",
                        "Content-Type": "application/x-www-form-urlencoded",
                    ],
                    body: "to=%2B4915112345678&text=Say+%22hi%22+%26+50%25+%2B+more+%F0%9F%8E%89&ref=m-1&sender=ACME+Co"
                )
        )
    }

    @Test func jsonPostEscapesStringsAndKeepsAConfiguredContentType() throws {
        let provider = Self.provider(
            template: #"{"to":"$$To","text":"$$Body","ref":"$$MessageID","campaign":"$$CampaignID","sender":"$$Sender"}"#,
            headers: ["content-type": "application/json; charset=utf-8"]
        )
        let built = try ProviderRequestBuilder.requests(
            for: [Self.tricky],
            provider: provider,
            customValues: ["Sender": "ACME", "To": "+10000000000"]
        )
        #expect(
            built[0].request
                == ProviderRequest(
                    method: "POST",
                    url: "https://sms.example.com/send",
                    headers: ["content-type": "application/json; charset=utf-8"],
                    body: #"{"to":"+4915112345678","text":"Say \"hi\" & 50% + more 🎉","ref":"m-1","campaign":"c1","sender":"ACME"}"#
                )
        )
    }

    @Test func jsonWithoutBatchIsOneRequestPerMessage() throws {
        let provider = Self.provider(template: #"{"to":"$$To","text":"$$Body"}"#)
        let messages = (1...3).map {
            OutboundMessage(messageId: Int64($0), campaignId: "c", userId: "u\($0)", to: "+4930123456\($0)", body: "B\($0)", meta: "m\($0)")
        }
        let built = try ProviderRequestBuilder.requests(for: messages, provider: provider, customValues: [:])
        #expect(built.map(\.messageIds) == [[1], [2], [3]])
        #expect(
            built.map(\.request.body) == [
                #"{"to":"+49301234561","text":"B1"}"#, #"{"to":"+49301234562","text":"B2"}"#,
                #"{"to":"+49301234563","text":"B3"}"#,
            ]
        )
        #expect(built[0].request.headers == ["Content-Type": "application/json"])
    }

    @Test func batchedJsonRepeatsTheRecordUpToTheBatchSize() throws {
        let provider = Self.provider(
            url: "https://sms.example.com/batch?campaign=$$CampaignID",
            template: #"{"sender":"$$Sender","messages":[{"to":"$$To","text":"$$Body","ref":"$$MessageID"}]}"#,
            batch: BatchConfig(key: "messages", size: 2)
        )
        let second = OutboundMessage(messageId: 2, campaignId: "c1", userId: "u2", to: "+33612345678", body: "Ça va?", meta: "m-2")
        let third = OutboundMessage(messageId: 3, campaignId: "c1", userId: "u3", to: "+447700900123", body: "a\\b\nc", meta: "m-3")
        let built = try ProviderRequestBuilder.requests(
            for: [Self.tricky, second, third],
            provider: provider,
            customValues: ["Sender": "A&B"]
        )
        #expect(built.map(\.messageIds) == [[1, 2], [3]])
        #expect(
            built[0].request
                == ProviderRequest(
                    method: "POST",
                    url: "https://sms.example.com/batch?campaign=c1",
                    headers: ["Content-Type": "application/json"],
                    body: #"{"sender":"A&B","messages":[{"to":"+4915112345678","text":"Say \"hi\" & 50% + more 🎉","ref":"m-1"},"#
                        + #"{"to":"+33612345678","text":"Ça va?","ref":"m-2"}]}"#
                )
        )
        #expect(
            built[1].request.body
                == #"{"sender":"A&B","messages":[{"to":"+447700900123","text":"a\\b\nc","ref":"m-3"}]}"#
        )
    }

    @Test func batchSizeAboveTheLimitIsClampedTo1000() throws {
        let provider = Self.provider(
            template: #"{"messages":[{"to":"$$To","text":"$$Body"}]}"#,
            batch: BatchConfig(key: "messages", size: 5000)
        )
        let messages = (0..<1001).map {
            OutboundMessage(messageId: Int64($0), campaignId: "c", userId: "u", to: "+4930123456", body: "x", meta: "m\($0)")
        }
        let built = try ProviderRequestBuilder.requests(for: messages, provider: provider, customValues: [:])
        #expect(built.map(\.messageIds.count) == [1000, 1])
    }

    @Test func misconfiguredProvidersThrow() {
        #expect(throws: ProviderRequestError.unsupportedMethod("PUT")) {
            try ProviderRequestBuilder.requests(
                for: [Self.tricky],
                provider: Self.provider(method: "PUT", template: "x"),
                customValues: [:]
            )
        }
        #expect(throws: ProviderRequestError.unsupportedBodyType("xml")) {
            try ProviderRequestBuilder.requests(
                for: [Self.tricky],
                provider: Self.provider(bodyType: "xml", template: "x"),
                customValues: [:]
            )
        }
        #expect(throws: ProviderRequestError.template(.unknownPlaceholder("Sender"))) {
            try ProviderRequestBuilder.requests(
                for: [Self.tricky],
                provider: Self.provider(template: #"{"s":"$$Sender"}"#),
                customValues: [:]
            )
        }
    }

    @Test func messageIdPathStarTakesTheRecordsPosition() {
        let answer = Data(#"{"messages":[{"id":"SIM-1"},{"id":42},{"id":true}]}"#.utf8)
        #expect(ProviderMessageIdReader.ids(in: answer, path: "messages.*.id", count: 4) == ["SIM-1", "42", nil, nil])
        #expect(ProviderMessageIdReader.ids(in: answer, path: "messages.0.id", count: 2) == ["SIM-1", "SIM-1"])
        #expect(ProviderMessageIdReader.ids(in: answer, path: "messages.1", count: 1) == [nil])
        #expect(ProviderMessageIdReader.ids(in: Data("not json".utf8), path: "id", count: 2) == [nil, nil])
        #expect(ProviderMessageIdReader.ids(in: Data(#"{"sid":"SM1"}"#.utf8), path: "sid", count: 1) == ["SM1"])
    }
}
