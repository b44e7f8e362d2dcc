import Crypto
import Foundation
import SMSCore

/// Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): the headers
/// `webhook-id` (the event id; a batch's first event id), `webhook-timestamp` (epoch seconds, the
/// time of sending) and `webhook-signature: v1,<base64 of HMAC-SHA256 of "<id>.<timestamp>.<body>">`,
/// keyed by the bytes of the subscription's secret (``WebhookSecret/key(of:)``). Receivers verify
/// with the scheme's libraries (`standardwebhooks` on PyPI, svix, …).
enum WebhookSigner {
    /// `v1,<base64 signature>`; `nil` for a secret that is no `whsec_<base64>` text.
    static func signature(secret: String, id: String, timestamp: Int64, body: Data) -> String? {
        guard let key = WebhookSecret.key(of: secret) else { return nil }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }
}

