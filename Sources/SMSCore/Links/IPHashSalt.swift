import Foundation

/// The secret salt of click IP hashes (`ipHash = hex(SHA-256(salt + "|" + ip))`, computed in the
/// redirect; raw IPs are never stored). It must be **stable** (the same visitor hashes to the same
/// value across restarts, so hits can be related) and **secret** (an IPv4 address has only 2³²
/// values: a known salt lets anyone reverse the hashes). So it is generated once from the
/// operating system's CSPRNG and kept in the database (``SettingsStore``), never logged nor shown.
public enum IPHashSalt {
    /// The ``SettingsStore`` key.
    public static let settingKey = "ip_hash_salt"
    /// Bytes of randomness in a generated salt (256 bits).
    public static let byteCount = 32

    /// A new salt: ``byteCount`` bytes from `rng`, as lowercase hex (64 characters).
    /// - Parameter rng: must be cryptographically secure in production (the default overload
    ///   uses `SystemRandomNumberGenerator`); tests pass a seeded one.
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var hex = ""
        hex.reserveCapacity(byteCount * 2)
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: 0...255, using: &rng)
            hex += byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }
        return hex
    }

    /// A new salt from `SystemRandomNumberGenerator` (`getrandom(2)` on Linux).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return generate(using: &rng)
    }

    /// The database's salt, generated and stored on first use.
    /// - Throws: the store's errors.
    public static func stored(in store: any SettingsStore) async throws -> String {
        try await storedOrGenerated(in: store).salt
    }

    /// The database's salt, and whether this call generated and stored it (the first start without
    /// a configured salt: hashes from earlier runs with another salt will not match).
    /// - Throws: the store's errors.
    public static func storedOrGenerated(in store: any SettingsStore) async throws -> (salt: String, generated: Bool) {
        let candidate = generate()
        let salt = try await store.setting(key: settingKey, insertingIfAbsent: candidate)
        return (salt, salt == candidate)
    }
}
