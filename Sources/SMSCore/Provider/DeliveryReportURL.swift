import Foundation

/// The per-message delivery-report URL: the value of the `$$DlrUrl` placeholder, for providers
/// that take a callback URL with each message (Kannel's `dlr-url`, Jasmin's `dlr-url`, Twilio's
/// `StatusCallback`, …), so an operator never builds and encodes one by hand.
///
/// Shape: `<publicBaseURL>/callbacks/<providerId>?secret=<callbackSecret>&meta=<meta>`; for a
/// `kannel` provider followed by Kannel's escape codes `&type=%d&answer=%A&ts=%T&fid=%F` (Kannel
/// User's Guide, `dlr-url`; read by ``KannelCallback``). The value is raw: the request builder
/// encodes it once for where the placeholder stands (a query or form field: `%d` → `%25d`).
public enum DeliveryReportURL {
    /// The unreserved characters of RFC 3986 §2.3, kept as is in `meta`.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// - Parameters:
    ///   - publicBaseURL: where the provider reaches this server, e.g. `https://sms.example.com`
    ///     (a trailing `/` is dropped).
    ///   - provider: the provider (its id, kind and callback secret).
    ///   - meta: the message's meta.
    /// - Returns: the URL text, not yet encoded for its place in a template.
    public static func make(publicBaseURL: String, provider: ProviderConfig, meta: String) -> String {
        let base = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        let id = provider.id.addingPercentEncoding(withAllowedCharacters: unreserved) ?? provider.id
        let secret = provider.callbackSecret.addingPercentEncoding(withAllowedCharacters: unreserved) ?? provider.callbackSecret
        let encodedMeta = meta.addingPercentEncoding(withAllowedCharacters: unreserved) ?? meta
        var url = "\(base)/callbacks/\(id)?secret=\(secret)&meta=\(encodedMeta)"
        if provider.kind == .kannel { url += "&type=%d&answer=%A&ts=%T&fid=%F" }
        return url
    }
}
