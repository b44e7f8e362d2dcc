import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreTestSupport
@testable import SMSWeb
import Testing

/// Issue 15's small items on the admin bodies: names capped at ``InputLimits/nameLength`` (200)
/// characters on creation and PATCH, a segment rule's integer beyond ±2^53 refused instead of
/// rounded, a PATCH phone that is no phone number named as such. On SQLite and PostgreSQL.
@Suite("Admin bodies: name lengths, exact integers, phone words")
struct AdminBodyValuesRouteTests {
    typealias M = ProviderManagementRouteTests

    static let fits = String(repeating: "é", count: 200)
    static let over = String(repeating: "n", count: 201)
    static let huge = String(repeating: "n", count: 100_000)

    @Test("names: 200 characters are taken, 201 or 100,000 are a 400 naming the field and the limit, on creation and PATCH", arguments: StoreKind.allCases)
    func names(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
            let campaign = try await M.call(client, .post, "/api/v1/campaigns", #"{"name":"\#(Self.fits)","providerId":"p1","body":"Hi","audience":{"all":true}}"#)
            #expect(campaign.status == .created, "\(campaign.text)")
            let id = try #require(try M.object(campaign.text)["id"] as? String)
            let segment = try await M.call(client, .post, "/api/v1/segments", #"{"name":"\#(Self.fits)","rules":[]}"#)
            #expect(segment.status == .created, "\(segment.text)")
            let segmentId = try #require(try M.object(segment.text)["id"] as? Int)
            let provider = try await M.call(client, .post, "/api/v1/providers", #"{"name":"\#(Self.fits)","url":"http://127.0.0.1:9/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#)
            #expect(provider.status == .created, "\(provider.text)")
            let profile = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u2","name":"\#(Self.fits)"}]"#)
            #expect(profile.status == .ok, "\(profile.text)")
            #expect(try await t.store.campaign(id: id)?.name == Self.fits)
            #expect(try await t.store.segment(id: Int64(segmentId))?.definition.name == Self.fits)
            #expect(try await t.store.profile(userId: "u2")?.name == Self.fits)

            for name in [Self.over, Self.huge] {
                let n = name.count
                let cases: [(HTTPRequest.Method, String, String, String)] = [
                    (.post, "/api/v1/campaigns", #"{"name":"\#(name)","providerId":"p1","body":"Hi","audience":{"all":true}}"#, "invalid campaign: name is \(n) characters long; at most 200 characters"),
                    (.patch, "/api/v1/campaigns/\(id)", #"{"name":"\#(name)"}"#, "invalid campaign: name is \(n) characters long; at most 200 characters"),
                    (.post, "/api/v1/segments", #"{"name":"\#(name)","rules":[]}"#, "invalid segment: name is \(n) characters long; at most 200 characters"),
                    (.patch, "/api/v1/segments/\(segmentId)", #"{"name":"\#(name)"}"#, "invalid segment: name is \(n) characters long; at most 200 characters"),
                    (.post, "/api/v1/providers", #"{"name":"\#(name)","url":"http://127.0.0.1:9/send","bodyTemplate":"{\"to\":\"$$To\",\"text\":\"$$Body\"}"}"#, "invalid provider: name is \(n) characters long; at most 200 characters"),
                    (.patch, "/api/v1/providers/p1", #"{"name":"\#(name)"}"#, "invalid provider: name is \(n) characters long; at most 200 characters"),
                    (.post, "/api/v1/profiles", #"[{"userId":"u3","name":"\#(name)"}]"#, "the profiles were not stored (nothing was stored): profiles[0].name is \(n) characters long; at most 200 characters"),
                    (.patch, "/api/v1/profiles/u1", #"{"name":"\#(name)"}"#, "invalid profile: name is \(n) characters long; at most 200 characters"),
                ]
                for (method, path, body, expected) in cases {
                    let r = try await M.call(client, method, path, body)
                    #expect(r.status == .badRequest, "\(method) \(path): \(r.text.prefix(200))")
                    #expect(M.message(r.text) == expected, "\(method) \(path)")
                }
            }
            let longId = String(repeating: "u", count: 257)
            let r = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"\#(longId)"}]"#)
            #expect(M.message(r.text) == "the profiles were not stored (nothing was stored): profiles[0].userId is 257 characters long; at most 256 characters")
            #expect(try await t.store.campaign(id: id)?.name == Self.fits)
            #expect(try await t.store.provider(id: "p1")?.name == "P")
            #expect(try await t.store.profile(userId: "u1")?.name == nil)
            #expect(try await t.store.profile(userId: "u3") == nil)
            #expect(try await t.store.campaigns().count == 1)
            #expect(try await t.store.segments().count == 1)
        }
    }

    @Test("a segment rule's integer beyond ±2^53 is refused naming rules[0].value; 2^53 is stored exactly", arguments: StoreKind.allCases)
    func exactIntegers(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            let bad = try await M.call(client, .post, "/api/v1/segments", #"{"name":"x","rules":[{"field":"properties.n","op":"eq","value":9007199254740993}]}"#)
            #expect(bad.status == .badRequest)
            #expect(M.message(bad.text) == "invalid segment: rules[0].value must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string (got 9007199254740993)")
            let inList = try await M.call(client, .post, "/api/v1/segments", #"{"name":"x","rules":[{"field":"properties.n","op":"in","value":[1,-9007199254740993]}]}"#)
            #expect(M.message(inList.text).hasPrefix("invalid segment: rules[0].value[1] must be a number from -9007199254740992"))
            #expect(try await t.store.segments().isEmpty)
            let ok = try await M.call(client, .post, "/api/v1/segments", #"{"name":"x","rules":[{"field":"properties.n","op":"eq","value":9007199254740992}]}"#)
            #expect(ok.status == .created, "\(ok.text)")
            #expect(try await t.store.segments().first?.definition.rules.first?.value == .number(9_007_199_254_740_992))
            // Profile properties: the same rule.
            let profile = try await M.call(client, .post, "/api/v1/profiles", #"[{"userId":"u1","properties":{"orderId":12345678901234567}}]"#)
            #expect(M.message(profile.text).hasSuffix("[0].properties.orderId must be a number from -9007199254740992 to 9007199254740992: an integer beyond ±2^53 cannot be held exactly; send it as a string (got 12345678901234567)"))
            #expect(try await t.store.profile(userId: "u1") == nil)
        }
    }

    @Test("PATCH phone: text without a digit is named as not a phone number", arguments: StoreKind.allCases)
    func phoneWords(kind: StoreKind) async throws {
        try await StoreRouteApp.with(kind, adminToken: M.token, secret: M.secret) { client, t in
            try await t.store.upsertProfiles([Profile(userId: "u1", phone: "+4915112345678", phoneValid: true)])
            let r = try await M.call(client, .patch, "/api/v1/profiles/u1", #"{"phone":"not a phone"}"#)
            #expect(r.status == .badRequest)
            #expect(M.message(r.text) == "invalid profile: phone: phone number holds no digit: the text is not a phone number")
            let blank = try await M.call(client, .patch, "/api/v1/profiles/u1", #"{"phone":"  "}"#)
            #expect(M.message(blank.text) == "invalid profile: phone: phone number is empty")
            #expect(try await t.store.profile(userId: "u1")?.phone == "+4915112345678")
        }
    }
}
