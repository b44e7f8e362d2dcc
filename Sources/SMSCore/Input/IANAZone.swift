import Foundation

/// The one reader of a time-zone name from input (a campaign's `timezone`, a trend's `tz`, a
/// `sendAt` wall time): every reader goes through ``named(_:)``.
public enum IANAZone {
    /// Characters an IANA zone name can hold (`Europe/Berlin`, `America/Port-au-Prince`,
    /// `Etc/GMT+2`): ASCII letters, digits, `_`, `+`, `-`, `/`.
    static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/".unicodeScalars)

    /// The zone named `name`, or `nil` when the name is empty, longer than 64 characters, holds a
    /// character outside ``allowed`` (a NUL, a space, `%`), is a fixed offset (``isOffset(_:)``),
    /// or is not a zone Foundation knows. The characters are checked before
    /// `TimeZone(identifier:)` is asked, so a name such as `Europe/Berlin\0garbage` is refused
    /// whatever Foundation caches or truncates (issue 12).
    ///
    /// **Decision** (which spellings are zones): the names of the IANA tz database Foundation
    /// reads (`Europe/Berlin`, `Etc/GMT-14`, legacy links such as `US/Eastern`, `CET`, `GMT`) and
    /// `UTC`; case as in the database. Not `GMT+14`, `UTC-5`, `GMT+0530` or `GMT+14:00`:
    /// Foundation makes those up as fixed offsets, no document of ours ever listed them, and their
    /// sign is the opposite of the IANA `Etc/GMT±N` names', so they are refused rather than guessed.
    public static func named(_ name: String) -> TimeZone? {
        guard !name.isEmpty, name.unicodeScalars.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains), !isOffset(name) else {
            return nil
        }
        return TimeZone(identifier: name)
    }

    /// The zone of a name **read back from storage** (a campaign's `timezone`): ``named(_:)``, or
    /// else any name Foundation reads (`GMT+14`, `GMT+0530`), because releases before the strict
    /// rule stored whatever `TimeZone(identifier:)` took, and stored data must keep working: its
    /// trend, its dashboard pages and its scheduling never answer 400 for it. New input is checked
    /// with ``named(_:)`` only. `nil` for a name that is no zone at all.
    public static func stored(_ name: String) -> TimeZone? {
        if let zone = named(name) { return zone }
        guard !name.isEmpty, name.unicodeScalars.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else { return nil }
        return TimeZone(identifier: name)
    }

    /// A campaign's stored zone as its stats and pages read it: the name when ``stored(_:)`` reads
    /// it, else `UTC` with a note saying so. A name that is no zone at all (`GMT+99`, the empty
    /// string, `Nowhere/Land`), written by a release before the strict rule or directly into the
    /// database, never makes a read fail (`docs/DOMAIN.md` §6 "Message Trend"): **Decision**, the trend and
    /// the dashboard fall back to UTC and say so (`zoneNote`).
    /// - Returns: `("Europe/Berlin", nil)`; `("UTC", "the campaign's stored time zone 'GMT+99' is
    ///   no time zone; UTC is used")`.
    public static func readable(_ name: String) -> (name: String, note: String?) {
        if stored(name) != nil { return (name, nil) }
        return ("UTC", "the campaign's stored time zone '\(InputEcho.text(name))' is no time zone; UTC is used")
    }

    /// A stored zone name in the form new input takes: a legacy fixed offset of whole hours becomes
    /// its IANA name (`GMT+14` → `Etc/GMT-14`, `UTC-05:00` → `Etc/GMT+5`, `GMT+0` → `UTC`; the IANA
    /// `Etc/GMT±N` sign is the opposite of the offset's); every other name is returned unchanged
    /// (a valid one, or an offset such as `GMT+0530` that has no IANA name: ``stored(_:)`` still reads it).
    /// A PATCH of a campaign re-stores its zone in this form (``CampaignDraft/init(_:)``).
    public static func canonical(_ name: String) -> String {
        guard named(name) == nil, isOffset(name), let zone = stored(name) else { return name }
        let seconds = zone.secondsFromGMT(for: Date(timeIntervalSince1970: 0))
        guard seconds % 3_600 == 0, (-12...14).contains(seconds / 3_600) else { return name }
        let hours = seconds / 3_600
        return hours == 0 ? "UTC" : "Etc/GMT\(hours > 0 ? "-" : "+")\(abs(hours))"
    }

    /// Whether `name` is `GMT` or `UTC` followed by a sign (`GMT+14`, `UTC-05:00`, `GMT+0`): a
    /// fixed offset Foundation would read, not a zone name (``named(_:)``).
    public static func isOffset(_ name: String) -> Bool {
        ["GMT", "UTC"].contains { prefix in
            name.hasPrefix(prefix) && (name.dropFirst(prefix.count).first == "+" || name.dropFirst(prefix.count).first == "-")
        }
    }

    /// The accepted form, for messages: `an IANA time zone name such as Europe/Berlin, or UTC`.
    public static let acceptedForm = "an IANA time zone name such as Europe/Berlin, or UTC"

    /// Why `name`, given as `field` (a query's `tz`), is no zone, or `nil` when it is one:
    /// `tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'Nowhere/Land')`; a
    /// fixed offset adds `; a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)`.
    public static func problem(_ name: String, field: String) -> String? {
        guard named(name) == nil else { return nil }
        let offset = isOffset(name) ? "; a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)" : ""
        return "\(field) must be \(acceptedForm) (got '\(InputEcho.text(name))')\(offset)"
    }
}
