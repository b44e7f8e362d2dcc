import Foundation

/// Providers' price tables (issue 18, ``PriceTable``): one per provider, exact micro-units, the
/// table `provider_prices`. Deleting a provider deletes its table.
public protocol PriceTableStore: Sendable {
    /// The provider's price table, `nil` when it has none (or the provider is unknown).
    func priceTable(providerId: String) async throws -> PriceTable?
    /// Replaces the provider's price table, in one transaction with the check that the provider
    /// exists. - Returns: `false` (nothing written) for an unknown provider.
    func setPriceTable(_ prices: PriceTable, providerId: String) async throws -> Bool
}
