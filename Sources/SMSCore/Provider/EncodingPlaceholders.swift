import Foundation

/// The placeholders that tell a gateway how a message is encoded (`docs/DOMAIN.md` §2
/// "Placeholders", issue 16): a gateway that is not told sends a UCS-2 body (an emoji, a letter
/// outside GSM 03.38) as GSM-7, and the handset shows `?` or garbage.
///
/// Values per message, from ``SegmentCounter/count(_:)`` of its final text (the one home of the
/// GSM-7 / UCS-2 decision and the part count):
/// - `$$Encoding`: `GSM-7` or `UCS-2`.
/// - `$$Unicode`: `true` for UCS-2, else `false`.
/// - `$$Segments`: the number of SMS parts, e.g. `2`.
/// - `$$Coding`: the provider's own name for the encoding, from its ``ProviderConfig/coding``
///   mapping (`{"GSM-7": "0", "UCS-2": "2"}` for Kannel's `coding`, `8` for the UCS-2 of Jasmin and
///   SMPP-style `data_coding`, `unicode` for Vonage's `type`); a provider using `$$Coding` must map
///   both encodings (``problems(coding:placeholders:)``).
/// - `$$BodyUCS2Hex`: the body as UTF-16 big-endian code units in upper-case hex, 4 digits per unit
///   (`é` → `00E9`, `😎` → `D83DDE0E`): the bytes of UCS-2 data coding, for a gateway that takes
///   them raw (Jasmin's `hex-content`).
/// - `$$BodyHex`: the body's bytes in the encoding `$$Encoding` names, in upper-case hex: for GSM-7
///   its GSM 03.38 codes, one byte per septet (``SegmentCounter/gsm7Codes(_:)``: `@` → `00`, `€` →
///   `1B65`), for UCS-2 the `$$BodyUCS2Hex` bytes: SMPP's `short_message` under data coding 0 or 8,
///   so one template (`coding=$$Coding&hex-content=$$BodyHex`) sends GSM-7 text as GSM-7 and UCS-2
///   text as UCS-2 (decision: Jasmin's `content` is sent as given, UTF-8 bytes under any coding).
public enum EncodingPlaceholders {
    /// The names this type fills.
    public static let names: Set<String> = ["Encoding", "Unicode", "Segments", "Coding", "BodyUCS2Hex", "BodyHex"]
    /// The names that tell the gateway the encoding (`$$Segments` alone does not): a provider with
    /// none of them, not marked ``ProviderConfig/detectsEncoding``, mangles UCS-2 text
    /// (``manglesUCS2(_:)``).
    public static let codingNames: Set<String> = ["Encoding", "Unicode", "Coding", "BodyUCS2Hex", "BodyHex"]
    /// The keys of a ``ProviderConfig/coding`` mapping.
    public static let codingKeys = ["GSM-7", "UCS-2"]

    /// The name of an encoding in `$$Encoding` and in the keys of a coding mapping.
    public static func name(of encoding: SMSEncoding) -> String {
        switch encoding {
        case .gsm7: "GSM-7"
        case .ucs2: "UCS-2"
        }
    }

    /// The values of one message's encoding placeholders.
    /// - Parameters:
    ///   - body: the final text handed to the provider.
    ///   - coding: the provider's mapping (``ProviderConfig/coding``); without it (or without the
    ///     body's encoding in it) `Coding` has no value, and a template using it fails with
    ///     "unknown placeholder $$Coding" (the provider's validation refuses that earlier).
    /// - Returns: name (without `$$`) → value, for ``names``.
    public static func values(body: String, coding: [String: String]?) -> [String: String] {
        let count = SegmentCounter.count(body)
        let encoding = name(of: count.encoding)
        var values = [
            "Encoding": encoding,
            "Unicode": count.encoding == .ucs2 ? "true" : "false",
            "Segments": String(count.segments),
            "BodyUCS2Hex": ucs2Hex(body),
        ]
        values["BodyHex"] = SegmentCounter.gsm7Codes(body).map(hex) ?? values["BodyUCS2Hex"]
        values["Coding"] = coding?[encoding]
        return values
    }

    /// `text` as UTF-16 big-endian code units in upper-case hex (4 digits per unit; a character
    /// outside the Basic Multilingual Plane is its surrogate pair, 8 digits).
    public static func ucs2Hex(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 4)
        for unit in text.utf16 {
            for shift in stride(from: 12, through: 0, by: -4) {
                out.append(digits[Int((unit >> UInt16(shift)) & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes as upper-case hex, 2 digits each.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What is wrong with a provider's coding mapping, given the placeholders its url and template use.
    /// - Returns: one sentence per problem, naming the field (`coding`, `coding.<key>`); empty when fine:
    ///   keys other than `GSM-7` / `UCS-2`, an empty value, or `$$Coding` used without both keys.
    public static func problems(coding: [String: String]?, placeholders: [String]) -> [String] {
        var problems: [String] = []
        for key in (coding ?? [:]).keys.sorted() where !codingKeys.contains(key) {
            problems.append("coding has the key '\(InputEcho.text(key))': its keys are GSM-7, UCS-2")
        }
        for key in codingKeys where coding?[key]?.isEmpty == true {
            problems.append("coding.\(key) is empty")
        }
        if placeholders.contains("Coding") {
            let missing = codingKeys.filter { coding?[$0] == nil }
            if !missing.isEmpty {
                problems.append("the url or template uses $$Coding: coding must map \(missing.joined(separator: " and ")) "
                    + "to the gateway's value, e.g. {\"GSM-7\": \"0\", \"UCS-2\": \"8\"}")
            }
        }
        return problems
    }

    /// Whether `provider` would send a UCS-2 text as if it were GSM-7: its url and template carry
    /// none of ``codingNames`` and it is not marked ``ProviderConfig/detectsEncoding`` (gateways
    /// that choose the encoding from the text themselves: Twilio, Plivo, Sinch, Infobip).
    public static func manglesUCS2(_ provider: ProviderConfig) -> Bool {
        guard provider.detectsEncoding != true else { return false }
        let used = Set(ProviderTemplate.placeholders(in: provider.url + " " + provider.bodyTemplate))
        return used.isDisjoint(with: codingNames)
    }

    /// The warning for a campaign whose text is UCS-2 sent through a provider that mangles it
    /// (``manglesUCS2(_:)``), or `nil`.
    /// - Parameters:
    ///   - texts: the campaign's bodies (the body and each variant's), as written.
    ///   - provider: the campaign's provider.
    public static func warning(texts: [String], provider: ProviderConfig) -> String? {
        guard let ucs2 = texts.first(where: { SegmentCounter.count($0).encoding == .ucs2 }), manglesUCS2(provider) else { return nil }
        let sample = ucs2.unicodeScalars.first { SegmentCounter.septets(for: $0) == nil }.map { " ('\(String($0))')" } ?? ""
        return "the text needs UCS-2\(sample), but provider '\(provider.id)' is not told the encoding: "
            + "its url and template use none of $$Coding, $$Unicode, $$Encoding, $$BodyUCS2Hex, $$BodyHex, so the gateway "
            + "may send it as GSM-7 and the handset shows '?' or garbage; add the gateway's coding parameter, "
            + "or set detectsEncoding when the gateway chooses the encoding itself"
    }
}
