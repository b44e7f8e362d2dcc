import Foundation
import SMSCore

/// One line of the click journal: a redirect hit, written before its 302 is sent.
///
/// Format (UTF-8, one record per line, fields separated by TAB):
/// `c1 <checksum> <clickId> <at> <isBot> <code> <ipHash> <userAgent> <botReason>\n`, where
/// `checksum` is the FNV-1a 32-bit hash (8 hex digits) of everything after it on the line (its TAB
/// included, the `\n` excluded), `at` is epoch seconds, `isBot` is `0` or `1`, and each optional
/// text field is `-` for `nil` or `+` followed by the value with `\` `TAB` `LF` `CR` escaped as
/// `\\` `\t` `\n` `\r`. The checksum catches a line damaged by a machine crash (not an attack:
/// only this process writes the file).
enum ClickJournalRecord {
    static let newline = UInt8(ascii: "\n")

    /// The line of `click`, with its terminating `\n`. `click.clickId` must be set.
    ///
    /// Built in one buffer (the redirect encodes a line per hit): the checksum's 8 digits are
    /// reserved, then filled in once the body is written.
    static func encode(_ click: ClickInput) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(
            112 + (click.userAgent?.utf8.count ?? 0) + (click.ipHash?.utf8.count ?? 0) + (click.botReason?.utf8.count ?? 0))
        line.append(contentsOf: "c1\t00000000".utf8)
        let bodyStart = line.count
        func field(_ s: String?) {
            line.append(9)
            guard let s else { return line.append(UInt8(ascii: "-")) }
            line.append(UInt8(ascii: "+"))
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "\\"): line.append(92); line.append(92)
                case 9: line.append(92); line.append(UInt8(ascii: "t"))
                case 10: line.append(92); line.append(UInt8(ascii: "n"))
                case 13: line.append(92); line.append(UInt8(ascii: "r"))
                default: line.append(b)
                }
            }
        }
        line.append(9)
        line.append(contentsOf: (click.clickId ?? "").utf8)
        line.append(9)
        line.append(contentsOf: String(click.at).utf8)
        line.append(9)
        line.append(click.isBot ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        line.append(9)
        line.append(contentsOf: click.code.utf8)
        field(click.ipHash)
        field(click.userAgent)
        field(click.botReason)
        let sum = fnv1a(line[bodyStart...])
        for i in 0..<8 { line[3 + i] = Hex.digits[Int((sum >> UInt32(28 - 4 * i)) & 0xF)] }
        line.append(newline)
        return line
    }


    /// Why a complete line is not a record.
    enum DecodeError: Error, Equatable {
        case checksumMismatch
        case malformed(String)
    }

    /// The click of one line (without its `\n`).
    static func decode(_ line: ArraySlice<UInt8>) throws(DecodeError) -> ClickInput {
        guard line.count > 12, line.starts(with: Array("c1\t".utf8)) else { throw .malformed("not a c1 record") }
        let sumStart = line.startIndex + 3
        let body = line[(sumStart + 8)...]
        guard let stored = UInt32(String(decoding: line[sumStart..<(sumStart + 8)], as: UTF8.self), radix: 16) else {
            throw .malformed("bad checksum field")
        }
        guard stored == fnv1a(body) else { throw .checksumMismatch }
        let parts = body.dropFirst().split(separator: 9, omittingEmptySubsequences: false)
        guard parts.count == 7 else { throw .malformed("\(parts.count) fields, expected 7") }
        func text(_ p: ArraySlice<UInt8>) -> String { String(decoding: p, as: UTF8.self) }
        func optional(_ p: ArraySlice<UInt8>) throws(DecodeError) -> String? {
            guard let first = p.first else { throw .malformed("empty optional field") }
            if first == UInt8(ascii: "-"), p.count == 1 { return nil }
            guard first == UInt8(ascii: "+") else { throw .malformed("optional field without +/-") }
            var out: [UInt8] = []
            var escaped = false
            for b in p.dropFirst() {
                if escaped {
                    switch b {
                    case UInt8(ascii: "t"): out.append(9)
                    case UInt8(ascii: "n"): out.append(10)
                    case UInt8(ascii: "r"): out.append(13)
                    default: out.append(b)
                    }
                    escaped = false
                } else if b == 92 {
                    escaped = true
                } else {
                    out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        guard let at = Int64(text(parts[1])) else { throw .malformed("bad time") }
        let bot = text(parts[2])
        guard bot == "0" || bot == "1" else { throw .malformed("bad bot flag") }
        return ClickInput(
            code: text(parts[3]), at: at, userAgent: try optional(parts[5]), ipHash: try optional(parts[4]), isBot: bot == "1",
            botReason: try optional(parts[6]), clickId: text(parts[0]))
    }

    /// FNV-1a, 32 bits.
    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        return h
    }

    /// A new click id: 16 random hex digits (lower case).
    static func newClickId() -> String {
        var v = UInt64.random(in: 0...UInt64.max)
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for i in (0..<16).reversed() {
                buffer[i] = Hex.digits[Int(v & 0xF)]
                v >>= 4
            }
            return 16
        }
    }
}
