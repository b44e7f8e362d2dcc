import Foundation

/// A stable 64-bit FNV-1a hash, for reproducible random choices (control group, variants):
/// the same campaign and user always give the same value, on every machine and run.
public enum StableHash {
    public static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// A number in [0, 100) derived from `parts` (e.g. campaign id, user id, purpose).
    public static func percentile(_ parts: String...) -> Double {
        var h = fnv1a64(parts.joined(separator: "\u{1F}"))
        // Finalise (splitmix64) so close inputs spread evenly.
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return Double(h >> 11) / Double(1 << 53) * 100
    }
}
