import Foundation
import PostgresNIO
import SMSCore

/// Providers' price tables (``PriceTableStore``): the `provider_prices` table, exact micro-units.
extension PostgresStore {
    public func priceTable(providerId: String) async throws -> PriceTable? {
        let row = try await read { tx in
            try await tx.rows("SELECT currency, default_micros, per_country FROM provider_prices WHERE provider_id = \(providerId)").first
                .map { (try $0.at(0, String.self), try $0.at(1, Int64.self), try $0.at(2, String.self)) }
        }
        guard let (currency, defaultMicros, perCountry) = row else { return nil }
        return PriceTable(
            currency: currency, defaultMicrosPerSegment: defaultMicros,
            microsPerSegmentByCountry: try JSONCoding.decode([String: Int64].self, perCountry))
    }

    /// The provider's row is share-locked, so a concurrent delete of the provider waits for this
    /// write (and then deletes the table with it) or this one finds the provider gone.
    public func setPriceTable(_ prices: PriceTable, providerId: String) async throws -> Bool {
        let perCountry = try JSONCoding.encode(prices.microsPerSegmentByCountry)
        let now = Int64(Date().timeIntervalSince1970)
        return try await write { tx in
            guard try await tx.scalar("SELECT 1 FROM providers WHERE id = \(providerId) FOR SHARE", as: Int32.self) != nil else {
                return false
            }
            try await tx.exec("""
                INSERT INTO provider_prices (provider_id, currency, default_micros, per_country, updated_at)
                VALUES (\(providerId), \(prices.currency), \(prices.defaultMicrosPerSegment), \(perCountry), \(now))
                ON CONFLICT (provider_id) DO UPDATE SET currency = excluded.currency, default_micros = excluded.default_micros,
                    per_country = excluded.per_country, updated_at = excluded.updated_at
                """)
            return true
        }
    }
}
