import Foundation
import GRDB
import SMSCore

/// Providers' price tables (``PriceTableStore``): the `provider_prices` table, exact micro-units.
extension SQLiteStore {
    public func priceTable(providerId: String) async throws -> PriceTable? {
        try await db.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT currency, default_micros, per_country FROM provider_prices WHERE provider_id = ?",
                arguments: [providerId])
            else { return nil }
            return PriceTable(
                currency: row[0], defaultMicrosPerSegment: row[1],
                microsPerSegmentByCountry: try JSONCoding.decode([String: Int64].self, row[2] as String))
        }
    }

    public func setPriceTable(_ prices: PriceTable, providerId: String) async throws -> Bool {
        let perCountry = try JSONCoding.encode(prices.microsPerSegmentByCountry)
        let now = Int64(Date().timeIntervalSince1970)
        return try await db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM providers WHERE id = ?", arguments: [providerId]) != nil else { return false }
            try db.execute(
                sql: """
                    INSERT INTO provider_prices (provider_id, currency, default_micros, per_country, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (provider_id) DO UPDATE SET currency = excluded.currency, default_micros = excluded.default_micros,
                        per_country = excluded.per_country, updated_at = excluded.updated_at
                    """,
                arguments: [providerId, prices.currency, prices.defaultMicrosPerSegment, perCountry, now])
            return true
        }
    }
}
