import Foundation

extension CampaignBreakdown {
    /// One campaign's breakdown and the CTR rule of its provider, as merged by
    /// ``init(by:merging:)``.
    public struct Part: Sendable {
        public var breakdown: CampaignBreakdown
        public var callbacksEnabled: Bool
        public init(breakdown: CampaignBreakdown, callbacksEnabled: Bool) {
            self.breakdown = breakdown
            self.callbacksEnabled = callbacksEnabled
        }
    }

    /// The breakdown across campaigns (`GET /api/v1/breakdown?by=`, issue 18): the rows of each
    /// campaign's breakdown by the same dimension added key by key (counts and error codes
    /// summed), so the rows add up to the overview's totals (``CampaignsOverview``). Rates are
    /// recomputed from the sums: `deliveryRate = Σ delivered / Σ sent × 100`; `ctr = Σ unique
    /// clicks / Σ each campaign's CTR denominator × 100` (delivered with callbacks, else sent),
    /// the overview's rule. Rows: most sent first (ties: by key); error codes most first.
    public init(by: BreakdownDimension, merging parts: [Part]) {
        var rows: [String: Row] = [:]
        var denominators: [String: Int64] = [:]
        var codes: [String: [String: Int64]] = [:]
        for part in parts {
            for r in part.breakdown.rows {
                var row = rows[r.key] ?? Row(key: r.key, totals: [:], callbacksEnabled: true)
                row.sent += r.sent
                row.delivered += r.delivered
                row.failed += r.failed
                row.pending += r.pending
                row.uniqueClicks += r.uniqueClicks
                rows[r.key] = row
                denominators[r.key, default: 0] += CampaignStats.ctrDenominator(delivered: r.delivered, sent: r.sent, callbacksEnabled: part.callbacksEnabled)
                for e in r.errors { codes[r.key, default: [:]][e.code, default: 0] += e.count }
            }
        }
        let merged = rows.values.map { r -> Row in
            var row = r
            row.deliveryRate = CampaignStats.percent(row.delivered, row.sent)
            row.ctr = CampaignStats.percent(row.uniqueClicks, denominators[row.key] ?? 0)
            row.errors = (codes[row.key] ?? [:]).map { ErrorCount(code: $0.key, count: $0.value) }
                .sorted { ($0.count, $1.code) > ($1.count, $0.code) }
            return row
        }
        self.init(by: by, rows: merged.sorted { ($0.sent, $1.key) > ($1.sent, $0.key) })
    }
}
