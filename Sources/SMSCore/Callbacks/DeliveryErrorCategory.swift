import Foundation

/// The category of a delivery error code, used to group the Errors tab (`docs/DOMAIN.md` §3
/// "Error codes of the generic contract", §6 "Errors").
///
/// The first eight cases are the categories of the generic contract's table; `provider` is for
/// provider-native codes that are kept as given (SMPP `err`, Kannel/Jasmin SMSC rejects);
/// `unknown` is for codes this catalog does not know (kept with the description the provider sent).
/// Raw values are the lower-case names used in storage and in the API (`operator_` is `"operator"`).
public enum DeliveryErrorCategory: String, Sendable, Codable, CaseIterable, Hashable {
    case other
    case consent
    case content
    case operator_ = "operator"
    case subscriber
    case regulatory
    case duplicate
    /// Provider-native codes (SMPP `err`, SMSC command statuses) kept as given.
    case provider
    case unknown
}
