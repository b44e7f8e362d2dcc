import Foundation

/// The character encoding an SMS body is sent in (`docs/DOMAIN.md` §1 "Segment"; 3GPP TS 23.038).
///
/// - `gsm7`: the GSM 03.38 default alphabet, 7-bit septets.
/// - `ucs2`: UTF-16 code units (what providers call "UCS-2"/"Unicode" SMS); used as soon as one
///   character of the body is outside the GSM 03.38 default alphabet and its extension table.
public enum SMSEncoding: String, Sendable, Codable {
    /// GSM 03.38 default alphabet plus extension table; units are septets.
    case gsm7
    /// UTF-16; units are UTF-16 code units.
    case ucs2
}

/// The size of one SMS body: its encoding, its length in that encoding's units and the number of
/// SMS parts (segments) it is sent as (`docs/DOMAIN.md` §1 "Segment").
///
/// - `units`: **septets** for ``SMSEncoding/gsm7`` (an extension-table character counts 2, the
///   escape plus the character), **UTF-16 code units** for ``SMSEncoding/ucs2`` (an emoji outside
///   the Basic Multilingual Plane counts 2).
/// - `segments`: parts billed by the provider, at least 1.
public struct SegmentCount: Sendable, Equatable, Codable {
    /// The encoding the whole body is sent in.
    public let encoding: SMSEncoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public let units: Int
    /// Number of SMS parts, ≥ 1.
    public let segments: Int

    /// Creates a segment count. No validation: use ``SegmentCounter/count(_:)`` to compute one.
    /// - Parameters:
    ///   - encoding: the body's encoding.
    ///   - units: septets (GSM-7) or UTF-16 code units (UCS-2).
    ///   - segments: number of SMS parts.
    public init(encoding: SMSEncoding, units: Int, segments: Int) {
        self.encoding = encoding
        self.units = units
        self.segments = segments
    }
}

/// Counts the SMS segments of a message body (`docs/DOMAIN.md` §1 "Segment"; 3GPP TS 23.038 for the
/// alphabet, 3GPP TS 23.040 §9.2.3.24.1 for concatenation).
///
/// Rules:
/// - A body whose every Unicode scalar is in the GSM 03.38 default alphabet or its extension table is
///   GSM-7. Default-alphabet characters cost 1 septet; the extension characters
///   `^ { } \ [ ] ~ |`, `€` and form feed (U+000C) cost 2 (escape + character).
/// - Any other scalar switches the **whole** body to UCS-2 (UTF-16 code units).
/// - Single part: up to 160 septets / 70 units. Longer bodies are concatenated: 153 septets /
///   67 units per part (the rest of each part carries the concatenation header).
/// - A part never ends between an escape and its extension character, nor between the two halves of a
///   surrogate pair: that character moves whole to the next part. Parts are therefore counted by
///   packing characters one by one, not by dividing the length.
///
/// Decisions:
/// - The empty body is GSM-7, 0 units, **1 segment** (providers bill an empty SMS as one part).
/// - Characters are counted as given, per Unicode scalar, without normalisation: a decomposed
///   `e` + U+0301 is not the GSM `é` (U+00E9) and makes the body UCS-2, as the provider would.
/// - Code 0x09 of the default alphabet is taken as `Ç` (U+00C7), as printed in GSM 03.38; `ç`
///   (U+00E7) is not GSM-7.
public enum SegmentCounter {
    /// Septets in a single-part GSM-7 SMS.
    public static let gsm7SinglePart = 160
    /// Septets per part of a concatenated GSM-7 SMS.
    public static let gsm7MultiPart = 153
    /// UTF-16 units in a single-part UCS-2 SMS.
    public static let ucs2SinglePart = 70
    /// UTF-16 units per part of a concatenated UCS-2 SMS.
    public static let ucs2MultiPart = 67

    /// The GSM 03.38 default alphabet (127 characters: the 128 codes minus the escape 0x1B), in
    /// code order.
    public static let basicCharacters: String =
        "@£$¥èéùìòÇ\nØø\rÅå"
        + "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
        + " !\"#¤%&'()*+,-./"
        + "0123456789:;<=>?"
        + "¡ABCDEFGHIJKLMNO"
        + "PQRSTUVWXYZÄÖÑÜ§"
        + "¿abcdefghijklmno"
        + "pqrstuvwxyzäöñüà"

    /// The GSM 03.38 extension table characters reached through the escape (each costs 2 septets):
    /// form feed, `^ { } \ [ ] ~ |` and `€`.
    public static let extensionCharacters: String = "\u{0C}^{}\\[~]|€"

    static let basicSet: Set<Unicode.Scalar> = Set(basicCharacters.unicodeScalars)
    static let extensionSet: Set<Unicode.Scalar> = Set(extensionCharacters.unicodeScalars)

    /// Septets one Unicode scalar costs in GSM-7: 1 (default alphabet), 2 (extension table), or
    /// `nil` when the scalar has no GSM-7 representation.
    static func septets(for scalar: Unicode.Scalar) -> Int? {
        if basicSet.contains(scalar) { return 1 }
        if extensionSet.contains(scalar) { return 2 }
        return nil
    }

    /// Counts encoding, units and segments of an SMS body.
    /// - Parameter text: the body exactly as it will be handed to the provider.
    /// - Returns: the encoding, units (septets or UTF-16 code units) and number of segments (≥ 1).
    ///   Never fails; the empty body is `gsm7`, 0 units, 1 segment.
    public static func count(_ text: String) -> SegmentCount {
        var septetTotal = 0
        var isGSM7 = true
        for scalar in text.unicodeScalars {
            guard let cost = septets(for: scalar) else {
                isGSM7 = false
                break
            }
            septetTotal += cost
        }

        if isGSM7 {
            let segments = septetTotal <= gsm7SinglePart
                ? 1
                : pack(text.unicodeScalars.lazy.map { septets(for: $0) ?? 0 }, partCapacity: gsm7MultiPart)
            return SegmentCount(encoding: .gsm7, units: septetTotal, segments: segments)
        }

        let unitTotal = text.utf16.count
        let segments = unitTotal <= ucs2SinglePart
            ? 1
            : pack(text.unicodeScalars.lazy.map { $0.utf16.count }, partCapacity: ucs2MultiPart)
        return SegmentCount(encoding: .ucs2, units: unitTotal, segments: segments)
    }

    /// The GSM 03.38 codes of the extension characters, in the order of ``extensionCharacters``
    /// (each sent after the escape `0x1B`).
    static let extensionCodes: [UInt8] = [0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65]

    /// A GSM-7 text as GSM 03.38 codes, one byte per septet (unpacked, as SMPP's `short_message`
    /// carries data coding 0): a default-alphabet character is its code, an extension character
    /// `0x1B` and its code (3GPP TS 23.038 §6.2.1).
    /// - Returns: the bytes, or `nil` when the text is not GSM-7 (``count(_:)`` says UCS-2).
    public static func gsm7Codes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        let basic = Array(basicCharacters.unicodeScalars)
        let extended = Array(extensionCharacters.unicodeScalars)
        for scalar in text.unicodeScalars {
            if let index = basic.firstIndex(of: scalar) {
                out.append(UInt8(index < 0x1B ? index : index + 1))
            } else if let index = extended.firstIndex(of: scalar) {
                out.append(contentsOf: [0x1B, extensionCodes[index]])
            } else {
                return nil
            }
        }
        return out
    }

    /// Packs indivisible characters of the given costs into parts of `partCapacity` units, starting
    /// a new part whenever the next character does not fit whole. Returns the number of parts (≥ 1).
    static func pack<S: Sequence>(_ costs: S, partCapacity: Int) -> Int where S.Element == Int {
        var parts = 1
        var fill = 0
        for cost in costs {
            if fill + cost > partCapacity {
                parts += 1
                fill = 0
            }
            fill += cost
        }
        return parts
    }
}
