import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import SMSTestSupport
import Testing

@testable import SMSWeb

/// Each provider's own callback signature (``NativeCallbackSignature``), with signatures made by
/// the providers' SDKs (`scripts/reference/provider_signatures.py`: PyPI `plivo`, `vonage`; Sinch's
/// from its documented formula): valid ones are accepted; tampered, stale and replayed ones are 401.
@Suite("Native callback signatures (Plivo V3, Vonage sig and JWT, Sinch)", .serialized)
struct NativeSignatureRouteTests {
    static let key = "provider-signing-key-0123456789abcdef"
    static let url = CallbackTestApp.publicBaseURL + "/callbacks/p1?secret=\(CallbackTestApp.secret)"

    /// The SDK-made signatures of `cases`, in order.
    static func reference(_ cases: [[String: Any]]) throws -> [[String: String]] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sig-cases-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: cases).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try ReferencePython.run(script: "scripts/reference/provider_signatures.py", arguments: [file.path])
        return try #require(try JSONSerialization.jsonObject(with: out) as? [[String: String]])
    }

    static func headers(_ pairs: [(String, String)]) -> HTTPFields {
        var h = HTTPFields()
        for (name, value) in pairs { h[HTTPField.Name(name)!] = value }
        return h
    }

    @Test("plivo V3: the SDK's signature over URL, sorted form fields and nonce is accepted; tampered, another nonce's, missing and replayed are 401",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func plivo() async throws {
        _ = try ReferencePython.require()
        let app = try await CallbackTestApp.make(kind: .plivo, webhookSigningKey: Self.key)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1", providerMessageId: "db3a2a1e-3a7e-11ea-9f42-0242ac110003")
        try await app.sent("m2", providerMessageId: "ec9a9b5e-3a7e-11ea-9f42-0242ac110003")
        let fields = ["MessageUUID": "db3a2a1e-3a7e-11ea-9f42-0242ac110003", "Status": "delivered", "To": "14155556789", "Sequence": "2",
                      "ErrorCode": "", "PartInfo": "1 of 1"]
        let form = "MessageUUID=db3a2a1e-3a7e-11ea-9f42-0242ac110003&Status=delivered&To=14155556789&Sequence=2&ErrorCode=&PartInfo=1+of+1"
        let second = "MessageUUID=ec9a9b5e-3a7e-11ea-9f42-0242ac110003&Status=delivered&To=14155556789"
        let sigs = try Self.reference([
            ["scheme": "plivo-v3", "method": "POST", "uri": Self.url, "params": fields, "nonce": "05429567804466091622", "key": Self.key],
            ["scheme": "plivo-v3", "method": "POST", "uri": Self.url,
             "params": ["MessageUUID": "ec9a9b5e-3a7e-11ea-9f42-0242ac110003", "Status": "delivered", "To": "14155556789"],
             "nonce": "7", "key": Self.key],
        ])
        let valid = Self.headers([("X-Plivo-Signature-V3", "other," + sigs[0]["signature"]!), ("X-Plivo-Signature-V3-Nonce", "05429567804466091622")])
        try await app.test { client async throws in
            let tampered = try await client.callback(
                form.replacingOccurrences(of: "delivered", with: "undelivered"), contentType: "application/x-www-form-urlencoded", headers: valid)
            #expect(tampered.status == .unauthorized)
            #expect(tampered.text.contains("X-Plivo-Signature-V3 does not match"))
            let otherNonce = Self.headers([("X-Plivo-Signature-V3", sigs[0]["signature"]!), ("X-Plivo-Signature-V3-Nonce", "1")])
            #expect(try await client.callback(form, contentType: "application/x-www-form-urlencoded", headers: otherNonce).status == .unauthorized)
            let missing = try await client.callback(form, contentType: "application/x-www-form-urlencoded")
            #expect(missing.status == .unauthorized)
            #expect(missing.text.contains("missing X-Plivo-Signature-V3"))
            let ok = try await client.callback(form, contentType: "application/x-www-form-urlencoded", headers: valid)
            #expect(ok.status == .ok, "\(ok.text)")
            let replayed = try await client.callback(form, contentType: "application/x-www-form-urlencoded", headers: valid)
            #expect(replayed.status == .unauthorized)
            #expect(replayed.text.contains("replayed"))
            let two = Self.headers([("X-Plivo-Signature-V3", sigs[1]["signature"]!), ("X-Plivo-Signature-V3-Nonce", "7")])
            #expect(try await client.callback(second, contentType: "application/x-www-form-urlencoded", headers: two).status == .ok)
        }
        #expect(try await app.stats().delivered == 2)
        #expect(!app.logs.text.contains(Self.key))
    }

    @Test("vonage sig: the SDK's HMAC-SHA256, HMAC-SHA1, HMAC-MD5, HMAC-SHA512 and md5hash signatures are accepted; tampered, stale and replayed are 401",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func vonageSig() async throws {
        _ = try ReferencePython.require()
        let app = try await CallbackTestApp.make(kind: .vonage, webhookSigningKey: Self.key)
        let metas = ["m1", "m2", "m3", "m4", "m5", "m6"]
        try await app.insert(metas)
        for m in metas { try await app.sent(m) }
        let now = CallbackTestApp.now()
        @Sendable func params(_ meta: String, ts: Int64) -> [String: String] {
            ["messageId": "0A00000012345678" + meta, "status": "delivered", "client-ref": meta, "err-code": "0",
             "message-timestamp": "2020-01-01 12:00:00", "timestamp": "\(ts)", "nonce": "n-" + meta, "text": "a&b=c d"]
        }
        let methods = ["sha256", "sha1", "md5", "sha512"]
        var cases: [[String: Any]] = methods.enumerated().map { i, m in
            ["scheme": "vonage-sig", "params": params(metas[i], ts: now), "key": Self.key, "method": m]
        }
        cases.append(["scheme": "vonage-md5hash", "params": params("m5", ts: now), "key": Self.key])
        cases.append(["scheme": "vonage-sig", "params": params("m6", ts: now - 400), "key": Self.key, "method": "sha256"])
        let sigs = try Self.reference(cases)
        @Sendable func query(_ p: [String: String], sig: String) -> String {
            let pairs: [(String, String)] = p.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [("sig", sig)]
            return pairs.map { $0.0 + "=" + $0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }.joined(separator: "&")
        }
        try await app.test { client async throws in
            for i in 0..<5 {
                let p = params(metas[i], ts: now)
                let r = try await client.execute(uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&" + query(p, sig: sigs[i]["sig"]!), method: .get)
                #expect(r.status == .ok, "case \(i): \(r.text)")
            }
            let replayed = try await client.execute(
                uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&" + query(params("m1", ts: now), sig: sigs[0]["sig"]!), method: .get)
            #expect(replayed.status == .unauthorized)
            #expect(replayed.text.contains("replayed Vonage sig"))
            var tamperedParams = params("m6", ts: now)
            tamperedParams["status"] = "failed"
            let tampered = try await client.execute(
                uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&" + query(tamperedParams, sig: sigs[0]["sig"]!), method: .get)
            #expect(tampered.status == .unauthorized)
            #expect(tampered.text.contains("the Vonage sig does not match"))
            let stale = try await client.execute(
                uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&" + query(params("m6", ts: now - 400), sig: sigs[5]["sig"]!), method: .get)
            #expect(stale.status == .unauthorized)
            #expect(stale.text.contains("stale Vonage timestamp"))
            let unsigned = try await client.execute(uri: "/callbacks/p1?secret=\(CallbackTestApp.secret)&" + String(query(params("m6", ts: now), sig: "").dropLast(5)), method: .get)
            #expect(unsigned.status == .unauthorized)
        }
        #expect(try await app.stats().delivered == 5)
    }

    @Test("vonage signed webhook: a JWT (HS256, payload_hash) made with PyJWT and checked by the SDK is accepted; tampered body, stale iat, replayed jti are 401",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func vonageJWT() async throws {
        _ = try ReferencePython.require()
        let app = try await CallbackTestApp.make(kind: .vonage, webhookSigningKey: Self.key)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let now = CallbackTestApp.now()
        @Sendable func body(_ meta: String, _ status: String = "delivered") -> String {
            #"{"messageId":"0A0000001234567B","status":"\#(status)","client-ref":"\#(meta)","err-code":"0","message-timestamp":"2020-01-01 12:00:00"}"#
        }
        let sigs = try Self.reference([
            ["scheme": "vonage-jwt", "claims": ["iat": now, "jti": "jti-1"] as [String: Any], "body": body("m1"), "key": Self.key],
            ["scheme": "vonage-jwt", "claims": ["iat": now - 400, "jti": "jti-2"] as [String: Any], "body": body("m2"), "key": Self.key],
            ["scheme": "vonage-jwt", "claims": ["iat": now, "jti": "jti-3"] as [String: Any], "body": body("m2"), "key": "another-key-0123456789abcdef-0123"],
        ])
        @Sendable func bearer(_ jwt: String) -> HTTPFields { [.authorization: "Bearer " + jwt] }
        try await app.test { client async throws in
            let tampered = try await client.callback(body("m1", "failed"), headers: bearer(sigs[0]["jwt"]!))
            #expect(tampered.status == .unauthorized)
            #expect(tampered.text.contains("payload_hash does not match"))
            let stale = try await client.callback(body("m2"), headers: bearer(sigs[1]["jwt"]!))
            #expect(stale.status == .unauthorized)
            #expect(stale.text.contains("stale Vonage JWT"))
            let otherKey = try await client.callback(body("m2"), headers: bearer(sigs[2]["jwt"]!))
            #expect(otherKey.status == .unauthorized)
            #expect(otherKey.text.contains("signature does not match"))
            let ok = try await client.callback(body("m1"), headers: bearer(sigs[0]["jwt"]!))
            #expect(ok.status == .ok, "\(ok.text)")
            let replayed = try await client.callback(body("m1"), headers: bearer(sigs[0]["jwt"]!))
            #expect(replayed.status == .unauthorized)
            #expect(replayed.text.contains("replayed Vonage JWT"))
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("sinch: HMAC-SHA256 over body, nonce and timestamp is accepted; tampered, stale and replayed are 401",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func sinch() async throws {
        _ = try ReferencePython.require()
        let app = try await CallbackTestApp.make(kind: .sinch, webhookSigningKey: Self.key)
        try await app.insert(["m1", "m2"])
        try await app.sent("m1")
        try await app.sent("m2")
        let now = CallbackTestApp.now()
        @Sendable func body(_ meta: String, _ status: String = "Delivered") -> String {
            #"{"at":"2022-08-30T08:16:08.930Z","batch_id":"01FC66621VHDBN119Z8PMV1QPQ","client_reference":"\#(meta)","code":0,"recipient":"15551231234","status":"\#(status)","type":"recipient_delivery_report_sms"}"#
        }
        let sigs = try Self.reference([
            ["scheme": "sinch", "body": body("m1"), "nonce": "nonce-1", "timestamp": "\(now)", "key": Self.key],
            ["scheme": "sinch", "body": body("m2"), "nonce": "nonce-2", "timestamp": "\(now - 400)", "key": Self.key],
        ])
        @Sendable func signed(_ i: Int, nonce: String, ts: Int64) -> HTTPFields {
            Self.headers([("x-sinch-webhook-signature", sigs[i]["signature"]!), ("x-sinch-webhook-signature-nonce", nonce),
                          ("x-sinch-webhook-signature-timestamp", "\(ts)"), ("x-sinch-webhook-signature-algorithm", "HmacSHA256")])
        }
        try await app.test { client async throws in
            let tampered = try await client.callback(body("m1", "Failed"), headers: signed(0, nonce: "nonce-1", ts: now))
            #expect(tampered.status == .unauthorized)
            #expect(tampered.text.contains("does not match the body"))
            let stale = try await client.callback(body("m2"), headers: signed(1, nonce: "nonce-2", ts: now - 400))
            #expect(stale.status == .unauthorized)
            #expect(stale.text.contains("stale x-sinch-webhook-signature-timestamp"))
            #expect(try await client.callback(body("m1")).status == .unauthorized)
            let ok = try await client.callback(body("m1"), headers: signed(0, nonce: "nonce-1", ts: now))
            #expect(ok.status == .ok, "\(ok.text)")
            let replayed = try await client.callback(body("m1"), headers: signed(0, nonce: "nonce-1", ts: now))
            #expect(replayed.status == .unauthorized)
            #expect(replayed.text.contains("replayed"))
        }
        #expect(try await app.stats().delivered == 1)
    }

    @Test("golden Plivo V3 payloads: POST with and without a query, GET (the SDK's construct_post_url / construct_get_url)")
    func plivoPayloads() {
        #expect(NativeSignaturePayload.plivoV3(method: "POST", url: "https://h/cb?b=2&a=1", formFields: [("To", "1"), ("From", "x y")], nonce: "n")
            == "https://h/cb?a=1&b=2.Fromx yTo1.n")
        #expect(NativeSignaturePayload.plivoV3(method: "POST", url: "https://h/cb", formFields: [("To", "1")], nonce: "n") == "https://h/cb?To1.n")
        #expect(NativeSignaturePayload.plivoV3(method: "POST", url: "https://h/cb?a=1", formFields: [], nonce: "n") == "https://h/cb?a=1.n")
        #expect(NativeSignaturePayload.plivoV3(method: "GET", url: "https://h/cb?b=%C3%BC&a=1&a=0", formFields: [], nonce: "n") == "https://h/cb?a=0&a=1&b=ü.n")
        #expect(NativeSignaturePayload.vonageSig(params: [("b", "x&y=z"), ("sig", "00"), ("a", "1")]) == "&a=1&b=x_y_z")
    }

    @Test("twilio: a form with MessageStatus twice, signed by Twilio's own RequestValidator over every value, passes the signature and is the invalid item naming the field, kept as its bytes; tampered is 401",
          .enabled(if: ReferencePython.shouldRun, Comment(rawValue: ReferencePython.skipNote)))
    func twilioRepeatedField() async throws {
        _ = try ReferencePython.require()
        let app = try await CallbackTestApp.make(kind: .twilio, webhookSigningKey: Self.key)
        try await app.insert(["m1"])
        try await app.sent("m1", providerMessageId: "SM1342fe1b2c904d1ab04f0fc7a58abca9")
        let repeated = "MessageSid=SM1342fe1b2c904d1ab04f0fc7a58abca9&MessageStatus=delivered&MessageStatus=failed&To=%2B15558675310"
        let repeatedPairs = [["MessageSid", "SM1342fe1b2c904d1ab04f0fc7a58abca9"], ["MessageStatus", "delivered"], ["MessageStatus", "failed"], ["To", "+15558675310"]]
        // The same value twice: Twilio's validator signs it once.
        let same = "MessageSid=SM1342fe1b2c904d1ab04f0fc7a58abca9&MessageStatus=delivered&MessageStatus=delivered"
        let samePairs = [["MessageSid", "SM1342fe1b2c904d1ab04f0fc7a58abca9"], ["MessageStatus", "delivered"], ["MessageStatus", "delivered"]]
        let sigs = try Self.reference([
            ["scheme": "twilio", "uri": Self.url, "pairs": repeatedPairs, "key": Self.key],
            ["scheme": "twilio", "uri": Self.url, "pairs": samePairs, "key": Self.key],
        ])
        let form = "application/x-www-form-urlencoded"
        let signed = sigs.map { Self.headers([("X-Twilio-Signature", $0["signature"]!)]) }
        try await app.test { client async throws in
            let tampered = try await client.callback(repeated.replacingOccurrences(of: "failed", with: "undelivered"), contentType: form, headers: signed[0])
            #expect(tampered.status == .unauthorized, "\(tampered.text)")
            #expect(try await app.store.ingestionErrors(limit: 10).isEmpty)
            for (i, body) in [repeated, same].enumerated() {
                let answer = try await client.callback(body, contentType: form, headers: signed[i])
                #expect(answer.status == .badRequest, "\(answer.text)")
                #expect(answer.text.contains("the callback field 'MessageStatus' appears 2 times: each field may be given once"), "\(answer.text)")
                let kept = try #require(try await app.store.ingestionErrors(limit: 1).first)
                #expect(kept.raw == Array(body.utf8), "\(RawBytes.escaped(kept.raw))")
                #expect(kept.reason.contains("the callback field 'MessageStatus' appears 2 times"))
            }
            #expect(try await app.store.ingestionErrors(limit: 10).count == 2)
        }
        #expect(try await app.stats().delivered == 0)
        #expect(!app.logs.text.contains(Self.key))
    }
}
