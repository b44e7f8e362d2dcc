import Foundation
import SMSCore

/// How the dashboard writes numbers. Locale-independent on purpose (the server renders one page
/// for everyone, and the browser test reads the numbers back): comma thousands separators, a dot
/// for decimals. Rates arrive as percentages 0–100 at full precision and are rounded here, for
/// display only (`docs/DOMAIN.md` §6).
enum DisplayFormat {
    /// `1234567` → `"1,234,567"`; negatives keep their sign.
    static func count(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func count(_ n: Int) -> String { count(Int64(n)) }

    /// A count with its noun: `1` → `"1 click"`, `3` → `"3 clicks"` (`plural` defaults to noun + "s").
    static func count(_ n: Int64, _ noun: String, plural: String? = nil) -> String {
        "\(count(n)) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    /// A percentage 0–100 with one decimal: `25` → `"25.0%"`, `33.333…` → `"33.3%"`.
    static func percent(_ p: Double) -> String {
        guard p.isFinite else { return "–" }
        return String(format: "%.1f%%", p)
    }

    /// A signed percentage for lift: `12.5` → `"+12.5%"`, `-3` → `"-3.0%"`.
    static func signedPercent(_ p: Double) -> String {
        guard p.isFinite else { return "–" }
        return (p > 0 ? "+" : "") + String(format: "%.1f%%", p)
    }

    /// An amount in major units with two decimals and thousands separators: `1234.5` → `"1,234.50"`.
    static func money(_ amount: Double) -> String {
        let scaled = (amount * 100).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return "–" }
        let cents = Int64(scaled)
        return money(cents: cents)
    }

    /// Integer cents as major units: `123456` → `"1,234.56"`, `-5` → `"-0.05"`.
    static func money(cents: Int64) -> String {
        let whole = count(Int64(cents.magnitude / 100))
        let frac = String(format: "%02d", Int(cents.magnitude % 100))
        return (cents < 0 ? "-" : "") + whole + "." + frac
    }

    /// A signed amount: `"+1,234.50"` / `"-12.00"`.
    static func signedMoney(_ amount: Double) -> String {
        let s = money(amount)
        return amount > 0 && s != "0.00" ? "+" + s : s
    }

    /// An epoch-seconds time as `YYYY-MM-DD HH:mm` in an IANA zone (UTC when the name is unknown).
    static func dateTime(_ epochSeconds: Int64, timeZone: String) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = IANAZone.stored(timeZone) ?? TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A short axis label for a trend period start `YYYY-MM-DD`: `"10 Mar"` for days and weeks,
    /// `"Mar 2024"` for months. An unreadable start is returned as it is.
    static func periodLabel(_ start: String, monthly: Bool) -> String {
        let parts = start.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return start }
        let month = monthNames[parts[1] - 1]
        return monthly ? "\(month) \(parts[0])" : "\(parts[2]) \(month)"
    }
}
