import Foundation

/// The numbering plans of every region: Google's libphonenumber metadata (Apache-2.0), vendored as
/// `Sources/SMSCore/Resources/phone-metadata.json` (source, version and licence in
/// `Resources/PHONE-METADATA.md`; refreshed by `scripts/update_phone_metadata.sh`).
///
/// Loaded once, on first use (``shared``); each region's patterns are compiled the first time a
/// number of that region is looked at, then kept.
public final class PhoneNumberMetadata: @unchecked Sendable {
    // @unchecked: the decoded data is immutable; the compiled-territory cache is guarded by `lock`.

    /// The metadata shipped with SMSCore. Empty (every number unknown) only if the resource is
    /// missing or unreadable, which the tests rule out (``loadError`` says why).
    public static let shared: PhoneNumberMetadata = {
        do {
            return try PhoneNumberMetadata(contentsOf: resourceURL())
        } catch {
            return PhoneNumberMetadata(empty: error)
        }
    }()

    /// The libphonenumber release the data comes from (`"9.0.43"`).
    public let version: String
    /// Why loading failed, or `nil` when it did not.
    public let loadError: (any Error)?
    /// Regions sharing each country calling code, main region first (libphonenumber's
    /// `COUNTRY_CODE_TO_REGION_CODE`); `["001"]` for a non-geographic code.
    public let regionsByCountryCode: [Int: [String]]
    /// The regions a default region may name (ISO 3166-1 alpha-2, upper case), ascending.
    public let supportedRegions: [String]

    private let regionData: [String: TerritoryData]
    private let nonGeographicData: [Int: TerritoryData]
    private let lock = NSLock()
    private var compiled: [String: PhoneTerritory] = [:]

    /// Reads a metadata file in the shape `scripts/phone_metadata_json.py` writes.
    /// - Throws: ``LoadError`` or a `DecodingError` when the file is not that shape.
    public convenience init(contentsOf url: URL) throws {
        let file = try JSONDecoder().decode(FileData.self, from: Data(contentsOf: url))
        var byCode: [Int: [String]] = [:]
        for (code, regions) in file.countryCodeToRegions {
            guard let cc = Int(code) else { throw LoadError.badCountryCode(code) }
            byCode[cc] = regions
        }
        var nonGeo: [Int: TerritoryData] = [:]
        for (code, data) in file.nonGeographic {
            guard let cc = Int(code) else { throw LoadError.badCountryCode(code) }
            nonGeo[cc] = data
        }
        self.init(version: file.version, regionsByCountryCode: byCode, regions: file.regions, nonGeographic: nonGeo, loadError: nil)
    }

    private init(
        version: String, regionsByCountryCode: [Int: [String]], regions: [String: TerritoryData],
        nonGeographic: [Int: TerritoryData], loadError: (any Error)?
    ) {
        self.version = version
        self.regionsByCountryCode = regionsByCountryCode
        self.regionData = regions
        self.nonGeographicData = nonGeographic
        self.supportedRegions = regions.keys.sorted()
        self.loadError = loadError
    }

    private convenience init(empty error: any Error) {
        self.init(version: "", regionsByCountryCode: [:], regions: [:], nonGeographic: [:], loadError: error)
    }

    /// Why a metadata file is refused.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        /// `phone-metadata.json` is not in the SMSCore bundle.
        case missingResource
        /// A country calling code key is not a number.
        case badCountryCode(String)
        /// A region's pattern is not a valid regular expression: region id and pattern.
        case badPattern(String, String)

        public var description: String {
            switch self {
            case .missingResource: "phone-metadata.json is missing from the SMSCore resources"
            case .badCountryCode(let code): "phone metadata: country calling code \"\(code)\" is not a number"
            case .badPattern(let id, let pattern): "phone metadata: region \(id) has a pattern that does not compile: \(pattern)"
            }
        }
    }

    /// `region` when it is one of ``supportedRegions`` (exactly: upper case, as libphonenumber
    /// takes it); `nil` otherwise (also for `"001"`, which names no region).
    public func supportedRegion(_ region: String) -> String? {
        regionData[region] != nil ? region : nil
    }

    /// The compiled plan of a region (`"DE"`, upper case), or `nil` if it is not supported.
    func territory(region: String) -> PhoneTerritory? {
        cached(region) { regionData[region] }
    }

    /// The plan of a non-geographic country calling code (`800`), or `nil`.
    func territory(nonGeographic countryCode: Int) -> PhoneTerritory? {
        cached("+\(countryCode)") { nonGeographicData[countryCode] }
    }

    /// The plan libphonenumber uses for a country calling code (its `region_code_for_country_code`
    /// then `metadata_for_region_or_calling_code`): the main region's, or the non-geographic one.
    func mainTerritory(countryCode: Int) -> PhoneTerritory? {
        guard let main = regionsByCountryCode[countryCode]?.first else { return nil }
        return territory(region: main, countryCode: countryCode)
    }

    /// The plan of `region` for numbers of `countryCode` (`"001"` means the non-geographic plan).
    func territory(region: String, countryCode: Int) -> PhoneTerritory? {
        region == "001" ? territory(nonGeographic: countryCode) : territory(region: region)
    }

    /// The NSN lengths the general description of `region`'s plan allows (`"001"`: the
    /// non-geographic plan of `countryCode`), read without compiling the plan's patterns.
    func possibleLengths(region: String, countryCode: Int) -> [Int] {
        let data = region == "001" ? nonGeographicData[countryCode] : regionData[region]
        return data?.generalDesc?.lengths ?? []
    }

    /// Every plan: the supported regions ascending, then the non-geographic codes ascending.
    func allTerritories() -> [PhoneTerritory] {
        supportedRegions.compactMap { territory(region: $0) }
            + nonGeographicData.keys.sorted().compactMap { territory(nonGeographic: $0) }
    }

    private func cached(_ key: String, _ data: () -> TerritoryData?) -> PhoneTerritory? {
        lock.lock()
        defer { lock.unlock() }
        if let hit = compiled[key] { return hit }
        guard let data = data(), let territory = try? PhoneTerritory(data) else { return nil }
        compiled[key] = territory
        return territory
    }

    /// Compiles every plan; the first pattern that does not compile is thrown (the tests call this).
    func validateAllPatterns() throws(LoadError) {
        for data in regionData.values { _ = try PhoneTerritory(data) }
        for data in nonGeographicData.values { _ = try PhoneTerritory(data) }
    }

    static func resourceURL() throws(LoadError) -> URL {
        guard let url = Bundle.module.url(forResource: "phone-metadata", withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "phone-metadata", withExtension: "json")
        else { throw .missingResource }
        return url
    }

    // MARK: - File shape (scripts/phone_metadata_json.py)

    struct FileData: Decodable {
        var version: String
        var countryCodeToRegions: [String: [String]]
        var regions: [String: TerritoryData]
        var nonGeographic: [String: TerritoryData]
    }

    /// One region's plan as stored.
    struct TerritoryData: Decodable, Sendable {
        var id: String
        var countryCode: Int
        var internationalPrefix: String?
        var nationalPrefix: String?
        var nationalPrefixForParsing: String?
        var nationalPrefixTransformRule: String?
        var leadingDigits: String?
        var mainCountryForCode: Bool?
        var generalDesc: DescriptionData?
        var types: [String: DescriptionData]
    }

    /// One number description as stored.
    struct DescriptionData: Decodable, Sendable {
        var pattern: String
        var lengths: [Int]
        var localLengths: [Int]?
        var example: String?
    }
}
