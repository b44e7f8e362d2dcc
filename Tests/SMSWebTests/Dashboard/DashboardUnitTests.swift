import Foundation
import GRDB
import SMSCore
import SMSStoreSQLite
import Testing

@testable import SMSWeb

@Suite("Dashboard building blocks: number formats, sessions, one-time links, message preview")
struct DashboardUnitTests {
    @Test(
        "counts get comma thousands separators",
        arguments: [(Int64(0), "0"), (999, "999"), (1_000, "1,000"), (1_234_567, "1,234,567"), (-1_000, "-1,000"), (Int64.min, "-9,223,372,036,854,775,808")])
    func counts(n: Int64, text: String) {
        #expect(DisplayFormat.count(n) == text)
    }

    @Test("counts with their noun are singular for exactly one")
    func nouns() {
        #expect(DisplayFormat.count(1, "click") == "1 click")
        #expect(DisplayFormat.count(0, "click") == "0 clicks")
        #expect(DisplayFormat.count(1_500, "message") == "1,500 messages")
        #expect(DisplayFormat.count(2, "reply", plural: "replies") == "2 replies")
    }

    @Test("rates round to one decimal for display only; money has two decimals")
    func ratesAndMoney() {
        #expect(DisplayFormat.percent(25) == "25.0%")
        #expect(DisplayFormat.percent(100.0 / 3) == "33.3%")
        #expect(DisplayFormat.percent(.nan) == "–")
        #expect(DisplayFormat.signedPercent(12.54) == "+12.5%")
        #expect(DisplayFormat.signedPercent(-3) == "-3.0%")
        #expect(DisplayFormat.money(cents: 123_456) == "1,234.56")
        #expect(DisplayFormat.money(cents: -5) == "-0.05")
        #expect(DisplayFormat.money(1234.5) == "1,234.50")
        #expect(DisplayFormat.money(0.125) == "0.13")
        #expect(DisplayFormat.signedMoney(10) == "+10.00")
        #expect(DisplayFormat.signedMoney(-2.5) == "-2.50")
        #expect(DisplayFormat.signedMoney(0) == "0.00")
    }

    @Test("trend labels and local times are in the campaign's zone")
    func labelsAndTimes() {
        #expect(DisplayFormat.periodLabel("2024-03-10", monthly: false) == "10 Mar")
        #expect(DisplayFormat.periodLabel("2024-03-01", monthly: true) == "Mar 2024")
        #expect(DisplayFormat.periodLabel("garbage", monthly: true) == "garbage")
        // 2024-03-09T23:30:00Z is 00:30 on 10 March in Berlin (PITFALLS.md #14), 05:00 in Kolkata.
        #expect(DisplayFormat.dateTime(1_710_027_000, timeZone: "Europe/Berlin") == "2024-03-10 00:30")
        #expect(DisplayFormat.dateTime(1_710_027_000, timeZone: "Asia/Kolkata") == "2024-03-10 05:00")
        #expect(DisplayFormat.dateTime(1_710_027_000, timeZone: "Not/AZone") == "2024-03-09 23:30")
    }

    @Test("conversion windows in words")
    func windows() {
        #expect(CampaignPageModel.window(1_440) == "24 h")
        #expect(CampaignPageModel.window(90) == "90 min")
        #expect(CampaignPageModel.window(60) == "1 h")
        #expect(CampaignPageModel.window(10_080) == "7 days")
    }

    // MARK: Sessions

    @Test("a session cookie verifies; tampered, expired or signed with another token it does not")
    func sessionCookie() throws {
        let signer = DashboardSessionSigner(adminToken: "tok", password: nil, secureCookie: false)
        let (session, cookie) = signer.issue(now: 1_000)
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Lax"))
        #expect(!cookie.contains("Secure"))
        let value = String(cookie.split(separator: ";")[0].dropFirst("smsstats_session=".count))
        #expect(signer.verify(value, now: 2_000) == session)
        #expect(signer.verify(value, now: 1_000 + DashboardSessionSigner.lifetime) == nil)
        let other = DashboardSessionSigner(adminToken: "tok2", password: nil, secureCookie: false)
        #expect(other.verify(value, now: 2_000) == nil)
        let withPassword = DashboardSessionSigner(adminToken: "tok", password: "pw", secureCookie: false)
        #expect(withPassword.verify(value, now: 2_000) == nil, "setting a password signs everyone out")
        // Change the expiry (keeping the MAC): refused.
        var parts = value.split(separator: ".").map(String.init)
        parts[2] = String(Int64(parts[2])! + 86_400 * 365)
        #expect(signer.verify(parts.joined(separator: "."), now: 2_000) == nil)
        #expect(signer.verify("", now: 2_000) == nil)
        #expect(signer.verify("v1.x.y.z", now: 2_000) == nil)
        #expect(DashboardSessionSigner(adminToken: "tok", password: nil, secureCookie: true).issue(now: 0).cookie.hasSuffix("; Secure"))
    }

    @Test("each session has its own CSRF token, 64 hex characters")
    func csrfPerSession() {
        let signer = DashboardSessionSigner(adminToken: "tok", password: nil, secureCookie: false)
        let a = signer.issue(now: 0).session
        let b = signer.issue(now: 0).session
        #expect(a.id != b.id)
        #expect(a.csrfToken != b.csrfToken)
        #expect(a.csrfToken.count == 64)
        #expect(a.id.count == 32)
    }

    // MARK: One-time links

    @Test("a one-time sign-in link works once and only within its lifetime; the database keeps its SHA-256 only")
    func oneTimeLinks() async throws {
        let store = try SQLiteStore.inMemory()
        let links = OneTimeLoginLinks(store: store)
        let n = try await links.mint(next: "/campaigns/x", now: 100)
        #expect(n.count == 64)
        #expect(OneTimeLoginLinks.hash(n).count == 64)
        let kept = try await store.db.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM login_links") }
        #expect(kept == [OneTimeLoginLinks.hash(n)])
        #expect(try await links.redeem(n, now: 101) == "/campaigns/x")
        #expect(try await links.redeem(n, now: 102) == nil)
        let late = try await links.mint(next: "/", now: 100)
        #expect(try await links.redeem(late, now: 100 + OneTimeLoginLinks.lifetime) == nil)
        #expect(try await links.redeem("nope", now: 100) == nil)
        // The hash itself is no token: it redeems nothing.
        let other = try await links.mint(next: "/", now: 100)
        #expect(try await links.redeem(OneTimeLoginLinks.hash(other), now: 101) == nil)
        #expect(try await links.redeem(other, now: 101) == "/")
    }

    @Test(
        "redirects after sign-in stay on this site",
        arguments: [
            (Optional("/campaigns/cmp_1?granularity=week"), "/campaigns/cmp_1?granularity=week"), (nil, "/"),
            ("//evil.example/x", "/"), ("https://evil.example", "/"), ("/\\evil.example", "/"), ("/a\\b", "/"),
            ("/a\nLocation: x", "/"), ("", "/"), ("campaigns", "/"),
        ])
    func safeNext(input: String?, expected: String) {
        #expect(OneTimeLoginLinks.safeNext(input) == expected)
    }

    // MARK: Message preview

    @Test("the preview counts the message as sent: links replaced by short links of the real length")
    func previewAsSent() {
        let base = "https://sms.example.com"  // short link: base + "/l/" + 10 = 36 characters
        let body = "Sale https://shop.example.com/a/very/long/path/that/is/much/longer/than/the/short/link?x=1&y=2 now"
        let p = MessagePreview(body: body, linkBaseURL: base)
        #expect(p.shortLinkLength == 36)
        #expect(p.links == 1)
        #expect(p.sent.encoding == .gsm7)
        #expect(p.sent.units == 5 + 36 + 4)
        #expect(p.sent.segments == 1)
        #expect(p.characters == body.count)
    }

    @Test(
        "segments follow SegmentCounter: 160/153 GSM-7, 70/67 UCS-2, extension characters count 2",
        arguments: [
            (String(repeating: "a", count: 160), SMSEncoding.gsm7, 160, 1, 160),
            (String(repeating: "a", count: 161), .gsm7, 161, 2, 153),
            (String(repeating: "€", count: 80), .gsm7, 160, 1, 160),
            (String(repeating: "€", count: 81), .gsm7, 162, 2, 153),
            (String(repeating: "😎", count: 70), .ucs2, 140, 3, 67),  // PITFALLS.md #17
            (String(repeating: "ä", count: 70) + "ç", .ucs2, 71, 2, 67),
        ])
    func previewSegments(body: String, encoding: SMSEncoding, units: Int, segments: Int, perSegment: Int) {
        let p = MessagePreview(body: body, linkBaseURL: "https://s.example")
        #expect(p.sent.encoding == encoding)
        #expect(p.sent.units == units)
        #expect(p.sent.segments == segments)
        #expect(p.perSegment == perSegment)
        #expect(p.sent == SegmentCounter.count(body))
    }

    @Test("form bodies get LF line breaks (browsers post CRLF)")
    func lineBreaks() {
        #expect(CampaignFormController.normalizedBody("a\r\nb\rc\nd") == "a\nb\nc\nd")
        #expect(CampaignFormController.normalizedBody(nil) == "")
    }

    @Test("the GSM alphabet reaches the page as code points, CR included")
    func codePoints() {
        #expect(CampaignFormController.codePoints("@£$") == "64,163,36")
        #expect(CampaignFormController.codePoints(SegmentCounter.basicCharacters).split(separator: ",").contains("13"))
        #expect(CampaignFormController.codePoints(SegmentCounter.basicCharacters).split(separator: ",").count == 127)
    }

    @Test("multipart boundaries are read from the content type, quoted or not")
    func boundary() {
        #expect(ProfileImportPageController.boundary(of: "multipart/form-data; boundary=----abc") == "----abc")
        #expect(ProfileImportPageController.boundary(of: "multipart/form-data; charset=utf-8; boundary=\"q q\"") == "q q")
        #expect(ProfileImportPageController.boundary(of: "multipart/form-data") == nil)
    }
}
