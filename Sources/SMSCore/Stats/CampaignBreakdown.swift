import Foundation

/// What `GET /api/v1/campaigns/{id}/breakdown?by=` groups a campaign's messages by (issue 18).
public enum BreakdownDimension: String, Sendable, CaseIterable, Codable {
    /// ISO 3166-1 alpha-2 region of the message's E.164 number (``PhoneNumber/region(ofE164:)``);
    /// `"unknown"` without a valid number.
    case country
    /// The campaign's provider (a campaign sends through one provider): one row.
    case provider
    /// The A/B variant number.
    case variant
    /// The carrier / network (MCC-MNC) the message's callbacks reported (``NetworkCode``: Vonage
    /// `network-code`, the generic contract's `network`); `"unknown"` when none reported a valid one.
    case carrier
}

/// The body of `GET /api/v1/campaigns/{id}/breakdown?by=…` (issue 18): the Stats-tab counters per
/// key of one dimension. Each row is computed from that key's rollup cells by the Stats tab's own
/// formulas (``CampaignReport/stats(totals:callbacksEnabled:control:)``,
/// `docs/DOMAIN.md` §6), so the rows add up to the campaign's totals.
public struct CampaignBreakdown: Sendable, Equatable, Codable {
    public var by: BreakdownDimension
    /// Most sent first (ties: by key).
    public var rows: [Row]

    /// One key's numbers. Counts are messages; `deliveryRate` and `ctr` are percent 0–100 (CTR's
    /// denominator is the campaign's: delivered with callbacks, else sent).
    public struct Row: Sendable, Equatable, Codable {
        public var key: String
        public var sent: Int64
        public var delivered: Int64
        public var failed: Int64
        public var pending: Int64
        public var deliveryRate: Double
        public var uniqueClicks: Int64
        public var ctr: Double
        /// Failed messages by delivery error code (`"(none)"` for a failure without one), most first.
        public var errors: [ErrorCount]

        public init(key: String, totals: RollupDelta, callbacksEnabled: Bool) {
            let stats = CampaignReport.stats(totals: totals, callbacksEnabled: callbacksEnabled)
            self.key = key
            sent = stats.sent
            delivered = stats.delivered
            failed = stats.failed
            pending = stats.pending
            deliveryRate = stats.deliveryRate
            uniqueClicks = stats.uniqueClicks
            ctr = stats.ctr
            errors = CampaignReport.deliveryErrors(totals: totals, provider: nil).map { ErrorCount(code: $0.code, count: $0.count) }
        }
    }

    public struct ErrorCount: Sendable, Equatable, Codable {
        public var code: String
        public var count: Int64
        public init(code: String, count: Int64) {
            self.code = code
            self.count = count
        }
    }

    public init(by: BreakdownDimension, rows: [Row]) {
        self.by = by
        self.rows = rows
    }

    /// The rows of all-time cells per key; keys without a message are left out.
    public init(by: BreakdownDimension, totalsByKey: [String: RollupDelta], callbacksEnabled: Bool) {
        let rows = totalsByKey.filter { ($0.value[RollupKey(.messages)] ?? 0) != 0 }
            .map { Row(key: $0.key, totals: $0.value, callbacksEnabled: callbacksEnabled) }
        self.init(by: by, rows: rows.sorted { ($0.sent, $1.key) > ($1.sent, $0.key) })
    }

    /// The key of a message for `country`: the region of its phone, `"unknown"` without one.
    public static func countryKey(phone: String?) -> String {
        phone.flatMap(PhoneNumber.region(ofE164:)) ?? unknown
    }

    /// The key of a message for `carrier`: its stored MCC-MNC, `"unknown"` without one.
    public static func carrierKey(of entry: MessageLogEntry) -> String {
        entry.network ?? unknown
    }

    /// The key of what cannot be told (no valid phone; no MCC-MNC reported).
    public static let unknown = "unknown"

    /// Adds one message's cells (``MessageContribution/of(_:segments:)``) under its key: the fold
    /// of a breakdown read from stored messages.
    public static func add(_ entry: MessageLogEntry, key: String, to totals: inout [String: RollupDelta]) {
        var cells = totals.removeValue(forKey: key) ?? RollupDelta()
        MessageContribution.forEachCell(of: entry.state, segments: entry.segments) { k, n in
            if k.bucket == RollupKey.total { cells.addCell(k, n) }
        }
        totals[key] = cells
    }
}
