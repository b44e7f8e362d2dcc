import Foundation

/// The per-message delivery-report URL: the value of the `$$DlrUrl` placeholder, for providers
/// that take a callback URL with each message (Kannel's `dlr-url`, Jasmin's `dlr-url`, Twilio's
/// `StatusCallback`, …), so an operator never builds and encodes one by hand.
///
/// Shape: `<publicBaseURL>/callbacks/<providerId>?token=<token>&meta=<meta>`, where `token` is the
/// message's own callback token (``CallbackToken``, never the provider-wide secret: gateways log
/// these URLs); for a `kannel` provider followed by Kannel's escape codes
/// `&type=%d&answer=%A&ts=%T&fid=%F` (Kannel User's Guide, `dlr-url`; read by ``KannelCallback``).
/// The value is raw: the request builder encodes it once for where the placeholder stands (a
/// query or form field: `%d` → `%25d`).
public enum DeliveryReportURL {
    /// The unreserved characters of RFC 3986 §2.3, kept as is in `meta`.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// - Parameters:
    ///   - publicBaseURL: where the provider reaches this server, e.g. `https://sms.example.com`
    ///     (a trailing `/` is dropped).
    ///   - provider: the provider (its id, kind and callback secret).
    ///   - meta: the message's meta.
    ///   - mac: HMAC-SHA256, for the token (``CallbackToken/MAC``).
    /// - Returns: the URL text, not yet encoded for its place in a template.
    public static func make(publicBaseURL: String, provider: ProviderConfig, meta: String, mac: CallbackToken.MAC) -> String {
        let base = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        let id = provider.id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? provider.id
        // base64url is unreserved: the token needs no encoding.
        let token = CallbackToken.make(secret: provider.callbackSecret, meta: meta, mac: mac)
        let encodedMeta = meta.addingPercentEncoding(withAllowedCharacters: unreserved) ?? meta
        var url = "\(base)/callbacks/\(id)?\(CallbackToken.parameter)=\(token)&meta=\(encodedMeta)"
        if provider.kind == .kannel { url += "&type=%d&answer=%A&ts=%T&fid=%F" }
        return url
    }
}
