import Crypto
import Foundation
import SMSCore
import SMSGatewayHTTP

/// Decides whether a callback request comes from the provider (`docs/DOMAIN.md` §3 "Callbacks are
/// authenticated"). Every credential that is present must be valid, and at least one must be:
///
/// 1. **URL secret**: `?secret=<provider.callbackSecret>` (or the `X-Callback-Secret` header),
///    compared in constant time; or a **message token** `?token=<token>&meta=<meta>` (what
///    `$$DlrUrl` carries, ``CallbackToken``): valid for that `meta` only, and the request's items
///    must then all report on that message (``CallbackToken/bind(_:toMeta:)``, else 401).
/// 2. **Body signature** (optional, for providers that can sign): headers
///    `X-SMSStats-Timestamp: <epoch seconds>` and
///    `X-SMSStats-Signature: sha256=<hex of HMAC-SHA256(key: callbackSecret, timestamp + "." + raw body)>`.
///    The MAC covers the **raw bytes** as received, never a re-serialisation (PITFALLS.md #19). A
///    timestamp more than ``maxSkewSeconds`` (300) away from the server clock is refused; a replay
///    inside that window is harmless because every event is deduplicated by its key.
///    With `provider.requireSignature == true` a request without a signature is refused even when
///    its URL secret is right.
/// 3. **Twilio** (`kind == .twilio` with `provider.webhookSigningKey`, the account auth token):
///    `X-Twilio-Signature` must equal base64(HMAC-SHA1(auth token, ``TwilioCallback/signaturePayload(url:params:)``))
///    over `publicBaseURL + path + "?" + query` and the POST form fields; required in addition to the URL secret.
///
/// After a rotation the previous secret is accepted in place of the current one (URL secret and
/// body signature) until its grace period ends (``CallbackSecretRotation/acceptedSecrets(_:now:)``),
/// then it is a wrong secret.
///
/// Failure reasons are sentences for the 401 body and the log; they never contain a secret.
struct CallbackAuthenticator {
    /// Largest accepted distance between the signature timestamp and the server clock, seconds.
    static let maxSkewSeconds: Int64 = 300
    static let timestampHeader = "X-SMSStats-Timestamp"
    static let signatureHeader = "X-SMSStats-Signature"
    static let twilioHeader = "X-Twilio-Signature"

    /// What the request carried.
    struct Credentials {
        var urlSecret: String?
        var timestamp: String?
        var signature: String?
        var twilioSignature: String?
        /// `?token=`: a message's callback token (``CallbackToken``).
        var token: String? = nil
        /// `?meta=` of the URL: the message the token must be for.
        var tokenMeta: String? = nil
    }

    /// Why a request was refused.
    struct Failure: Error, Equatable {
        var reason: String
    }

    /// Checks the secret-only credentials (no body needed): a missing or wrong URL secret when no
    /// signature is present, or a signature required but absent.
    /// - Parameter now: server time, epoch seconds (ends a rotated secret's grace period).
    /// - Throws: ``Failure``.
    static func checkWithoutBody(_ c: Credentials, provider: ProviderConfig, now: Int64) throws(Failure) {
        let secrets = CallbackSecretRotation.acceptedSecrets(provider, now: now)
        if let secret = c.urlSecret, !secrets.contains(where: { constantTimeEquals(secret, $0) }) {
            throw Failure(reason: "wrong callback secret")
        }
        if let token = c.token {
            guard let meta = c.tokenMeta else {
                throw Failure(reason: "a callback token needs the meta it was issued for (?meta=…)")
            }
            guard CallbackToken.isValid(token, meta: meta, provider: provider, now: now, mac: HMACSHA256.mac) else {
                throw Failure(reason: "the callback token is not valid for meta '\(InputEcho.text(meta))'")
            }
        }
        if c.signature == nil {
            if provider.requireSignature == true {
                throw Failure(reason: "this provider requires \(signatureHeader) and \(timestampHeader)")
            }
            if c.urlSecret == nil, c.token == nil {
                throw Failure(reason: "missing callback secret (?secret=…, ?token=… with ?meta=…, an X-Callback-Secret header, or \(signatureHeader))")
            }
        }
        if provider.kind == .twilio, provider.webhookSigningKey?.isEmpty == false, c.twilioSignature == nil {
            throw Failure(reason: "missing \(twilioHeader)")
        }
    }

    /// Checks the body signatures (after ``checkWithoutBody(_:provider:)``).
    /// - Parameters:
    ///   - body: the raw request body.
    ///   - now: server time, epoch seconds.
    ///   - twilioURL: the public URL the provider called (for Twilio).
    ///   - formFields: the decoded POST form fields in the order received, repeats included (for Twilio).
    /// - Throws: ``Failure``.
    static func checkBody(
        _ c: Credentials, provider: ProviderConfig, body: [UInt8], now: Int64, twilioURL: String, formFields: [(String, String)]
    ) throws(Failure) {
        if let signature = c.signature {
            guard let timestamp = c.timestamp?.trimmingCharacters(in: .whitespaces), let ts = Int64(timestamp) else {
                throw Failure(reason: "\(signatureHeader) needs \(timestampHeader) in epoch seconds")
            }
            // Saturating: a header of -9223372036854775808 must be refused, not trap.
            guard now.saturatingSubtracting(ts).magnitude <= maxSkewSeconds.magnitude else {
                throw Failure(reason: "stale \(timestampHeader): more than \(maxSkewSeconds) s away from server time")
            }
            let given = signature.trimmingCharacters(in: .whitespaces).lowercased()
            let secrets = CallbackSecretRotation.acceptedSecrets(provider, now: now)
            guard secrets.contains(where: { constantTimeEquals(given, "sha256=" + hmacSHA256Hex(key: $0, timestamp: timestamp, body: body)) }) else {
                throw Failure(reason: "\(signatureHeader) does not match the body")
            }
        }
        if provider.kind == .twilio, let key = provider.webhookSigningKey, !key.isEmpty {
            let expected = twilioSignature(key: key, url: twilioURL, params: formFields)
            guard let given = c.twilioSignature, constantTimeEquals(given.trimmingCharacters(in: .whitespaces), expected) else {
                throw Failure(reason: "\(twilioHeader) does not match")
            }
        }
    }

    /// Hex (lower case) of HMAC-SHA256(key, timestamp + "." + body).
    static func hmacSHA256Hex(key: String, timestamp: String, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: Data(key.utf8)))
        mac.update(data: Data((timestamp + ".").utf8))
        mac.update(data: body)
        return mac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// base64(HMAC-SHA1(auth token, signature payload)): Twilio "Secure webhooks".
    static func twilioSignature(key: String, url: String, params: [(String, String)]) -> String {
        let payload = TwilioCallback.signaturePayload(url: url, params: params)
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString()
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        AdminAuthMiddleware<AppRequestContext>.constantTimeEquals(a, b)
    }
}
