import Foundation
import Hummingbird
import HummingbirdTesting
import SMSCore
import Testing

/// A provider whose request can never be built is refused when it is created (400 naming the
/// problem), not discovered when every message of a campaign fails (found by a new-user trial);
/// and the ingestion-errors list checks its `limit` and cuts very long raw input.
@Suite("Provider creation: a trial request; ingestion-errors list limits")
struct ProviderTrialRequestTests {
    static func create(_ client: some TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: "/api/v1/providers", method: .post, headers: auth, body: json(body)) { r in
            (r.status, String(buffer: r.body))
        }
    }

    @Test("a JSON template that is not JSON once filled, and a batch key missing from the template, are 400")
    func refused() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let broken = try await Self.create(client, #"{"name":"p","url":"https://p.example/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\""}"#)
            #expect(broken.0 == .badRequest)
            #expect(broken.1.contains("bodyTemplate is not valid JSON once its placeholders are filled"), "\(broken.1)")
            let batch = try await Self.create(client, #"""
                {"name":"p","url":"https://p.example/send","bodyTemplate":"{\"messages\":[{\"to\":\"$$To\",\"text\":\"$$Body\"}]}",
                 "batch":{"key":"nokey","size":10}}
                """#)
            #expect(batch.0 == .badRequest)
            #expect(batch.1.contains("batch key"), "\(batch.1)")
        }
    }

    @Test("valid templates still pass: batched JSON with a batch-level $$CampaignID, a Kannel GET with $$DlrUrl")
    func accepted() async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let batched = try await Self.create(client, #"""
                {"name":"p","url":"https://p.example/send","bodyTemplate":"{\"messages\":[{\"to\":\"$$To\",\"text\":\"$$Body\",\"ref\":\"$$MessageID\"}],\"campaign\":\"$$CampaignID\"}",
                 "batch":{"key":"messages","size":10}}
                """#)
            #expect(batched.0 == .created, "\(batched.1)")
            let kannel = try await Self.create(client, #"""
                {"name":"k","kind":"kannel","method":"GET","bodyType":"form","url":"http://127.0.0.1:13013/cgi-bin/sendsms",
                 "bodyTemplate":"username=u&password=p&to=$$To&text=$$Body&dlr-mask=31&dlr-url=$$DlrUrl"}
                """#)
            #expect(kannel.0 == .created, "\(kannel.1)")
        }
    }

    @Test("ingestion-errors: a bad limit is 400; a long raw is cut in the list and whole by id")
    func ingestionErrorList() async throws {
        let (app, store, _) = try await makeTestApp()
        let long = String(repeating: "é", count: 40_000)  // 80,000 UTF-8 bytes
        try await store.recordIngestionErrors([IngestionErrorInput(source: "events", providerId: nil, reason: "not JSON", raw: long, receivedAt: 1)])
        try await app.test(.router) { client in
            for bad in ["abc", "0", "-1", "1001"] {
                try await client.execute(uri: "/api/v1/ingestion-errors?limit=\(bad)", method: .get, headers: auth) { r in
                    #expect(r.status == .badRequest)
                    #expect(String(buffer: r.body).contains("limit must be an integer from 1 to 1000"))
                }
            }
            struct Listed: Decodable { var id: Int64; var raw: String; var rawTruncated: Bool }
            let listed = try await client.execute(uri: "/api/v1/ingestion-errors?limit=5", method: .get, headers: auth) { r in
                try decode([Listed].self, r.body)
            }
            #expect(listed.count == 1)
            #expect(listed[0].rawTruncated)
            #expect(listed[0].raw.utf8.count == 65_536)
            #expect(listed[0].raw == String(repeating: "é", count: 32_768))
            struct Full: Decodable { var raw: String }
            let full = try await client.execute(uri: "/api/v1/ingestion-errors/\(listed[0].id)", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                return try decode(Full.self, r.body)
            }
            #expect(full.raw == long)
            try await client.execute(uri: "/api/v1/ingestion-errors/999999", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}
