import Foundation

/// One row of the message log (issue 17): a message's identity, its merged state
/// (``MessageState``) and what the store keeps beside it. Every derived field reads the state
/// through the core's rules (``MessageState/outcome``, ``MessageState/sentAt``,
/// ``MessageState/deliveredTime``); times are **epoch seconds**.
public struct MessageLogEntry: Sendable, Equatable {
    /// The store's message id: immutable, increasing with insertion; the listing's keyset.
    public var id: Int64
    public var meta: String
    public var campaignId: String
    public var userId: String
    /// E.164 as stored (unmasked); `nil` when the profile had none.
    public var phone: String?
    public var variant: Int
    public var segments: Int
    public var providerMessageId: String?
    public var state: MessageState
    /// Human clicks per link index (bots never count), links without clicks left out.
    public var clicks: [Int: Int]
    /// Whether the user's conversion is attributed to this campaign (`docs/DOMAIN.md` §5).
    public var converted: Bool
    /// Earliest qualifying conversion event (``ConversionAttribution/firstConversionAt(goal:message:events:)``).
    public var convertedAt: Int64?
    /// The carrier / network (MCC-MNC) its callbacks reported (``NetworkCode/merged(_:_:)``), `nil`
    /// when none reported a valid one.
    public var network: String?

    public init(
        id: Int64, meta: String, campaignId: String, userId: String, phone: String?, variant: Int, segments: Int,
        providerMessageId: String?, state: MessageState, clicks: [Int: Int] = [:], converted: Bool = false,
        convertedAt: Int64? = nil, network: String? = nil
    ) {
        self.id = id
        self.meta = meta
        self.campaignId = campaignId
        self.userId = userId
        self.phone = phone
        self.variant = variant
        self.segments = segments
        self.providerMessageId = providerMessageId
        self.state = state
        self.clicks = clicks
        self.converted = converted
        self.convertedAt = convertedAt
        self.network = network
    }

    public var outcome: MessageLogOutcome { MessageLogOutcome(state.outcome) }
    public var sentAt: Int64? { state.sentAt }
    public var deliveredAt: Int64? { state.deliveredTime }
    public var firstClickAt: Int64? { state.firstHumanClickAt }
    /// Whether a human clicked any of its links.
    public var clicked: Bool { state.firstHumanClickAt != nil }
    /// The failure receipt's code (PITFALLS.md #4 choice), only while the outcome is `failed`.
    public var errorCode: String? { outcome == .failed ? state.failure?.code : nil }
    /// The provider's description of ``errorCode``, only while the outcome is `failed`.
    public var errorDescription: String? { outcome == .failed ? state.failure?.description : nil }
    /// Why it was not sent (`docs/DOMAIN.md` §2), only while the outcome is `dispatch_error`.
    public var dispatchReason: String? { outcome == .dispatchError ? state.dispatchErrorReason : nil }
}
