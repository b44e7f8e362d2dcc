import Foundation

/// One delivery error code with its human description and category, as shown in the Errors tab
/// (`docs/DOMAIN.md` §3 "Error codes of the generic contract", §6 "Errors").
///
/// - `code`: the code exactly as the provider sent it, as a string (`"914"`, `"30003"`, SMPP
///   `err` `"001"`, `"ESME_RINVDSTADR"`); never re-formatted (leading zeros are kept).
/// - `description`: what the code means (from the catalog), or the provider's own description
///   when the catalog does not know the code.
/// - `category`: see ``DeliveryErrorCategory``.
///
/// Values come from ``DeliveryErrorCatalog/lookup(code:provider:description:)``.
public struct DeliveryErrorCode: Sendable, Equatable, Hashable, Codable {
    /// The code as received, e.g. `"914"`, `"30003"`, `"001"`.
    public let code: String
    /// Human description shown in the Errors tab.
    public let description: String
    /// Errors-tab grouping.
    public let category: DeliveryErrorCategory

    /// Creates an entry. No validation: the catalog builds the known entries, and unknown codes are
    /// kept exactly as given.
    public init(code: String, description: String, category: DeliveryErrorCategory) {
        self.code = code
        self.description = description
        self.category = category
    }
}
