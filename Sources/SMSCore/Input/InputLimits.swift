import Foundation

/// Every numeric input the API takes, with its allowed range: the one home of these rules. The
/// web adapter enforces them when a request is decoded (a 400 naming the field and the range, never
/// a trap later on), and `scripts/gen_openapi.py` reads this file to write the same bounds as
/// `minimum` / `maximum` into `openapi.json` (keep each declaration on one line, in the form
/// `public static let name = InputRange(...)`, so the generator can read it).
public enum InputLimits {
    // Campaigns (`docs/DOMAIN.md` §1, §5).

    /// A variant's share of the audience, percent: 0.01 to 100 (the variants add up to 100).
    /// Decision: a share below 0.01 % (`5e-324` was "above 0") reaches no one in any audience the
    /// product sends to, and its stats showed the variant as unknown; 0.01 is the smallest share
    /// the dashboard shows (two decimals).
    public static let variantPercent = InputRange(number: 0.01...100, unit: "percent")
    /// The control group's share of the audience, percent: 0 (none) or 0.01 to 99.99, at most 2
    /// fraction digits. Decision: like ``variantPercent``, a share below 0.01 % (`5e-324` was in
    /// range) holds no one out in any audience the product sends to; two decimals is what the
    /// dashboard shows and takes, and 99.99 leaves someone to send to.
    public static let controlGroupPercent = InputRange(number: 0...99.99, unit: "percent", fractionDigits: 2)
    /// A goal's conversion window, minutes: one minute to ten years (5,256,000 minutes). Decision:
    /// longer windows attribute nothing meaningful and, near `Int64.max`, overflowed the window end.
    public static let goalWindowMinutes = InputRange(integer: 1...5_256_000, unit: "minutes")
    /// `sendAt` as a number, epoch seconds: after 1970 and before 2100-01-01T00:00:00Z
    /// (4,102,444,800). A text `sendAt` must resolve into the same range.
    public static let sendAtEpochSeconds = InputRange(integer: 1...4_102_444_800, unit: "epoch seconds")
    /// The `?variant=` index of the stats views (a campaign has at most 5 variants).
    public static let variantIndex = InputRange(integer: 0...4)

    // The overview across campaigns (issue 18, ``OverviewPeriod``, ``CampaignsOverview``).

    /// The days of an overview period (`from` to `to`, both local dates, inclusive): one day to
    /// 366. Decision: a year (a leap year's too) is what a daily trend can show; longer periods
    /// belong to an export.
    public static let overviewDays = InputRange(integer: 1...366, unit: "days")
    /// `minSent` of the overview: a campaign is ranked best or worst only with at least this many
    /// sent messages (default ``overviewMinSentDefault``).
    public static let overviewMinSent = InputRange(integer: 1...1_000_000_000, unit: "messages")
    /// Decision: 100 sent messages, so one delivered or clicked message moves a ranked rate by at
    /// most one percentage point (a 3-message test campaign at 100 % CTR is not the "best").
    public static let overviewMinSentDefault = 100
    /// Campaigns compared side by side (`GET /api/v1/compare?ids=`).
    public static let compareCampaigns = InputRange(integer: 2...5, unit: "campaigns")

    // Providers (`docs/DOMAIN.md` §2).

    /// Messages in one batched provider request.
    public static let batchSize = InputRange(integer: 1...1000, unit: "messages per request")
    /// A provider's send rate, messages per second (token bucket): 0.001 (one message per 1,000 s)
    /// to 10,000. Decision: a rate near 0 made the wait for one token (`n / rate` seconds) too large
    /// for a `Duration` and trapped the dispatcher at every restart.
    public static let ratePerSecond = InputRange(number: 0.001...10_000, unit: "messages per second")
    /// Provider requests in flight at once.
    public static let maxConcurrency = InputRange(integer: 1...64, unit: "requests in flight")
    /// Grace period of a rotated callback secret (``CallbackSecretRotation``): 0 (refused at once)
    /// to 30 days, in seconds.
    public static let graceSeconds = InputRange(integer: 0...2_592_000, unit: "seconds")

    /// A provider's price per SMS segment (issue 18, ``PriceTable``), in major units of its
    /// currency: 0 to 1,000 with at most 6 fraction digits. Decision: prices are stored exactly as
    /// integer micro-units (1/1,000,000 of a major unit, ``PriceTable/microsPerMajorUnit``), so a
    /// 7th digit could not be kept and is refused rather than rounded; no SMS segment costs 1,000.
    public static let pricePerSegment = InputRange(number: 0...1000, unit: "major units per segment", fractionDigits: 6)

    // Timestamps of callbacks and events (`docs/DOMAIN.md` §3, §4, §5).

    /// A `ts` in epoch seconds: 1970-01-01 to 2100-01-01T00:00:00Z. Fractions are dropped.
    public static let epochSeconds = InputRange(number: 0...4_102_444_800, unit: "epoch seconds")
    /// A `ts` above 1e12 is epoch milliseconds, up to 2100-01-01T00:00:00Z (4,102,444,800,000).
    public static let epochMilliseconds = InputRange(number: 1_000_000_000_000...4_102_444_800_000, excludingMinimum: true, unit: "epoch milliseconds")

    // Revenue of a conversion event (`docs/DOMAIN.md` §5), by the goal's `revenueUnit`.

    /// `revenueUnit: major`: a decimal amount of at most ±10,000,000,000 major units (±10^12 cents).
    public static let revenueMajorUnits = InputRange(number: -10_000_000_000...10_000_000_000, unit: "major units")
    /// `revenueUnit: minor`: at most ±1,000,000,000,000 cents. Sums of many events stay far below `Int64.max`.
    public static let revenueMinorUnits = InputRange(number: -1_000_000_000_000...1_000_000_000_000, unit: "cents")

    // Free-form values (`docs/DOMAIN.md` §1 "Numbers and keys from outside").

    /// A number in a profile's `properties` (at any depth, arrays included) and a segment rule's
    /// number `value`: -2^53 to 2^53 (±9,007,199,254,740,992). Decision: these are held as `Double`
    /// and compared by segments; within ±2^53 every integer is exact, beyond it integers collide
    /// (`…890` = `…891`) and magnitudes such as `1e300` mean nothing a segment could compare. A
    /// larger value (an order id, a big count) is sent as a string. Event properties are not held
    /// to it (`POST /api/v1/events` keeps what a `Double` cannot hold as text, ``JSONBody/InexactNumbers``).
    public static let propertyNumber = InputRange(number: -9_007_199_254_740_992...9_007_199_254_740_992)

    // Lists and request sizes.

    /// `?limit=` of every list endpoint (campaigns, dead letters, ingestion errors, unmatched callbacks, click hits); absent = ``listLimitDefault``.
    public static let listLimit = InputRange(integer: 1...1000)
    /// The rows a list returns when `limit` is absent.
    public static let listLimitDefault = 100
    /// Profiles in one upsert or CSV import request; more is a 413 naming the cap.
    public static let profilesPerRequest = 100_000

    // Text lengths, in characters (``TextInput/lengthProblem(_:field:limit:)``).

    /// The longest name: a campaign's, a provider's, a segment's, a profile's display `name`
    /// (API and dashboard alike). Decision: a name is a label in lists; 200 characters hold any
    /// real one, and 100,000 filled the dashboard's lists.
    public static let nameLength = 200
    /// The longest identifier a client chooses: a profile's `userId`; an event's `eventId`,
    /// `userId` and `name` (one limit, so every profile's user id can have events).
    public static let identifierLength = 256

    // Values reported by providers (`docs/DOMAIN.md` §3 "Carrier / network").

    /// The digits of an MCC-MNC network code (``NetworkCode``): a 3-digit MCC and a 2- or 3-digit
    /// MNC (ITU-T E.212), so 5 or 6 ASCII digits.
    public static let networkCodeDigits = 5...6
}

/// The `?limit=N` rule shared by every list endpoint (``InputLimits/listLimit``).
public enum ListLimit {
    /// - Parameter text: the raw query value, or `nil` when absent.
    /// - Returns: the limit (``InputLimits/listLimitDefault`` when absent).
    /// - Throws: ``InputRangeError`` for anything but an integer 1…1000 (`-5`, `0`, `abc`, `1e3`).
    public static func parse(_ text: String?) throws(InputRangeError) -> Int {
        guard let text else { return InputLimits.listLimitDefault }
        return try InputLimits.listLimit.integer(query: text, field: "limit")
    }
}
