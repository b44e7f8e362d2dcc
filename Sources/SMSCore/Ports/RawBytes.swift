import Foundation

/// How the raw bytes of refused input (an ingestion error) are shown: they are stored byte for
/// byte as received (any bytes: NUL, UTF-16, invalid UTF-8) and replayed as those bytes; text is
/// only a view of them.
///
/// - ``text(_:)``: the bytes as a string when they are valid UTF-8 (NUL included), else `nil`.
/// - ``escaped(_:)`` (the dashboard, and the API's `raw` when the bytes are not UTF-8): every valid
///   UTF-8 character as itself, except `\` → `\\`, and the C0 controls (other than tab, line feed and
///   carriage return) and DEL → `\u{NN}` (hex); each byte that is not part of valid UTF-8 → `\xNN`
///   (two upper-case hex digits). Unambiguous: the bytes can be read back from it.
public enum RawBytes {
    /// The bytes as text when they are valid UTF-8, else `nil`.
    public static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The escape form (see the type).
    public static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        func hex(_ v: UInt32, width: Int) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                offset += encoded.count
                switch scalar.value {
                case 0x5C: out += "\\\\"
                case 0x09, 0x0A, 0x0D: out.unicodeScalars.append(scalar)
                case 0x00..<0x20, 0x7F: out += "\\u{" + hex(scalar.value, width: 2) + "}"
                default: out.unicodeScalars.append(scalar)
                }
            case .error(let length):
                for b in bytes[offset..<(offset + length)] { out += "\\x" + hex(UInt32(b), width: 2) }
                offset += length
            case .emptyInput:
                break loop
            }
        }
        return out
    }

    /// The first `limit` bytes at most, cut back to a character boundary when the bytes are UTF-8.
    public static func prefix(_ bytes: [UInt8], limit: Int) -> [UInt8] {
        guard bytes.count > limit else { return bytes }
        var end = max(0, limit)
        if text(bytes) != nil {
            // A UTF-8 continuation byte (10xxxxxx) cannot start a character.
            while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        return Array(bytes[..<end])
    }
}
