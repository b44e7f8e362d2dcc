import Foundation

/// How a callback request's body was read when it arrived, kept with its ingestion error so that a
/// replay reads the stored bytes the same way (`docs/DOMAIN.md` §1 "Bytes as they arrived"): the
/// dialect decides it from the request's `Content-Type` (``CallbackDialect/readsFields(_:bodyIsJSON:)``).
/// Stored as its raw value (`json`, `fields`) in `ingestion_errors.body_kind`; rows from before the
/// column have none and replay by the older guess from the bytes.
public enum CallbackBodyKind: String, Sendable, Codable, Equatable {
    /// A JSON body (generic, Sinch, Gupshup; Vonage with a JSON `Content-Type`).
    case json
    /// Form or query fields (Twilio, Plivo, Jasmin, Kannel; Vonage with a form body or a GET):
    /// the stored bytes are the text the fields were read from.
    case fields
}
