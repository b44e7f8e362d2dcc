import Foundation

/// A message ready for the provider: the final text (links rewritten) and its tracking token.
public struct OutboundMessage: Sendable, Equatable {
    public var messageId: Int64
    public var campaignId: String
    public var userId: String
    /// E.164 destination.
    public var to: String
    /// Final text, after link rewriting.
    public var body: String
    /// The `$$MessageID` value the provider must hand back in callbacks.
    public var meta: String

    /// The `$$TemplateVariables` value (JSON object text), when the body is personalised.
    public var templateVariables: String?

    public init(
        messageId: Int64, campaignId: String, userId: String, to: String, body: String, meta: String,
        templateVariables: String? = nil
    ) {
        self.templateVariables = templateVariables
        self.messageId = messageId
        self.campaignId = campaignId
        self.userId = userId
        self.to = to
        self.body = body
        self.meta = meta
    }
}

/// What the dispatcher learned for one message.
public struct DispatchResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// 2xx from the provider; with its own message id when the answer carried one.
        case sent(providerMessageId: String?)
        /// Refused or unreachable after the retry policy; `reason` is a `docs/DOMAIN.md` §2 reason.
        case failed(reason: String)
    }
    public var messageId: Int64
    public var outcome: Outcome
    /// Epoch seconds of the attempt.
    public var at: Int64

    public init(messageId: Int64, outcome: Outcome, at: Int64) {
        self.messageId = messageId
        self.outcome = outcome
        self.at = at
    }
}
