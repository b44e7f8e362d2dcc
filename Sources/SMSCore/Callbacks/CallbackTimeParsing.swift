import Foundation

/// Fixed-format timestamp readers for provider dialects (internal). All return epoch **seconds**
/// (fractions dropped) or `nil` when the text does not match the format or names an impossible
/// date. Hand-written so they need no locale, time zone database or shared formatter state.
enum CallbackTimeParsing {
    /// Epoch seconds of a UTC civil date-time, or `nil` if a field is out of range
    /// (days-from-civil algorithm, proleptic Gregorian calendar).
    static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` with optional `.fraction`, read as UTC (Vonage `message-timestamp`,
    /// Plivo `DeliveryReportTime`).
    static func parseSpaceSeparated(_ text: String) -> Int64? {
        var s = Scanner8(text)
        guard let y = s.int(4), s.eat("-"), let mo = s.int(2), s.eat("-"), let d = s.int(2), s.eat(" "),
              let h = s.int(2), s.eat(":"), let mi = s.int(2), s.eat(":"), let se = s.int(2)
        else { return nil }
        if s.eat(".") { guard s.digits() > 0 else { return nil } }
        guard s.atEnd else { return nil }
        return epochSeconds(year: y, month: mo, day: d, hour: h, minute: mi, second: se)
    }

    /// ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM)` (Sinch `at`, `operator_status_at`).
    static func parseISO8601(_ text: String) -> Int64? {
        var s = Scanner8(text)
        guard let y = s.int(4), s.eat("-"), let mo = s.int(2), s.eat("-"), let d = s.int(2),
              s.eat("T") || s.eat("t"),
              let h = s.int(2), s.eat(":"), let mi = s.int(2), s.eat(":"), let se = s.int(2)
        else { return nil }
        if s.eat(".") { guard s.digits() > 0 else { return nil } }
        var offset: Int64 = 0
        if s.eat("Z") || s.eat("z") {
            offset = 0
        } else if s.peek("+") || s.peek("-") {
            var sign: Int64 = 1
            if s.eat("-") { sign = -1 } else { _ = s.eat("+") }
            guard let oh = s.int(2) else { return nil }
            _ = s.eat(":")
            guard let om = s.int(2), oh <= 23, om <= 59 else { return nil }
            offset = sign * Int64(oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard s.atEnd, let local = epochSeconds(year: y, month: mo, day: d, hour: h, minute: mi, second: se) else { return nil }
        return local - offset
    }

    /// SMPP receipt date `YYMMDDhhmm` or `YYMMDDhhmmss`, years 2000–2099, read as UTC
    /// (Jasmin `donedate`, SMPP `done date`). SMPP does not carry the SMSC's zone; the caller's
    /// ``EventTime`` window rejects a wrong guess.
    static func parseSMPPDate(_ text: String) -> Int64? {
        var s = Scanner8(text.trimmingCharacters(in: .whitespaces))
        guard let y = s.int(2), let mo = s.int(2), let d = s.int(2), let h = s.int(2), let mi = s.int(2) else { return nil }
        var se = 0
        if !s.atEnd {
            guard let sec = s.int(2) else { return nil }
            se = sec
        }
        guard s.atEnd else { return nil }
        return epochSeconds(year: 2000 + y, month: mo, day: d, hour: h, minute: mi, second: se)
    }
}

/// A tiny cursor over UTF-8 bytes for the fixed formats above.
private struct Scanner8 {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    var atEnd: Bool { position == bytes.count }

    func peek(_ c: Unicode.Scalar) -> Bool {
        position < bytes.count && bytes[position] == UInt8(c.value)
    }

    mutating func eat(_ c: Unicode.Scalar) -> Bool {
        guard peek(c) else { return false }
        position += 1
        return true
    }

    /// Exactly `count` ASCII digits as an integer.
    mutating func int(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for b in bytes[position..<(position + count)] {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        position += count
        return value
    }

    /// Skips a run of digits; returns how many.
    mutating func digits() -> Int {
        let start = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            position += 1
        }
        return position - start
    }
}
