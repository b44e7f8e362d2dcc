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
        } else if let text = try? c.decode(String.self) {
            self = .text(text)
        } else {
            let found: String
            do { _ = try c.decode(String.self); found = "another type" } catch let error as DecodingError { found = InputRangeError.foundText(error) }
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "must be \(InputLimits.sendAtEpochSeconds) or a date-time text such as 2025-06-01T09:00 (got \(found))"))
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
/// - `2025-03-30T09:00:00Z` or with an offset (`+05:30`, -14:00 to +14:00, seconds optional): absolute,
///   the zone is not used;
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
            if let absolute = try absolute(text, raw: raw) { return absolute }
            // New input's zone is checked strictly before (CampaignDraft); a stored campaign's may
            // be a legacy offset (``IANAZone/stored(_:)``).
            guard let zone = IANAZone.stored(timeZone) else {
                // Only a stored zone that is no zone at all (a legacy `GMT+99`, `''`) gets here:
                // a wall time cannot be placed, so the sentence says how to give the instant.
                throw SendTimeError(
                    "sendAt '\(InputEcho.text(raw))' is a wall time, but the campaign's stored time zone '\(InputEcho.text(timeZone))' is no"
                        + " time zone: add Z or an offset (2025-03-30T09:00:00Z), or set the campaign's timezone")
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

    /// The offsets an absolute `sendAt` may carry: -14:00 to +14:00, minutes 00 to 59.
    /// **Decision**: RFC 3339 would allow any hour 00-23; real zones span -12:00 to +14:00, so
    /// anything beyond ±14:00 is a typo, refused rather than wrapped (`+25:00` read as `+02:00`).
    public static let offsetLimitMinutes = 14 * 60

    /// `2025-03-30T09:00:00Z`, `2025-03-30T09:00+05:30`, `...T09:00:00-0800` (seconds optional, `T`
    /// or a space): epoch seconds, or `nil` when `text` carries no `Z` or offset.
    /// - Throws: ``SendTimeError`` naming `sendAt` for an offset outside -14:00…+14:00 or minutes
    ///   beyond 59, and for a date or time that does not exist (month 13, 31 February, 24:00).
    static func absolute(_ text: String, raw: String) throws(SendTimeError) -> Int64? {
        let pattern = #"^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2})?)(?:([Zz])|([+-])(\d{2}):?(\d{2}))$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> String? { Range(m.range(at: i), in: text).map { String(text[$0]) } }
        guard let local = group(1) else { return nil }
        var offsetSeconds: Int64 = 0
        if group(2) == nil, let sign = group(3), let hh = group(4).flatMap({ Int($0) }), let mm = group(5).flatMap({ Int($0) }) {
            let minutes = hh * 60 + mm
            guard mm <= 59, minutes <= offsetLimitMinutes else {
                throw SendTimeError(
                    "sendAt '\(InputEcho.text(raw))' has offset \(sign)\(group(4) ?? ""):\(group(5) ?? ""); "
                        + "an offset must lie from -14:00 to +14:00 with minutes 00 to 59 (or use Z)")
            }
            offsetSeconds = Int64(minutes * 60) * (sign == "-" ? -1 : 1)
        }
        guard let parts = localParts(local.replacingOccurrences(of: "t", with: "T")) else {
            throw SendTimeError(
                "sendAt '\(InputEcho.text(raw))' is not a valid date-time (month 01-12, a day the month has, "
                    + "hour 00-23, minute and second 00-59)")
        }
        return naiveEpoch(parts) - offsetSeconds
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
