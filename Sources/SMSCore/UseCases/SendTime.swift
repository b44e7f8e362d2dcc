import Foundation

/// `sendAt` as the API accepts it: epoch seconds (a JSON number) or an ISO 8601 text.
public enum SendTimeInput: Sendable, Equatable, Codable {
    case epochSeconds(Int64)
    case text(String)

    /// A JSON number must be whole epoch seconds in ``InputLimits/sendAtEpochSeconds``.
    /// - Throws: ``InputRangeError`` (field `sendAt`) for a number outside it (2^62, 1e19, -1);
    ///   `DecodingError` when the value is neither a number nor a string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Double.self) {
            let range = InputLimits.sendAtEpochSeconds
            guard let seconds = range.int64(n) else {
                throw InputRangeError(field: FieldPath.text(decoder.codingPath), range: range, got: n)
            }
            self = .epochSeconds(seconds)
        } else {
            self = .text(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .epochSeconds(let n): try c.encode(n)
        case .text(let s): try c.encode(s)
        }
    }
}

/// Resolves a campaign's `sendAt` to an instant (decision, `docs/DOMAIN.md` §1 "send at a time, in the
/// campaign's time zone"):
/// - a number: epoch seconds, absolute;
/// - `2025-03-30T09:00:00Z` or with an offset (`+05:30`): absolute, the zone is not used;
/// - `2025-03-30T09:00` or `2025-03-30T09:00:00` (no offset): a wall-clock time in the campaign's
///   IANA zone. A time that does not exist there (the hour skipped when DST starts) is refused; a
///   time that exists twice (when DST ends) is the **earlier** instant;
/// - in each text form a fraction of a second (`09:00:00.5`, 1 to 9 digits) is dropped: truncated to
///   the whole second (``withoutFraction(_:)``).
public enum SendTime {
    /// - Returns: epoch seconds, within ``InputLimits/sendAtEpochSeconds`` (after 1970, before 2100).
    /// - Throws: ``SendTimeError`` with a message naming the value.
    public static func resolve(_ input: SendTimeInput, timeZone: String) throws(SendTimeError) -> Int64 {
        let t = try resolveUnchecked(input, timeZone: timeZone)
        let range = InputLimits.sendAtEpochSeconds
        guard range.contains(t) else {
            switch input {
            case .epochSeconds: throw SendTimeError(range.problem(field: "sendAt", got: Double(t)))
            case .text(let raw):
                throw SendTimeError("sendAt '\(InputEcho.text(raw))' must lie from 1970-01-01T00:00:01Z to 2100-01-01T00:00:00Z (\(range))")
            }
        }
        return t
    }

    private static func resolveUnchecked(_ input: SendTimeInput, timeZone: String) throws(SendTimeError) -> Int64 {
        switch input {
        case .epochSeconds(let n):
            return n
        case .text(let raw):
            let text = withoutFraction(raw.trimmingCharacters(in: .whitespaces))
            if let absolute = absolute(text) { return absolute }
            guard let zone = TimeZone(identifier: timeZone) else {
                throw SendTimeError("unknown time zone '\(InputEcho.text(timeZone))' (use an IANA name)")
            }
            guard let parts = localParts(text) else {
                throw SendTimeError(
                    "sendAt '\(InputEcho.text(raw))' is not an ISO 8601 date-time (use 2025-03-30T09:00:00 in the campaign's time zone, "
                        + "or add Z or an offset; a fraction of a second, 1 to 9 digits, is dropped)")
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            // Candidates: the wall time at the zone's offsets an hour either side; keep those that
            // read back as the same wall time (0 in a DST gap, 2 in a DST overlap).
            let naive = naiveEpoch(parts)
            var matches: [Int64] = []
            for probe in [naive - 86_400, naive, naive + 86_400] {
                let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(probe))))
                let candidate = naive - offset
                let back = calendar.dateComponents(
                    [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(candidate)))
                if back.year == parts.year, back.month == parts.month, back.day == parts.day, back.hour == parts.hour,
                    back.minute == parts.minute, back.second == parts.second, !matches.contains(candidate)
                {
                    matches.append(candidate)
                }
            }
            guard let earliest = matches.min() else {
                throw SendTimeError("sendAt '\(InputEcho.text(raw))' does not exist in \(timeZone) (skipped by a daylight-saving change)")
            }
            return earliest
        }
    }

    /// `text` without a fraction of a second (`10:00:00.5Z` → `10:00:00Z`, `.123456789+02:00`):
    /// **Decision** (one rule for all three forms): a fraction of 1 to 9 digits after the seconds is
    /// accepted and dropped, i.e. truncated to the whole second (a send is planned to the second).
    static func withoutFraction(_ text: String) -> String {
        text.replacingOccurrences(of: #"([T ]\d{2}:\d{2}:\d{2})\.\d{1,9}(?=$|[Zz+-])"#, with: "$1", options: .regularExpression)
    }

    struct Parts: Equatable {
        var year, month, day, hour, minute, second: Int
    }

    static func absolute(_ text: String) -> Int64? {
        let hasZone = text.hasSuffix("Z") || text.hasSuffix("z")
            || text.range(of: #"[+-]\d{2}:?\d{2}$"#, options: .regularExpression) != nil
        guard hasZone, text.contains("T") else { return nil }
        // Whole seconds only: a fraction was dropped before (``withoutFraction(_:)``), so a longer
        // one is refused here rather than read by the formatter's own rule.
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text.uppercased()).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    }

    static func localParts(_ text: String) -> Parts? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> Int? {
            guard let r = Range(m.range(at: i), in: text) else { return nil }
            return Int(text[r])
        }
        guard let y = group(1), let mo = group(2), let d = group(3), let h = group(4), let mi = group(5) else { return nil }
        let parts = Parts(year: y, month: mo, day: d, hour: h, minute: mi, second: group(6) ?? 0)
        guard (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h), (0...59).contains(mi),
            (0...59).contains(parts.second)
        else { return nil }
        // Reject 31 February and friends: the UTC reading must give back the same day.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let back = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(naiveEpoch(parts))))
        guard back.year == y, back.month == mo, back.day == d else { return nil }
        return parts
    }

    /// The parts read as if they were UTC.
    static func naiveEpoch(_ p: Parts) -> Int64 {
        // Days from civil (Howard Hinnant's algorithm).
        let y = Int64(p.month <= 2 ? p.year - 1 : p.year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(p.month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(p.day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + Int64(p.hour * 3600 + p.minute * 60 + p.second)
    }
}

/// Why a `sendAt` was refused.
public struct SendTimeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
