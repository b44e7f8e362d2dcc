import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSStoreSQLite
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings, item 1): a dashboard form takes exactly the numbers the JSON
/// API takes (the JSON number rule, ``JSONBody/number(text:)``, and the ranges of ``InputLimits``):
/// hex (`0x10`, `0x1p3`), `+5`, `inf` and `1e-400` are refused naming the field and its range,
/// nothing is stored; a form field given twice is a 400 in our words naming it.
@Suite("Dashboard forms: numbers by the API's rule, repeated fields named")
struct DashboardNumberFormTests {
    typealias F = DashboardFixture

    static let rate = "ratePerSecond must be a number from 0.001 to 10000 messages per second"

    /// The message of a dashboard error page (unescaped).
    static func message(_ html: String) -> String? {
        guard let start = html.range(of: #"<p class="note warn" role="alert">"#), let end = html.range(of: "</p>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("provider edit: hex, +5, inf and 1e-400 are refused with the API's words; 1e1 and 0.5 are taken", arguments: [
        ("0x10", #"invalid provider: \#(rate) (got "0x10")"#), ("0x1p3", #"invalid provider: \#(rate) (got "0x1p3")"#),
        ("%2B5", #"invalid provider: \#(rate) (got "+5")"#), ("inf", #"invalid provider: \#(rate) (got "inf")"#),
        ("1e-400", "invalid provider: \(rate) (got '1e-400')"), ("1e309", "invalid provider: \(rate) (got '1e309')"),
        ("5e-324", "invalid provider: \(rate) (got 5e-324)"), (".5", #"invalid provider: \#(rate) (got ".5")"#),
    ])
    func providerRate(typed: String, expected: String) async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let before = try await store.provider(id: s.providerId)
            try await client.execute(
                uri: "/providers/\(s.providerId)/edit", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&ratePerSecond=\(typed)")
            ) { r in
                #expect(r.status == .badRequest)
                #expect(Self.message(String(buffer: r.body)) == expected)
            }
            #expect(try await store.provider(id: s.providerId) == before)
            for (text, rate) in [("1e1", 10.0), ("0.5", 0.5), ("%207%20", 7.0)] {
                try await client.execute(
                    uri: "/providers/\(s.providerId)/edit", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&ratePerSecond=\(text)")
                ) { #expect($0.status == .seeOther, "\(text)") }
                #expect(try await store.provider(id: s.providerId)?.ratePerSecond == rate, "\(text)")
            }
            // batch.size and maxConcurrency by the same rule.
            for (fields, expected) in [
                ("maxConcurrency=0x4", #"invalid provider: maxConcurrency must be an integer from 1 to 64 requests in flight (got "0x4")"#),
                ("batchKey=m&batchSize=1e-400", "invalid provider: batch.size must be an integer from 1 to 1000 messages per request (got '1e-400')"),
            ] {
                try await client.execute(
                    uri: "/providers/\(s.providerId)/edit", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&" + fields)
                ) { r in
                    #expect(r.status == .badRequest)
                    #expect(Self.message(String(buffer: r.body)) == expected)
                }
            }
        }
    }

    @Test("rotate-secret form: graceSeconds 0x10, +5 and 1e-400 are refused naming the field and range; nothing rotates")
    func rotateGrace() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let range = "graceSeconds must be an integer from 0 to 2592000 seconds"
            for (typed, expected) in [
                ("0x10", #"invalid rotation: \#(range) (got "0x10")"#), ("%2B5", #"invalid rotation: \#(range) (got "+5")"#),
                ("1e-400", "invalid rotation: \(range) (got '1e-400')"), ("1e20", "invalid rotation: \(range) (got '1e20')"),
            ] {
                try await client.execute(
                    uri: "/providers/\(s.providerId)/rotate-secret", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&graceSeconds=\(typed)")
                ) { r in
                    #expect(r.status == .badRequest, "\(typed)")
                    #expect(Self.message(String(buffer: r.body)) == expected, "\(typed)")
                }
            }
            #expect(try await store.provider(id: s.providerId)?.callbackSecret == s.secret)
            try await client.execute(
                uri: "/providers/\(s.providerId)/rotate-secret", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&graceSeconds=6e1")
            ) { #expect($0.status == .ok) }
            let rotated = try #require(try await store.provider(id: s.providerId))
            #expect(abs((rotated.previousSecretValidUntil ?? 0) - (Dashboard.now() + 60)) <= 5)
        }
    }

    @Test("new campaign form: control group 99.999, 5e-324, 0x10 and 1e-400, window 0x10, are refused; nothing is stored")
    func campaignNumbers() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let before = try await store.campaigns().count
            let control = "a number from 0 to 99.99 percent with at most 2 fraction digits"
            for (field, typed, expected) in [
                ("controlGroupPercent", "99.999", "controlGroupPercent must be \(control) (got 99.999)"),
                ("controlGroupPercent", "5e-324", "controlGroupPercent must be \(control) (got 5e-324)"),
                ("controlGroupPercent", "0x10", "control group must be \(control) (got &#39;0x10&#39;)"),
                ("controlGroupPercent", "1e-400", "control group must be \(control) (got &#39;1e-400&#39;)"),
                ("goalWindowMinutes", "0x10", "conversion window must be an integer from 1 to 5256000 minutes (got &#39;0x10&#39;)"),
                ("goalWindowMinutes", "1e-400", "conversion window must be an integer from 1 to 5256000 minutes (got &#39;1e-400&#39;)"),
            ] {
                try await client.execute(
                    uri: "/campaigns/new", method: .post, headers: form,
                    body: ByteBuffer(string: "csrf=\(csrf)&action=create&name=N&providerId=\(s.providerId)&body=Hi&audience=list&userIds=a&goalEvent=purchase&\(field)=\(typed)")
                ) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .badRequest, "\(typed)")
                    #expect(html.contains("<li>\(expected)</li>"), "\(field)=\(typed)")
                }
            }
            #expect(try await store.campaigns().count == before)
        }
    }

    @Test("a form field given twice is a 400 naming it, in our words, on every form", arguments: [
        ("/providers/PID/edit", "name=A&name=B", "name"), ("/providers/PID/rotate-secret", "graceSeconds=1&graceSeconds=2&graceSeconds=3", "graceSeconds"),
        ("/campaigns/new", "action=create&body=a&body=b", "body"), ("/providers/PID/disable", "csrf=x", "csrf"),
    ])
    func repeatedField(path: String, fields: String, name: String) async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let s = try await F.seed(client, store: store)
            let (cookie, csrf) = try await F.signIn(client)
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let times = fields.components(separatedBy: "\(name)=").count - 1 + (name == "csrf" ? 1 : 0)
            try await client.execute(
                uri: path.replacingOccurrences(of: "PID", with: s.providerId), method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(csrf)&" + fields)
            ) { r in
                let html = String(buffer: r.body)
                #expect(r.status == .badRequest)
                #expect(Self.message(html) == "the form could not be read: the form field '\(name)' is given \(times) times; give it once")
                #expect(!html.contains("Found duplicate"))
            }
            #expect(try await store.provider(id: s.providerId)?.name == "Acme SMS")
        }
    }
}
