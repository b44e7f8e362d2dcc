import Metrics

/// Counters exported at `/metrics`.
enum CallbackMetrics {
    static let applied = Counter(label: "smsstats_callback_items_applied_total")
    static let duplicates = Counter(label: "smsstats_callback_items_duplicate_total")
    static let pending = Counter(label: "smsstats_callback_items_pending_total")
    static let invalid = Counter(label: "smsstats_callback_items_invalid_total")

    static func record(applied a: Int, duplicates d: Int, pending p: Int, invalid i: Int) {
        applied.increment(by: a)
        duplicates.increment(by: d)
        pending.increment(by: p)
        invalid.increment(by: i)
    }
}
