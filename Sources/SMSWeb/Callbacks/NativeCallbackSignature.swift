import Crypto
import Foundation
import HTTPTypes
import SMSCore
import SMSGatewayHTTP

/// Each provider's own callback signature, checked when the provider has a `webhookSigningKey`
/// (`docs/DOMAIN.md` §3 "Callbacks are authenticated"), in addition to the URL secret or token,
/// over the exact bytes or parameters the provider signs (``NativeSignaturePayload``) and the
/// configured public URL (`publicBaseURL` + path + query as received):
///
/// | kind | credential | key | window, replay |
/// |---|---|---|---|
/// | `plivo` | `X-Plivo-Signature-V3` (one or more, comma-separated), `X-Plivo-Signature-V3-Nonce` | auth token | no time in the scheme; a nonce seen within 300 s is a replay |
/// | `vonage` | `Authorization: Bearer <JWT>` (signed webhooks: HS256, `iat`, `payload_hash` = hex SHA-256 of the body) or the SMS API's `sig` parameter (hex HMAC-MD5/SHA1/SHA256/SHA512 or `md5hash`, chosen by its length; with `timestamp`) | signature secret | `iat` / `timestamp` within ±300 s; a `jti` / `sig` seen before is a replay |
/// | `sinch` | `x-sinch-webhook-signature` = base64 HMAC-SHA256 of body `.` nonce `.` timestamp, `x-sinch-webhook-signature-nonce`, `x-sinch-webhook-signature-timestamp` | callback secret | timestamp within ±300 s; a nonce seen before is a replay |
///
/// A valid signature gives the request's nonce (``SignatureReplay``: its key and expiry); the
/// caller records it in the database (``SignatureNonceStore``), where a nonce already recorded by
/// any server is a replay (``replayFailure(_:)``).
/// **Decision:** the `md5hash` and HMAC-MD5 variants of `sig` have the same length and are both
/// tried: both need the same secret. Failure reasons never contain a secret or a signature.
enum NativeCallbackSignature {
    /// Largest accepted distance between a signed time and the server clock, seconds.
    static let maxSkewSeconds: Int64 = SignatureReplay.windowSeconds

    static let plivoSignature = HTTPField.Name("X-Plivo-Signature-V3")!
    static let plivoNonce = HTTPField.Name("X-Plivo-Signature-V3-Nonce")!
    static let sinchSignature = HTTPField.Name("x-sinch-webhook-signature")!
    static let sinchNonce = HTTPField.Name("x-sinch-webhook-signature-nonce")!
    static let sinchTimestamp = HTTPField.Name("x-sinch-webhook-signature-timestamp")!

    /// What a callback request brings to the check.
    struct Request {
        var method: String
        /// `publicBaseURL` + path + `?` + query, as received.
        var url: String
        var headers: HTTPFields
        var body: [UInt8]
        /// The decoded POST form fields in order (empty when the body is not a form).
        var formFields: [(String, String)]
    }

    /// Whether `kind` has a native scheme checked here.
    static func applies(to kind: ProviderKind) -> Bool { [.plivo, .vonage, .sinch].contains(kind) }

    /// A valid signature's nonce, to record before the request is accepted.
    struct Signed: Equatable {
        var scheme: SignatureReplay.Scheme
        var nonce: SignatureReplay.Nonce
    }

    /// Checks the native signature of `request` for `provider` (nothing when it has no
    /// `webhookSigningKey` or its kind has no scheme here).
    /// - Parameter now: server time, epoch seconds.
    /// - Returns: the nonce of the valid signature (``SignatureReplay/nonce(scheme:providerId:value:signedAt:now:sha256:)``),
    ///   `nil` when nothing was checked.
    /// - Throws: ``CallbackAuthenticator/Failure`` naming what is missing, stale or wrong.
    static func check(_ request: Request, provider: ProviderConfig, now: Int64) throws(CallbackAuthenticator.Failure) -> Signed? {
        guard applies(to: provider.kind), let key = provider.webhookSigningKey, !key.isEmpty else { return nil }
        switch provider.kind {
        case .plivo: return try plivo(request, key: key, provider: provider.id, now: now)
        case .vonage: return try vonage(request, key: key, provider: provider.id, now: now)
        case .sinch: return try sinch(request, key: key, provider: provider.id, now: now)
        default: return nil
        }
    }

    /// The 401 reason for a nonce already recorded: `replayed X-Plivo-Signature-V3-Nonce`,
    /// `replayed Vonage sig`, `replayed Vonage JWT`, `replayed x-sinch-webhook-signature-nonce`.
    static func replayFailure(_ scheme: SignatureReplay.Scheme) -> CallbackAuthenticator.Failure {
        switch scheme {
        case .plivoV3: .init(reason: "replayed \(plivoNonce)")
        case .vonageSig: .init(reason: "replayed Vonage sig")
        case .vonageJWT: .init(reason: "replayed Vonage JWT")
        case .sinch: .init(reason: "replayed \(sinchNonce)")
        }
    }

    static func signed(_ scheme: SignatureReplay.Scheme, provider: String, value: String, signedAt: Int64?, now: Int64) -> Signed {
        Signed(
            scheme: scheme,
            nonce: SignatureReplay.nonce(
                scheme: scheme, providerId: provider, value: value, signedAt: signedAt, now: now, sha256: { Array(SHA256.hash(data: $0)) }))
    }

    // MARK: Plivo V3

    static func plivo(_ r: Request, key: String, provider: String, now: Int64) throws(CallbackAuthenticator.Failure) -> Signed {
        guard let given = r.headers[plivoSignature], let nonce = r.headers[plivoNonce], !nonce.isEmpty else {
            throw .init(reason: "missing \(plivoSignature) or \(plivoNonce)")
        }
        let payload = NativeSignaturePayload.plivoV3(method: r.method, url: r.url, formFields: r.formFields, nonce: nonce)
        let expected = Data(hmacSHA256(key: Array(key.utf8), message: Array(payload.utf8))).base64EncodedString()
        let candidates = given.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard candidates.contains(where: { CallbackAuthenticator.constantTimeEquals($0, expected) }) else {
            throw .init(reason: "\(plivoSignature) does not match")
        }
        return signed(.plivoV3, provider: provider, value: nonce, signedAt: nil, now: now)
    }

    // MARK: Vonage

    static func vonage(_ r: Request, key: String, provider: String, now: Int64) throws(CallbackAuthenticator.Failure) -> Signed {
        if let auth = r.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            return try vonageJWT(String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces), body: r.body, key: key, provider: provider, now: now)
        }
        let params = vonageParams(r)
        guard let sig = params.last(where: { $0.0 == "sig" })?.1.lowercased() else {
            throw .init(reason: "missing Vonage signature (Authorization: Bearer <JWT> or the sig parameter)")
        }
        guard let ts = params.last(where: { $0.0 == "timestamp" })?.1, let seconds = Int64(ts) else {
            throw .init(reason: "the Vonage sig needs the timestamp parameter in epoch seconds")
        }
        guard now.saturatingSubtracting(seconds).magnitude <= maxSkewSeconds.magnitude else {
            throw .init(reason: "stale Vonage timestamp: more than \(maxSkewSeconds) s away from server time")
        }
        guard [32, 40, 64, 128].contains(sig.count) else {
            throw .init(reason: "the Vonage sig is no hex MD5, SHA-1, SHA-256 or SHA-512 digest")
        }
        let k = SymmetricKey(data: Array(key.utf8))
        var valid = false
        for signed in [params.filter { $0.0 != "meta" }, params] {
            let text = Array(NativeSignaturePayload.vonageSig(params: signed).utf8)
            let expected: [String]
            switch sig.count {
            case 32:
                expected = [hex(HMAC<Insecure.MD5>.authenticationCode(for: text, using: k)), hex(Insecure.MD5.hash(data: text + Array(key.utf8)))]
            case 40: expected = [hex(HMAC<Insecure.SHA1>.authenticationCode(for: text, using: k))]
            case 64: expected = [hex(HMAC<SHA256>.authenticationCode(for: text, using: k))]
            default: expected = [hex(HMAC<SHA512>.authenticationCode(for: text, using: k))]
            }
            for e in expected where CallbackAuthenticator.constantTimeEquals(sig, e) { valid = true }
        }
        guard valid else { throw .init(reason: "the Vonage sig does not match") }
        return signed(.vonageSig, provider: provider, value: sig, signedAt: seconds, now: now)
    }

    /// The parameters Vonage signs: the query's and the form's, or a JSON object body's top-level
    /// string and number fields; never our own `secret` and `token` (``FormFields/credentialNames``).
    /// **Decision:** the `meta` of our `$$DlrUrl` is tried both without and with (whether Vonage
    /// signs the callback URL's own query is not documented); both need the same secret.
    static func vonageParams(_ r: Request) -> [(String, String)] {
        var params = FormFields.pairs(r.url.firstIndex(of: "?").map { String(r.url[r.url.index(after: $0)...]) } ?? "").filter { !FormFields.credentialNames.contains($0.0) } + r.formFields
        if r.formFields.isEmpty, !r.body.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
        {
            for (name, value) in object {
                if let s = value as? String { params.append((name, s)) } else if let n = value as? NSNumber { params.append((name, n.stringValue)) }
            }
        }
        return params
    }

    static func vonageJWT(_ token: String, body: [UInt8], key: String, provider: String, now: Int64) throws(CallbackAuthenticator.Failure) -> Signed {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]), let claimsData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
        else { throw .init(reason: "the Vonage JWT is not a JWT") }
        guard header["alg"] as? String == "HS256" else { throw .init(reason: "the Vonage JWT must be signed with HS256") }
        let mac = hmacSHA256(key: Array(key.utf8), message: Array((parts[0] + "." + parts[1]).utf8))
        guard CallbackAuthenticator.constantTimeEquals(Base64URL.encode(mac), Base64URL.encode(signature)) else {
            throw .init(reason: "the Vonage JWT's signature does not match")
        }
        guard let iat = (claims["iat"] as? NSNumber)?.int64Value else { throw .init(reason: "the Vonage JWT has no iat") }
        guard now.saturatingSubtracting(iat).magnitude <= maxSkewSeconds.magnitude else {
            throw .init(reason: "stale Vonage JWT: iat more than \(maxSkewSeconds) s away from server time")
        }
        if let exp = (claims["exp"] as? NSNumber)?.int64Value, now >= exp { throw .init(reason: "the Vonage JWT has expired") }
        let bodyHash = hex(SHA256.hash(data: body))
        if let hash = claims["payload_hash"] as? String {
            guard CallbackAuthenticator.constantTimeEquals(hash.lowercased(), bodyHash) else {
                throw .init(reason: "the Vonage JWT's payload_hash does not match the body")
            }
        } else if !body.isEmpty {
            throw .init(reason: "the Vonage JWT has no payload_hash for the body")
        }
        let id = (claims["jti"] as? String) ?? parts[2]
        return signed(.vonageJWT, provider: provider, value: id, signedAt: iat, now: now)
    }

    // MARK: Sinch

    static func sinch(_ r: Request, key: String, provider: String, now: Int64) throws(CallbackAuthenticator.Failure) -> Signed {
        guard let given = r.headers[sinchSignature], let nonce = r.headers[sinchNonce], let timestamp = r.headers[sinchTimestamp] else {
            throw .init(reason: "missing \(sinchSignature), \(sinchNonce) or \(sinchTimestamp)")
        }
        guard let seconds = Int64(timestamp.trimmingCharacters(in: .whitespaces)) else {
            throw .init(reason: "\(sinchTimestamp) must be epoch seconds")
        }
        guard now.saturatingSubtracting(seconds).magnitude <= maxSkewSeconds.magnitude else {
            throw .init(reason: "stale \(sinchTimestamp): more than \(maxSkewSeconds) s away from server time")
        }
        let payload = NativeSignaturePayload.sinch(body: r.body, nonce: nonce, timestamp: timestamp)
        let expected = Data(hmacSHA256(key: Array(key.utf8), message: payload)).base64EncodedString()
        guard CallbackAuthenticator.constantTimeEquals(given.trimmingCharacters(in: .whitespaces), expected) else {
            throw .init(reason: "\(sinchSignature) does not match the body")
        }
        return signed(.sinch, provider: provider, value: nonce, signedAt: seconds, now: now)
    }

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] { HMACSHA256.mac(key, message) }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
