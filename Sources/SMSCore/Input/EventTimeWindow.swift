import Foundation

/// How far ahead of the server clock a reported time may be: one rule for a callback item's time
/// (`ts`, Gupshup's `eventTs`, Vonage's `message-timestamp`, …) and a conversion event's `ts`
/// (`docs/DOMAIN.md` §4 "Event time"). A time more than ``maxAheadSeconds`` (24 h) after the
/// server clock cannot be a receipt, a reply or an event that happened: the item is invalid,
/// naming the field and the allowed range, and kept as an ingestion error (raw bytes as
/// received). 24 h leaves room for providers and apps whose clocks or zones are off by hours.
public enum EventTimeWindow {
    /// The most a reported time may be ahead of the server clock: 86,400 s (24 h).
    public static let maxAheadSeconds: Int64 = 86_400

    /// The latest allowed time for a request received at `now` (epoch seconds): `now + 24 h`.
    public static func latest(now: Int64) -> Int64 { now.saturatingAdding(maxAheadSeconds) }

    /// Why `seconds` (epoch seconds, already read by ``EpochTimestamp``) is outside the window at
    /// `now`, or `nil`: `ts 4102444799 is more than 24 h in the future (now 1796650531): allowed
    /// from 0 (1970-01-01) to 1796736931 (now + 24 h)`.
    public static func problem(_ seconds: Int64, now: Int64, field: String = "ts") -> String? {
        let latest = latest(now: now)
        guard seconds > latest else { return nil }
        return "\(field) \(seconds) is more than 24 h in the future (now \(now)): allowed from 0 (1970-01-01) to \(latest) (now + 24 h)"
    }

    /// The server clock the callback parsers judge times against (``CallbackDialect/parse(kind:body:fields:bodyIsJSON:maxItems:now:)``
    /// sets it for the parse; `nil` = no window, as when a parser is called on its own).
    @TaskLocal static var callbackNow: Int64?

    /// `read` checked against the window of ``callbackNow`` (callback parsers' time fields).
    static func checked(_ read: Result<Int64, EpochTimestamp.Problem>, field: String) -> Result<Int64, EpochTimestamp.Problem> {
        guard case .success(let seconds) = read, let now = callbackNow, let problem = problem(seconds, now: now, field: field) else {
            return read
        }
        return .failure(EpochTimestamp.Problem(message: problem))
    }
}
