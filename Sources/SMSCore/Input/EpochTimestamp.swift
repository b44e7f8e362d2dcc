import Foundation

/// Reads the `ts` of a callback item or a conversion event: one rule for both (`docs/DOMAIN.md` §3
/// Decision). A JSON number or a string holding a plain decimal number (`1700000000`,
/// `"1700000000"`, `"1700000000123"`); values above 1e12 are milliseconds (divided by 1000);
/// fractions are dropped. Allowed: ``InputLimits/epochSeconds`` or ``InputLimits/epochMilliseconds``,
/// i.e. 1970-01-01 to 2100-01-01; anything else (negative, between 4,102,444,800 and 1e12, 9.2e18)
/// is refused with a message naming both ranges.
///
/// Decision: a numeric string is accepted on both the callback route and the events route
/// (providers and apps often quote numbers); any other string is refused.
public enum EpochTimestamp {
    /// A `ts` above this value is read as milliseconds.
    public static let millisecondsThreshold: Int64 = 1_000_000_000_000

    /// Why a `ts` was refused: a sentence naming the field and the allowed ranges.
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// `ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000`.
    public static func rangeText(field: String) -> String {
        let s = InputLimits.epochSeconds, ms = InputLimits.epochMilliseconds
        return "\(field) must be epoch seconds from \(InputRange.format(s.minimum)) to \(InputRange.format(s.maximum))"
            + " or epoch milliseconds above \(InputRange.format(ms.minimum)) and at most \(InputRange.format(ms.maximum))"
    }

    /// Epoch seconds from a JSON number; a refusal quotes `literal` (the number as written,
    /// ``JSONNumberLiteral``: `'1e20'`, never `1e+20`) when given, else the value.
    public static func seconds(_ value: Double, field: String = "ts", literal: String? = nil) -> Result<Int64, Problem> {
        if InputLimits.epochSeconds.contains(value) { return .success(Int64(value.rounded(.down))) }
        if InputLimits.epochMilliseconds.contains(value) { return .success(Int64((value / 1000).rounded(.down))) }
        let shown = literal.map { "'\(InputEcho.text($0))'" } ?? InputRange.format(value)
        return .failure(Problem(message: rangeText(field: field) + " (got \(shown))"))
    }

    /// A `ts` that is neither a number nor a string: `ts must be epoch seconds from 0 to … as a
    /// number or a numeric string (got true)`; `got` is the JSON literal (`true`, `false`) or the
    /// type (`an object`, `an array`).
    public static func wrongType(field: String, got: String) -> Problem {
        Problem(message: rangeText(field: field) + ", as a number or a numeric string (got \(got))")
    }

    /// Epoch seconds from an integer (exact, no rounding through `Double`).
    public static func seconds(_ value: Int64, field: String = "ts") -> Result<Int64, Problem> {
        if value >= 0, value <= Int64(InputLimits.epochSeconds.maximum) { return .success(value) }
        if value > millisecondsThreshold, value <= Int64(InputLimits.epochMilliseconds.maximum) { return .success(value / 1000) }
        return .failure(Problem(message: rangeText(field: field) + " (got \(value))"))
    }

    /// Epoch seconds of a time a provider dialect writes as a date (`YYYY-MM-DD HH:MM:SS`, ISO 8601,
    /// SMPP `YYMMDDhhmm`), already read by the dialect's format (`date`, `nil` when `text` did not
    /// match it): the same range as every `ts`, 1970-01-01 to 2100-01-01 UTC (``InputLimits/epochSeconds``).
    /// - Parameters:
    ///   - date: the parsed time, epoch seconds, or `nil`.
    ///   - text: the field as received (quoted in the message).
    ///   - format: how the dialect writes it, e.g. `YYYY-MM-DD HH:MM:SS`.
    ///   - field: the dialect's field name.
    public static func seconds(date: Int64?, text: String, format: String, field: String) -> Result<Int64, Problem> {
        if let date, date >= 0, date <= Int64(InputLimits.epochSeconds.maximum) { return .success(date) }
        return .failure(Problem(message:
            "\(field) must be a date written \(format) from 1970-01-01 00:00:00 to 2100-01-01 00:00:00 UTC (got '\(InputEcho.text(text))')"))
    }

    /// Epoch seconds from text: a plain decimal number only (``DecimalText/isPlainNumber(_:)``,
    /// `-?digits(.digits)?([eE][+-]?digits)?`; no `inf`, `nan`, hex, `+` sign or white space, as
    /// `openapi.json`'s pattern says). `-0` is 0, as the JSON number `-0` is.
    public static func seconds(text raw: String, field: String = "ts") -> Result<Int64, Problem> {
        let s = raw
        guard DecimalText.isPlainNumber(s) else {
            return .failure(Problem(message: rangeText(field: field) + " (got '\(InputEcho.text(raw))')"))
        }
        if let i = Int64(s) { return seconds(i, field: field) }
        guard let d = Double(s) else { return .failure(Problem(message: rangeText(field: field) + " (got '\(InputEcho.text(raw))')")) }
        return seconds(d, field: field, literal: raw)
    }
}
