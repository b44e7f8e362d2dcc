import Foundation

/// base64url without `=` padding (RFC 4648 §5): the alphabet of opaque texts that travel in URLs
/// (list cursors, per-message callback tokens).
public enum Base64URL {
    /// `bytes` as base64url, no padding.
    public static func encode<D: DataProtocol>(_ bytes: D) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The bytes of a base64url text (padding optional); `nil` when it is not one.
    public static func decode(_ text: String) -> Data? {
        var b64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        b64 += String(repeating: "=", count: (4 - b64.count % 4) % 4)
        return Data(base64Encoded: b64)
    }
}
