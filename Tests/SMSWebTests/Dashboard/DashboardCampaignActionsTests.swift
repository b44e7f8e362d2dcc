import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// The campaign page's management buttons (duplicate, archive, delete draft, cancel schedule):
/// each a CSRF-checked form POST answered with a redirect, doing what the API does.
@Suite("Dashboard: campaign duplicate / archive / delete draft / cancel schedule buttons")
struct DashboardCampaignActionsTests {
    typealias F = DashboardFixture

    @Test("a finished campaign offers Duplicate and Archive; archiving hides it from the list; the copy's page offers Delete draft")
    func buttons() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let page = try await client.execute(uri: "/campaigns/\(s.campaignId)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains(#"action="/campaigns/\#(s.campaignId)/duplicate""#) && page.contains(#"id="archive""#))
            #expect(!page.contains(#"id="delete-draft""#) && !page.contains(#"id="unschedule""#))

            try await client.execute(uri: "/campaigns/\(s.campaignId)/archive", method: .post, headers: form, body: ByteBuffer(string: "csrf=wrong")) {
                #expect($0.status == .forbidden)
            }
            #expect(try await store.campaign(id: s.campaignId)?.archivedAt == nil)
            let copyLocation = try await client.execute(
                uri: "/campaigns/\(s.campaignId)/duplicate", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")
            ) { r -> String in
                #expect(r.status == .seeOther)
                return r.headers[.location] ?? ""
            }
            let copyId = String(copyLocation.dropFirst("/campaigns/".count))
            #expect(try await store.campaign(id: copyId)?.name == "Spring sale (copy)")
            try await client.execute(uri: "/campaigns/\(s.campaignId)/archive", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .seeOther)
            }
            #expect(try await store.campaign(id: s.campaignId)?.archivedAt != nil)
            let list = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(!list.contains(#"data-campaign="\#(s.campaignId)""#) && list.contains(#"data-campaign="\#(copyId)""#))
            #expect(list.contains("Archived campaigns (1)"))
            let archivedList = try await client.execute(uri: "/?archived=true", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(archivedList.contains(#"data-campaign="\#(s.campaignId)""#) && !archivedList.contains(#"data-campaign="\#(copyId)""#))
            let archivedPage = try await client.execute(uri: "/campaigns/\(s.campaignId)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(archivedPage.contains(#"id="note-archived""#) && !archivedPage.contains(#"id="archive""#))

            let copyPage = try await client.execute(uri: copyLocation, method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(copyPage.contains(#"id="delete-draft""#) && copyPage.contains(#"data-confirm="#))
            try await client.execute(uri: "\(copyLocation)/delete", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.location] == "/")
            }
            #expect(try await store.campaign(id: copyId) == nil)
            // Deleting the sent campaign is refused (409), whatever the button says.
            try await client.execute(uri: "/campaigns/\(s.campaignId)/delete", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)")) {
                #expect($0.status == .conflict)
            }
        }
    }

    @Test("a scheduled campaign offers Cancel schedule; it makes it a draft")
    func cancelSchedule() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            var scheduled = try #require(try await store.campaign(id: s.campaignId)).duplicated(id: "sched", now: 1)
            scheduled = try scheduled.scheduled(at: 4_000_000_000)
            try await store.insertCampaign(scheduled)
            let (cookie, csrf) = try await F.signIn(client)
            let page = try await client.execute(uri: "/campaigns/sched", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(page.contains(#"id="unschedule""#))
            try await client.execute(
                uri: "/campaigns/sched/unschedule", method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf=\(csrf)")
            ) { #expect($0.status == .seeOther) }
            let after = try #require(try await store.campaign(id: "sched"))
            #expect(after.status == .draft && after.sendAt == nil)
        }
    }
}
