import Foundation

extension CampaignStats {
    /// Callbacks are configured and messages were sent, but not one delivery receipt (delivered or
    /// failed) has arrived: **Delivered** then only counts messages inferred from human clicks, and
    /// the UI must say that receipts are missing instead of presenting the number as a fact
    /// (PITFALLS.md #7; `docs/DOMAIN.md` §6 "only meaningful when callbacks are configured").
    public var receiptsMissing: Bool {
        callbacksEnabled && sent > 0 && delivered - inferredDelivered == 0 && failed == 0
    }
}
