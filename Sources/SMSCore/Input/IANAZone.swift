import Foundation

/// The one reader of a time-zone name from input (a campaign's `timezone`, a trend's `tz`, a
/// `sendAt` wall time): every reader goes through ``named(_:)``.
public enum IANAZone {
    /// Characters an IANA zone name can hold (`Europe/Berlin`, `America/Port-au-Prince`,
    /// `Etc/GMT+2`): ASCII letters, digits, `_`, `+`, `-`, `/`.
    static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/".unicodeScalars)

    /// The zone named `name`, or `nil` when the name is empty, longer than 64 characters, holds a
    /// character outside ``allowed`` (a NUL, a space, `%`), or is not a zone Foundation knows.
    /// The characters are checked before `TimeZone(identifier:)` is asked, so a name such as
    /// `Europe/Berlin\0garbage` is refused whatever Foundation caches or truncates (issue 12).
    public static func named(_ name: String) -> TimeZone? {
        guard !name.isEmpty, name.unicodeScalars.count <= 64, name.unicodeScalars.allSatisfy(allowed.contains) else { return nil }
        return TimeZone(identifier: name)
    }
}
