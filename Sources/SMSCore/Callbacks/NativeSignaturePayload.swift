import Foundation

/// What each provider's own callback signature covers (`docs/DOMAIN.md` §3 "Callbacks are
/// authenticated"), built from the request exactly as received: the strings the provider's MAC is
/// computed over. The MAC itself is computed by the web layer (SMSCore is Foundation only).
///
/// - **Plivo V3** (`X-Plivo-Signature-V3`, `X-Plivo-Signature-V3-Nonce`; Plivo's SDK
///   `plivo.utils.signature_v3.validate_v3_signature`): base64(HMAC-SHA256(auth token,
///   ``plivoV3(method:url:formFields:nonce:)``)).
/// - **Vonage SMS API `sig`** (Vonage's SDK `vonage_http_client.Auth.sign_params`; "Signing
///   messages"): ``vonageSig(params:)``, then hex HMAC-MD5/SHA1/SHA256/SHA512 under the signature
///   secret, or (`md5hash`) hex MD5 of the text followed by the secret.
/// - **Vonage signed webhooks**: a JWT (HS256 under the signature secret) in `Authorization:
///   Bearer`, whose `payload_hash` claim is the hex SHA-256 of the raw body.
/// - **Sinch** (`x-sinch-webhook-signature`, `…-nonce`, `…-timestamp`): base64(HMAC-SHA256(secret,
///   ``sinch(body:nonce:timestamp:)``)).
public enum NativeSignaturePayload {
    /// Plivo V3's signed text: the URL without its query (`scheme://host/path`), then, for a POST,
    /// `?` + the URL's query parameters sorted (`k=v` joined by `&`), `.` when there were both query
    /// parameters and form fields, and the form fields sorted by name, each `name` + `value` with
    /// nothing between; for a GET, `?` + the query parameters sorted (when there are any). Then
    /// `.` + the nonce. Names and values are compared by Unicode code points, as Python's
    /// `sorted`; values are the percent-decoded texts (`+` is a space).
    /// - Parameters:
    ///   - method: `GET` or `POST` (any other is signed like a POST).
    ///   - url: the public URL the provider called, with its query as received.
    ///   - formFields: the POST form fields, decoded, in the order received.
    ///   - nonce: `X-Plivo-Signature-V3-Nonce`.
    public static func plivoV3(method: String, url: String, formFields: [(String, String)], nonce: String) -> String {
        let (base, query) = split(url)
        let queryPairs = FormFields.pairs(query)
        var out = base
        if method.uppercased() == "GET" {
            let sorted = sortedQuery(queryPairs)
            if !sorted.isEmpty { out += "?" + sorted }
        } else {
            let sorted = sortedQuery(queryPairs)
            if !sorted.isEmpty || !formFields.isEmpty { out += "?" + sorted }
            if !sorted.isEmpty && !formFields.isEmpty { out += "." }
            out += groupedSorted(formFields).map { name, values in values.map { name + $0 }.joined() }.joined()
        }
        return out + "." + nonce
    }

    /// The Vonage SMS API's signed text: every parameter but `sig`, sorted by name, each as
    /// `&name=value` with `&` and `=` in the value replaced by `_`.
    public static func vonageSig(params: [(String, String)]) -> String {
        let kept = params.filter { $0.0 != "sig" }
        var last: [String: String] = [:]
        for (name, value) in kept { last[name] = value }
        return last.keys.sorted(by: codePointOrder).map { name in
            let value = last[name]!.replacingOccurrences(of: "&", with: "_").replacingOccurrences(of: "=", with: "_")
            return "&\(name)=\(value)"
        }.joined()
    }

    /// Sinch's signed bytes: the raw body, `.`, the nonce, `.`, the timestamp.
    public static func sinch(body: [UInt8], nonce: String, timestamp: String) -> [UInt8] {
        body + Array(".\(nonce).\(timestamp)".utf8)
    }

    /// `(scheme://host/path, query)` of a URL text.
    static func split(_ url: String) -> (String, String) {
        guard let q = url.firstIndex(of: "?") else { return (url, "") }
        return (String(url[..<q]), String(url[url.index(after: q)...]))
    }

    /// `k=v&k=v…` sorted by name, a name's values sorted (Plivo's `get_sorted_query_string`).
    static func sortedQuery(_ pairs: [(String, String)]) -> String {
        groupedSorted(pairs).flatMap { name, values in values.map { "\(name)=\($0)" } }.joined(separator: "&")
    }

    /// Names sorted by code point, each with its values sorted by code point.
    static func groupedSorted(_ pairs: [(String, String)]) -> [(String, [String])] {
        var grouped: [String: [String]] = [:]
        for (name, value) in pairs { grouped[name, default: []].append(value) }
        return grouped.keys.sorted(by: codePointOrder).map { ($0, grouped[$0]!.sorted(by: codePointOrder)) }
    }

    /// Python's order of `str`: by Unicode code points.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
