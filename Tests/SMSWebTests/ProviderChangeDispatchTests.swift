import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SMSCore
import SMSGatewayHTTP
import SMSSimulator
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 15: a provider PATCH reaches a campaign that is already sending. Two HTTP sinks, each
/// requiring its own Bearer key; a slow campaign sends to sink A with key A; the provider's URL and
/// credentials are PATCHed (through the API) to sink B with key B mid-campaign. Every message not
/// yet claimed when the PATCH answered must reach B, none A; none is lost (a request with the old
/// key at B, or the new key at A, would be a 401: a failed message) and none is sent twice. With one
/// dispatcher and with three (several servers on one database: each its own node, PostgreSQL ones
/// on their own connections).
@Suite("Provider PATCH reaches a campaign already sending")
struct ProviderChangeDispatchTests {
    static let token = "admin-token"

    static func patch(_ client: any TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(
            uri: "/api/v1/providers/p1", method: .patch,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: ByteBuffer(string: body)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    static func target(port: Int, key: String) -> String {
        #"{"url":"http://127.0.0.1:\#(port)/sms/send","auth":{"type":"bearer","token":"\#(key)"}}"#
    }

    @Test("URL and key PATCHed mid-campaign: later messages reach sink B only, none lost or sent twice", arguments: StoreKind.allCases, [1, 3])
    func patchMidCampaign(kind: StoreKind, nodes: Int) async throws {
        let logger = { () -> Logger in
            var l = Logger(label: "test.provider-change")
            l.logLevel = .critical
            return l
        }()
        let sinkA = try SinkProvider(outputPath: nil, apiKey: "key-A", delay: .milliseconds(40), logger: logger)
        let sinkB = try SinkProvider(outputPath: nil, apiKey: "key-B", logger: logger)
        let portA = try await sinkA.start()
        let portB = try await sinkB.start()
        let recipients = 80
        try await StoreRouteApp.with(kind, adminToken: Self.token, secret: "s3cret") { client, t in
            let setUp = try await Self.patch(
                client,
                #"{"url":"http://127.0.0.1:\#(portA)/sms/send","auth":{"type":"bearer","token":"key-A"},"maxConcurrency":2,"# +
                    #""callbacksEnabled":false,"bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\",\"ref\":\"$$MessageID\"}"}"#)
            #expect(setUp.0 == .ok, "\(setUp.1)")
            let users = (0..<recipients).map { String(format: "u%03d", $0) }
            try await t.store.upsertProfiles(users.enumerated().map { i, id in
                Profile(userId: id, phone: "+4915112\(String(format: "%05d", i))", phoneValid: true)
            })
            try await t.store.insertCampaign(Campaign(
                id: "c1", name: "Slow", providerId: "p1", body: "Hello", links: [], audience: .userIds(users), timezone: "UTC",
                goal: nil, createdAt: 0))
            let planner = CampaignPlanner(linkBaseURL: "https://s.example")
            let gateway = HTTPProviderGateway(httpClient: .shared, logger: logger)
            _ = try await Dispatcher(store: t.store, gateway: gateway, planner: planner).publish(campaignId: "c1")
            let expected = Set(try await t.store.queuedMessages(campaignId: "c1", limit: 1_000).map(\.meta))
            #expect(expected.count == recipients)

            // The servers: each a dispatcher of its own node; PostgreSQL ones on their own connections.
            var stores: [(store: any SMSDispatchStore, close: @Sendable () async -> Void)] = []
            for _ in 0..<nodes { stores.append(kind == .postgres ? try await t.reopened() : (t.store, { @Sendable in })) }
            let loops = stores.enumerated().map { i, s in
                Task {
                    let d = Dispatcher(store: s.store, gateway: gateway, planner: planner, node: NodeIdentity(id: "n\(i)"))
                    while !Task.isCancelled, try await s.store.campaign(id: "c1")?.status != .completed {
                        _ = try await d.runOnce()
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
            // Sending is under way at A (2 requests in flight at a time, 40 ms each): PATCH to B.
            let started = ContinuousClock.now
            while sinkA.counts().messages < 12, ContinuousClock.now - started < .seconds(20) { try await Task.sleep(for: .milliseconds(5)) }
            let moved = try await Self.patch(client, Self.target(port: portB, key: "key-B"))
            #expect(moved.0 == .ok, "\(moved.1)")
            // Still to send (not claimed, no answer recorded) when the PATCH answered: claimed after its commit, they must go to B.
            let unclaimed = Set(
                try await t.query("""
                    SELECT meta FROM messages WHERE campaign_id = 'c1' AND dispatch = 'queued' AND send_attempt IS NULL
                      AND answer_outcome IS NULL AND first_event_at IS NULL AND dead_letter IS NULL
                    """)
                    .compactMap { $0["meta"]?.text })
            for loop in loops { try await loop.value }
            for s in stores { await s.close() }

            let atA = sinkA.receivedRefs()
            let atB = sinkB.receivedRefs()
            #expect(unclaimed.count >= recipients / 2, "the PATCH came late: \(unclaimed.count) left")
            #expect(atA.count + atB.count == recipients, "A \(atA.count) + B \(atB.count)")
            #expect(Set(atA + atB) == expected, "lost or unknown refs")
            #expect(Set(atA).isDisjoint(with: unclaimed), "messages claimed after the PATCH went to A")
            #expect(unclaimed.isSubset(of: Set(atB)))
            // At most the claims in flight at the PATCH (2 requests of 1 message) went to A after it.
            #expect(atA.count <= recipients - unclaimed.count)
            #expect(try await t.int("SELECT COUNT(*) FROM messages WHERE campaign_id = 'c1' AND dispatch = 'sent'") == Int64(recipients))
        }
        await sinkA.stop()
        await sinkB.stop()
    }
}
