import Foundation

/// A provider's prices (issue 18): what one SMS segment costs, per destination country, with a
/// default for every other country, in one currency.
///
/// Money is never floating point here: each price is an exact integer of **micro-units**
/// (1/1,000,000 of a major unit, ``microsPerMajorUnit``: 0.07 EUR = 70,000). The API writes
/// decimal major units (`{"currency": "EUR", "defaultPerSegment": 0.05, "perCountry": {"DE":
/// 0.07}}`), each within ``InputLimits/pricePerSegment`` (0 to 1,000, at most 6 fraction digits,
/// so every accepted value is exactly a whole number of micro-units); that is this type's
/// `Codable` form, `PUT` and `GET /api/v1/providers/{id}/prices`.
public struct PriceTable: Sendable, Equatable {
    /// ISO 4217 code, three capital letters (`"EUR"`). Decision: the form is checked, not a list
    /// of currencies (a new code needs no release).
    public var currency: String
    /// Price of a segment to a country not in ``microsPerSegmentByCountry`` (and to a message
    /// whose country cannot be told), micro-units.
    public var defaultMicrosPerSegment: Int64
    /// Price of a segment by destination country (ISO 3166-1 alpha-2 in capitals, a region of the
    /// numbering plans: ``PhoneNumber/supportedRegion(_:)``), micro-units.
    public var microsPerSegmentByCountry: [String: Int64]

    /// Micro-units in one major unit of the currency.
    public static let microsPerMajorUnit: Int64 = 1_000_000

    public init(currency: String, defaultMicrosPerSegment: Int64, microsPerSegmentByCountry: [String: Int64] = [:]) {
        self.currency = currency
        self.defaultMicrosPerSegment = defaultMicrosPerSegment
        self.microsPerSegmentByCountry = microsPerSegmentByCountry
    }

    /// The price of one segment to `country` (a key of ``CampaignBreakdown/countryKey(phone:)``:
    /// a region, or `"unknown"`), micro-units: the country's own price, else the default.
    public func microsPerSegment(country: String) -> Int64 {
        microsPerSegmentByCountry[country] ?? defaultMicrosPerSegment
    }

    /// A major-unit amount accepted by ``InputLimits/pricePerSegment`` as micro-units. Exact: at
    /// most 6 fraction digits and at most 1,000, so `value × 10^6` is below 2^53 and its nearest
    /// integer is the decimal the client wrote.
    static func micros(ofMajor value: Double) -> Int64 {
        Int64((value * Double(microsPerMajorUnit)).rounded())
    }

    /// Micro-units as major units (the nearest `Double`, which prints as the exact decimal for
    /// every amount below 2^53 micro-units).
    public static func major(micros: Int64) -> Double {
        Double(micros) / Double(microsPerMajorUnit)
    }

    /// `nil` when `code` is three ASCII capitals, else why not.
    static func currencyProblem(_ code: String) -> String? {
        let ok = code.utf8.count == 3 && code.utf8.allSatisfy { (0x41...0x5A).contains($0) }
        return ok ? nil : "currency must be an ISO 4217 code of three capital letters such as EUR (got '\(InputEcho.text(code))')"
    }
}

/// A price table the API refuses (a 400 with ``description``).
public struct PriceTableError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

extension PriceTable: Codable {
    enum CodingKeys: String, CodingKey { case currency, defaultPerSegment, perCountry }

    struct CountryKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes the API form and checks it.
    /// - Throws: ``InputRangeError`` naming `defaultPerSegment` or `perCountry.DE` with the range of
    ///   ``InputLimits/pricePerSegment``; ``PriceTableError`` for a currency not of the ISO 4217
    ///   form or a `perCountry` key that is not a region in capitals.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        currency = try c.decode(String.self, forKey: .currency)
        if let problem = Self.currencyProblem(currency) { throw PriceTableError(description: problem) }
        defaultMicrosPerSegment = Self.micros(ofMajor: try c.decode(.defaultPerSegment, in: InputLimits.pricePerSegment))
        microsPerSegmentByCountry = [:]
        guard c.contains(.perCountry), try !c.decodeNil(forKey: .perCountry) else { return }
        let countries = try c.nestedContainer(keyedBy: CountryKey.self, forKey: .perCountry)
        for key in countries.allKeys {
            guard PhoneNumber.supportedRegion(key.stringValue) == key.stringValue else {
                throw PriceTableError(
                    description: "perCountry keys must be ISO 3166-1 alpha-2 regions in capitals such as DE (got '\(InputEcho.text(key.stringValue))')")
            }
            microsPerSegmentByCountry[key.stringValue] = Self.micros(ofMajor: try countries.decode(key, in: InputLimits.pricePerSegment))
        }
    }

    /// The API form: prices in major units, countries in byte order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(currency, forKey: .currency)
        try c.encode(Self.major(micros: defaultMicrosPerSegment), forKey: .defaultPerSegment)
        var countries = c.nestedContainer(keyedBy: CountryKey.self, forKey: .perCountry)
        for (country, micros) in microsPerSegmentByCountry.sorted(by: { $0.key < $1.key }) {
            try countries.encode(Self.major(micros: micros), forKey: CountryKey(stringValue: country))
        }
    }
}
