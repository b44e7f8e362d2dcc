import Foundation
import HTTPTypes
import SMSCore
import SMSGatewayHTTP
import Testing

/// The provider's message id from answers that are not JSON (`messageIdPattern`,
/// `messageIdHeader`), through the real gateway client against a loopback provider that answers
/// as the gateways do.
@Suite("Gateway: message id from a text answer or a header")
struct GatewayMessageIdAnswerTests {
    static func provider(url: String, kind: ProviderKind = .generic, method: String = "POST", pattern: String? = nil, header: String? = nil)
        -> ProviderConfig
    {
        var p = ProviderConfig(
            id: "p1", name: "Text answers", kind: kind, method: method, url: url, bodyType: "form",
            bodyTemplate: "to=$$To&content=$$Body", callbackSecret: "s", createdAt: 0)
        p.messageIdPattern = pattern
        p.messageIdHeader = header
        return p
    }

    static func send(_ reply: ScriptedProvider.Reply, _ provider: @escaping @Sendable (String) -> ProviderConfig, count: Int = 1)
        async throws -> [DispatchResult.Outcome]
    {
        try await ScriptedProvider.serve([reply]) { url, _ in
            let results = await GatewayHTTPTests.gateway(SleepLog(), maxAttempts: 1).send(
                Array(GatewayHTTPTests.messages.prefix(count)), via: provider(url))
            return results.map(\.outcome)
        }
    }

    /// Jasmin 0.11 `/send` (jasmin/protocols/http/endpoints/send.py): 200, `content-type:
    /// text/plain`, body `Success "<uuid>"`; the id is stored lowercased (``ProviderMessageId``).
    @Test("golden: Jasmin's Success \"<uuid>\" gives the provider message id")
    func jasmin() async throws {
        let reply = ScriptedProvider.Reply(
            status: .ok, headers: [.contentType: "text/plain"], body: #"Success "2D0A8B4E-6F1C-4C3B-9E7A-1F2E3D4C5B6A""#)
        let outcomes = try await Self.send(reply) {
            Self.provider(url: $0, kind: .jasmin, method: "GET", pattern: #"Success "([^"]+)""#)
        }
        #expect(outcomes == [.sent(providerMessageId: "2d0a8b4e-6f1c-4c3b-9e7a-1f2e3d4c5b6a")])
    }

    /// Kannel 1.4 `sendsms`: 202 with `0: Accepted for delivery`, no id in it.
    @Test("golden: Kannel's 0: Accepted for delivery is sent without a provider id")
    func kannel() async throws {
        let reply = ScriptedProvider.Reply(status: .accepted, headers: [.contentType: "text/html"], body: "0: Accepted for delivery")
        let outcomes = try await Self.send(reply) {
            Self.provider(url: $0, kind: .kannel, method: "GET", pattern: #"Success "([^"]+)""#)
        }
        #expect(outcomes == [.sent(providerMessageId: nil)])
    }

    @Test("a header's value is the id (name case-insensitive); with a pattern, the pattern reads the header")
    func header() async throws {
        let plain = try await Self.send(ScriptedProvider.Reply(status: .created, headers: [HTTPField.Name("X-Message-Id")!: " MSG-77 "], body: "{}")) {
            Self.provider(url: $0, header: "x-message-id")
        }
        #expect(plain == [.sent(providerMessageId: "MSG-77")])
        let located = try await Self.send(ScriptedProvider.Reply(status: .created, headers: [.location: "/v1/messages/SM9f3"], body: "")) {
            Self.provider(url: $0, pattern: "/messages/([A-Za-z0-9]+)$", header: "Location")
        }
        #expect(located == [.sent(providerMessageId: "SM9f3")])
        let missing = try await Self.send(ScriptedProvider.Reply(status: .ok, body: "MSG-1")) { Self.provider(url: $0, header: "X-Message-Id") }
        #expect(missing == [.sent(providerMessageId: nil)])
    }

    @Test("the i-th match is the i-th message of a batched request; one message a request takes the first")
    func positions() async throws {
        let batched = try await Self.send(ScriptedProvider.Reply(status: .ok, body: "OK id=A1\nOK id=B2\n"), { url in
            var p = Self.provider(url: url, pattern: #"id=(\w+)"#)
            p.bodyType = "json"
            p.bodyTemplate = #"{"messages":[{"to":"$$To","text":"$$Body"}]}"#
            p.batch = BatchConfig(key: "messages", size: 2)
            return p
        }, count: 2)
        #expect(batched == [.sent(providerMessageId: "A1"), .sent(providerMessageId: "B2")])
        let single = try await Self.send(ScriptedProvider.Reply(status: .ok, body: "OK id=A1\nOK id=B2\n"), { Self.provider(url: $0, pattern: #"id=(\w+)"#) }, count: 2)
        #expect(single == [.sent(providerMessageId: "A1"), .sent(providerMessageId: "A1")])
    }
}
