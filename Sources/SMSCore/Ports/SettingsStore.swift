import Foundation

/// Small installation-wide values kept in the database (a key → text table, `settings`), such as
/// the IP-hash salt (``IPHashSalt``): generated once, then the same for every process that opens
/// the database. Values may be secrets: implementations never log them.
public protocol SettingsStore: Sendable {
    /// The value stored under `key`; when there is none, stores `candidate` and returns it. One
    /// transaction; the first writer wins, so processes starting together over one database all
    /// get the same value (the losers' candidates are dropped).
    /// - Parameters:
    ///   - key: the setting's name, e.g. `"ip_hash_salt"`.
    ///   - candidate: the value to store when the key is absent.
    /// - Returns: the stored value (`candidate` only if it was stored now).
    /// - Throws: the driver's errors when the database cannot be read or written.
    func setting(key: String, insertingIfAbsent candidate: String) async throws -> String
}
