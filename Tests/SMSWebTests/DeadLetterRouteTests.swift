import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SMSCore
import SMSStoreTestSupport
import SMSWeb
import Testing

/// Dead letters in the API and the dashboard: `progress.deadLetters`, `GET …/dead-letters`,
/// a paused campaign with its reason, `POST …/resume` (``DeadLetterPolicy``).
@Suite("Dead letters: API and dashboard")
struct DeadLetterRouteTests {
    static let token = "admin-token"

    @Test("progress counts dead letters apart from queued; the list shows each error; resume sends the campaign on", arguments: StoreKind.allCases)
    func apiAndDashboard(kind: StoreKind) async throws {
        let f = try await DispatchFixture(kind)
        let users = ["u0", "u1", "u2", "u3"]
        try await f.published("c1", users: users, batch: 10)
        // A process died while sending u0…u2; each was then sent alone (a suspect, SuspectClaim) and
        // the process died again each time: 2 provider calls each, dead-lettered at recovery, and the
        // 3rd dead letter in a row paused the campaign.
        #expect(try await f.store.claimMessages(campaignId: "c1", limit: 3, attempt: "dead-1", now: f.clock.now, cap: nil).messages.count == 3)
        #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 3, deadLettered: 0))
        for round in 2...4 {
            #expect(try await f.store.claimMessages(campaignId: "c1", limit: 3, attempt: "dead-\(round)", now: f.clock.now, cap: nil).messages.count == 1)
            #expect(try await f.store.recoverClaims(policy: .standard, now: f.clock.now) == ClaimRecovery(released: 0, deadLettered: 1))
        }

        var logger = Logger(label: "test.api")
        logger.logLevel = .critical
        let config = AppConfig(host: "127.0.0.1", port: 0, publicBaseURL: "https://s.example", adminToken: Self.token)
        let app = try await buildApplication(config: config, store: f.store, gateway: FakeGateway(), runDispatcher: false, logger: logger)
        try await app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            let campaign = try await client.execute(uri: "/api/v1/campaigns/c1", method: .get, headers: auth) {
                try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any]
            }
            #expect(campaign?["status"] as? String == "paused")
            #expect(campaign?["pausedReason"] as? String
                == "paused after 3 consecutive dead-lettered messages; last error: repeated crash during dispatch (2 provider calls, outcome unknown)")
            let progress = campaign?["progress"] as? [String: Int]
            #expect(progress?["deadLetters"] == 3)
            #expect(progress?["queued"] == 1)
            #expect(progress?["targeted"] == 4)

            let list = try await client.execute(uri: "/api/v1/campaigns/c1/dead-letters?limit=2", method: .get, headers: auth) {
                ($0.status, try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [[String: Any]])
            }
            #expect(list.0 == .ok)
            #expect(list.1?.map { $0["userId"] as? String } == ["u0", "u1"])
            #expect(list.1?.first?["error"] as? String == "repeated crash during dispatch (2 provider calls, outcome unknown)")
            #expect(list.1?.first?["sendAttempts"] as? Int == 2)
            #expect(list.1?.first?["providerAnswer"] == nil)
            let bad = try await client.execute(uri: "/api/v1/campaigns/c1/dead-letters?limit=0", method: .get, headers: auth) { $0.status }
            #expect(bad == .badRequest)
            let unknown = try await client.execute(uri: "/api/v1/campaigns/nope/dead-letters", method: .get, headers: auth) { $0.status }
            #expect(unknown == .notFound)

            // The dashboard's campaign page: the paused note with its reason and button, and the list.
            let login = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "token=\(Self.token)")) { $0.headers[.setCookie] ?? "" }
            let cookie = String(login.split(separator: ";").first ?? "")
            let page = try await client.execute(uri: "/campaigns/c1", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains(#"id="note-paused""#))
            #expect(page.contains("paused after 3 consecutive dead-lettered messages"))
            #expect(page.contains(#"action="/campaigns/c1/resume""#))
            #expect(page.contains("3 messages taken out of dispatch after repeated failures"))
            #expect(page.components(separatedBy: "repeated crash during dispatch (2 provider calls, outcome unknown)</td>").count - 1 == 3)

            let resumed = try await client.execute(uri: "/api/v1/campaigns/c1/resume", method: .post, headers: auth) {
                ($0.status, try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any])
            }
            #expect(resumed.0 == .ok)
            #expect(resumed.1?["status"] as? String == "sending")
            #expect(resumed.1?["pausedReason"] == nil)
            let again = try await client.execute(uri: "/api/v1/campaigns/c1/resume", method: .post, headers: auth) { $0.status }
            #expect(again == .conflict)
        }
        let gateway = FakeGateway()
        #expect(try await f.dispatcher(gateway).runOnce() == 1)
        #expect(await gateway.sent.count == 1)
        #expect(try await f.store.campaign(id: "c1")?.status == .completed)
    }
}
