import Foundation

/// The SMS provider dialect a callback or an error code comes from.
///
/// `generic` is the "Other (Generic)" HTTP provider whose callback contract is `docs/DOMAIN.md` §3
/// ("The callback contract"); the other cases are the named providers whose callback dialects have
/// an adapter in this folder (`docs/DOMAIN.md` §1 "Provider", §3 "Other dialects").
/// The raw value is the lower-case provider name, stable for storage and configuration.
public enum ProviderKind: String, Sendable, Codable, CaseIterable, Hashable, NamedValue {
    case generic
    case twilio
    case vonage
    case plivo
    case sinch
    case gupshup
    case kannel
    case jasmin
}
