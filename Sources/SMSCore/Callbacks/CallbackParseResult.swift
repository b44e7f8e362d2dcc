import Foundation

/// The outcome of parsing one callback request, whatever the dialect: the items to apply and the
/// items to store aside as invalid (`docs/DOMAIN.md` §3 "Decisions": valid items of a batch are applied
/// even when others are invalid).
///
/// `items` keep the body's order; `invalid` too. Answer with ``CallbackResponse/make(for:processedEvents:timestamp:)``.
public struct CallbackParseResult: Sendable, Equatable {
    /// Items to apply, in body order.
    public var items: [CallbackItem]
    /// Items to store aside with their reason, in body order.
    public var invalid: [InvalidCallbackItem]

    /// Creates a result.
    public init(items: [CallbackItem] = [], invalid: [InvalidCallbackItem] = []) {
        self.items = items
        self.invalid = invalid
    }

    /// `true` when nothing was invalid (the answer is then 200).
    public var isFullyValid: Bool { invalid.isEmpty }
}
