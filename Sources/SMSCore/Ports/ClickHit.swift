import Foundation

/// One stored hit on a short link, as the operator sees it (`docs/DOMAIN.md` §6 "Split of clicks": bot
/// and link-preview hits are kept, flagged, and shown apart). Raw IPs are never stored: `ipHash`
/// is a salted SHA-256, hex.
public struct ClickHit: Sendable, Equatable, Codable {
    public var id: Int64
    public var messageId: Int64
    /// The campaign's link number (0-based, body order).
    public var linkIndex: Int
    /// Epoch seconds.
    public var at: Int64
    public var userAgent: String?
    public var ipHash: String?
    public var isBot: Bool
    /// Why it is a bot hit (`"HEAD request"`, `"user agent matches '…' (…)"`), `nil` for a click.
    public var botReason: String?

    public init(
        id: Int64, messageId: Int64, linkIndex: Int, at: Int64, userAgent: String?, ipHash: String?, isBot: Bool,
        botReason: String?
    ) {
        self.id = id
        self.messageId = messageId
        self.linkIndex = linkIndex
        self.at = at
        self.userAgent = userAgent
        self.ipHash = ipHash
        self.isBot = isBot
        self.botReason = botReason
    }

    /// Which hits a listing returns.
    public enum Filter: String, Sendable, CaseIterable {
        case all, bots, humans
    }
}
