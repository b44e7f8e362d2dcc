import Foundation
import SMSCore
import SMSGatewayHTTP
import Testing

/// Per-message callback tokens (``CallbackToken``) and the `$$DlrUrl` that carries them
/// (``DeliveryReportURL``). Expected tokens computed independently with Python's `hmac`:
/// `base64.urlsafe_b64encode(hmac.new(secret, b"dlr1:" + meta, sha256).digest()[:16]).rstrip(b"=")`.
@Suite("Callback tokens ($$DlrUrl)")
struct CallbackTokenTests {
    static func provider(_ kind: ProviderKind, id: String = "p1", secret: String = "Sec123") -> ProviderConfig {
        ProviderConfig(id: id, name: "P", kind: kind, url: "https://p.example", bodyTemplate: "to=$$To", callbackSecret: secret, createdAt: 0)
    }

    @Test("golden tokens: a fixed secret and meta give the exact 22-character base64url token", arguments: [
        ("Sec123", "mAbC123", "uX_iXkolNilS0mJ9AhmamQ"),
        ("Sec123", "mAbC124", "No4cOM-0sGTqtQUky8wijg"),
        ("Sec123", "m 1&x=ü", "f08ceLhw52FtoAfDBZz19g"),
        ("OldSec", "mAbC123", "cGZDCKIESvSkFSgy_SsKcg"),
        ("s3cret-callback-key", "m1", "y6p0YOVK4AW3wu_EVjS2Aw"),
    ])
    func golden(secret: String, meta: String, token: String) {
        #expect(CallbackToken.make(secret: secret, meta: meta, mac: HMACSHA256.mac) == token)
        #expect(token.count == 22)
    }

    @Test("kannel: token, meta and Kannel's escape codes; the provider-wide secret is not in the URL")
    func kannelURL() {
        let url = DeliveryReportURL.make(publicBaseURL: "https://sms.example.com/", provider: Self.provider(.kannel), meta: "mAbC123", mac: HMACSHA256.mac)
        #expect(url == "https://sms.example.com/callbacks/p1?token=uX_iXkolNilS0mJ9AhmamQ&meta=mAbC123&type=%d&answer=%A&ts=%T&fid=%F")
        #expect(!url.contains("Sec123"))
    }

    @Test("other kinds: token and meta only; reserved characters of the meta and id are percent-encoded, the token is of the raw meta")
    func genericURL() {
        #expect(DeliveryReportURL.make(publicBaseURL: "http://127.0.0.1:8080", provider: Self.provider(.generic), meta: "m 1&x=ü", mac: HMACSHA256.mac)
            == "http://127.0.0.1:8080/callbacks/p1?token=f08ceLhw52FtoAfDBZz19g&meta=m%201%26x%3D%C3%BC")
        #expect(DeliveryReportURL.make(publicBaseURL: "http://h", provider: Self.provider(.twilio, id: "a/b"), meta: "m", mac: HMACSHA256.mac)
            == "http://h/callbacks/a%2Fb?token=5XCevYBGtGGgZ2XODpzp-g&meta=m")
    }

    @Test("valid only for its own meta, under its own secret; tampered tokens are refused")
    func validity() {
        let p = Self.provider(.kannel)
        #expect(CallbackToken.isValid("uX_iXkolNilS0mJ9AhmamQ", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("uX_iXkolNilS0mJ9AhmamQ", meta: "mAbC124", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("uX_iXkolNilS0mJ9AhmamR", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("uX_iXkolNilS0mJ9Ahmam", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("Sec123", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid("cGZDCKIESvSkFSgy_SsKcg", meta: "mAbC123", provider: p, now: 0, mac: HMACSHA256.mac))
    }

    @Test("rotation: a token minted under the previous secret is valid until the grace period ends (exclusive), then refused")
    func rotation() {
        let rotated = CallbackSecretRotation.rotate(Self.provider(.kannel, secret: "OldSec"), newSecret: "Sec123", now: 1_000, graceSeconds: 3_600)
        let old = "cGZDCKIESvSkFSgy_SsKcg", new = "uX_iXkolNilS0mJ9AhmamQ"
        #expect(CallbackToken.isValid(old, meta: "mAbC123", provider: rotated, now: 4_599, mac: HMACSHA256.mac))
        #expect(CallbackToken.isValid(new, meta: "mAbC123", provider: rotated, now: 4_599, mac: HMACSHA256.mac))
        #expect(!CallbackToken.isValid(old, meta: "mAbC123", provider: rotated, now: 4_600, mac: HMACSHA256.mac))
        #expect(CallbackToken.isValid(new, meta: "mAbC123", provider: rotated, now: 4_600, mac: HMACSHA256.mac))
    }

    @Test("bind: items on the token's meta are kept; an item named only by the provider's id becomes the token's message; any other meta is refused naming it")
    func bind() throws {
        let own = CallbackItem(kind: .delivered, meta: "m1", ts: 5)
        let sidOnly = CallbackItem(kind: .delivered, meta: "SM9", providerMessageId: "SM9")
        let clientRef = CallbackItem(kind: .failed, meta: "m1", code: "1", providerMessageId: "V7")
        let bound = try CallbackToken.bind([own, sidOnly, clientRef], toMeta: "m1").get()
        #expect(bound.map(\.meta) == ["m1", "m1", "m1"])
        #expect(bound.map(\.providerMessageId) == [nil, "SM9", "V7"])
        let other = CallbackItem(kind: .delivered, meta: "m2", ts: 5)
        #expect(CallbackToken.bind([own, other], toMeta: "m1")
            == .failure(.init(reason: "the callback token is for meta 'm1', but item 1 reports on meta 'm2'")))
        // Our meta next to another provider id is another message, not a provider-id-only item.
        let mixed = CallbackItem(kind: .delivered, meta: "m2", providerMessageId: "SM9")
        #expect(throws: CallbackToken.Refusal.self) { try CallbackToken.bind([mixed], toMeta: "m1").get() }
        #expect(try CallbackToken.bind([], toMeta: "m1").get().isEmpty)
    }

    @Test("property: a token is valid for its meta and for no other among random metas and secrets")
    func property() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019-_.~ &=%üé😀")
        func random(_ n: Int) -> String { String((0..<n).map { _ in alphabet.randomElement(using: &rng)! }) }
        for _ in 0..<200 {
            let secret = random(Int.random(in: 1...40, using: &rng)), meta = random(Int.random(in: 1...24, using: &rng))
            let other = meta + random(1)
            let p = Self.provider(.generic, secret: secret)
            let token = CallbackToken.make(secret: secret, meta: meta, mac: HMACSHA256.mac)
            #expect(token.count == 22 && token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(CallbackToken.isValid(token, meta: meta, provider: p, now: 0, mac: HMACSHA256.mac))
            #expect(!CallbackToken.isValid(token, meta: other, provider: p, now: 0, mac: HMACSHA256.mac))
            #expect(!CallbackToken.isValid(token, meta: meta, provider: Self.provider(.generic, secret: secret + "x"), now: 0, mac: HMACSHA256.mac))
        }
    }
}
