import Foundation

/// What the event log (`message_events`) keeps of one callback item for its message, besides the
/// item as received: its effective time (``EventTime`` against the message's send time) and the
/// `code` column, which for a reply holds its opt-out / opt-in keyword (``OptOutKeywords``) and
/// for a receipt the delivery error code (`docs/DOMAIN.md` §3, §4).
public struct CallbackLogEntry: Sendable, Equatable {
    /// Effective event time, epoch seconds.
    public var at: Int64
    /// The `code` column: the receipt's error code, or a reply's ``OptOutKeywords/Intent`` raw value.
    public var code: String?
    /// A reply's keyword intent, if any.
    public var intent: OptOutKeywords.Intent?

    /// - Parameters:
    ///   - sentAt: the message's dispatch time (epoch seconds), if recorded.
    ///   - receivedAt: when the callback was received, epoch seconds.
    ///   - keywords: the configured opt-out / opt-in keywords.
    public init(item: CallbackItem, sentAt: Int64?, receivedAt: Int64, keywords: OptOutKeywords) {
        at = EventTime.effective(providerTs: item.ts, sentAt: sentAt, receivedAt: receivedAt)
        intent = item.kind == .replied ? keywords.classify(item.incomingText ?? "") : nil
        code = item.kind == .replied ? intent?.rawValue : item.code
    }
}
