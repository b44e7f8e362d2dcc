import Foundation
@testable import SMSCore

/// The phone-number corpus of the reference test (issue 12): every example number of the vendored
/// metadata (each region's fixed-line, mobile, toll-free, … example) in international and national
/// form, plus perturbations that should turn many of them invalid or change their parse: one digit
/// more, one fewer, a changed leading digit, the trunk prefix after the country code (`+44 0 …`,
/// `+44 (0) …`), the region's own country code without `+`, and spaces / dashes / dots /
/// parentheses between the digits. Deterministic: the same metadata gives the same corpus.
enum PhoneCorpus {
    /// One input and the default region it is parsed with (`nil`: none, so it must start with `+`).
    struct Entry: Codable, Equatable, Sendable {
        var input: String
        var region: String?
        /// How the entry was made (`"example mobile"`, `"one fewer"`, …), for the disagreement list.
        var variant: String
    }

    /// The corpus for every plan of `metadata`.
    static func build(_ metadata: PhoneNumberMetadata = .shared) -> [Entry] {
        var entries: [Entry] = []
        var seen = Set<String>()
        func add(_ input: String, _ region: String?, _ variant: String) {
            let key = input + "|" + (region ?? "")
            if seen.insert(key).inserted { entries.append(Entry(input: input, region: region, variant: variant)) }
        }
        for plan in metadata.allTerritories() {
            let cc = String(plan.countryCode)
            let region = plan.id == "001" ? nil : plan.id
            for (type, description) in plan.types {
                guard let example = description.example, !example.isEmpty else { continue }
                let name = "\(plan.id) \(type.rawValue)"
                let digits = Array(example)
                let last = digits[digits.count - 1]
                let first = digits[0].wholeNumberValue ?? 0

                add("+\(cc)\(example)", nil, "\(name) example")
                add("+\(cc)\(example)\(last)", nil, "\(name) one digit more")
                add("+\(cc)\(example)\((first + 7) % 10)", nil, "\(name) another digit more")
                add("+\(cc)\(example.dropLast())", nil, "\(name) one digit fewer")
                add("+\(cc)\(example.dropLast(2))", nil, "\(name) two digits fewer")
                add("+\(cc)\((first + 1) % 10)\(example.dropFirst())", nil, "\(name) leading digit +1")
                add("+\(cc)\((first + 5) % 10)\(example.dropFirst())", nil, "\(name) leading digit +5")
                if digits.count > 2 {
                    let second = digits[1].wholeNumberValue ?? 0
                    add("+\(cc)\(digits[0])\((second + 3) % 10)\(example.dropFirst(2))", nil, "\(name) second digit +3")
                }
                add("+\(cc) 0 \(example)", nil, "\(name) trunk 0 after the code")
                add("+\(cc) (0)\(grouped(example, " "))", nil, "\(name) (0) after the code")
                add("+\(cc) \(grouped(example, " "))", nil, "\(name) spaces")
                add("+\(cc)-\(grouped(example, "-"))", nil, "\(name) dashes")
                add("+\(cc).\(grouped(example, "."))", nil, "\(name) dots")
                add("+\(cc) (\(example.prefix(3))) \(example.dropFirst(3))", nil, "\(name) parentheses")
                // Normalised as libphonenumber's parse does: other scripts' digits, fullwidth
                // plus, an extension (dropped by both: libphonenumber's E.164 leaves it out).
                add("\u{FF0B}" + script(cc + example, zero: 0xFF10), nil, "\(name) fullwidth plus and digits")
                add("+" + script(cc, zero: 0x0660) + " " + script(example, zero: 0x0660), nil, "\(name) Arabic-Indic digits")
                add("+\(cc) \(grouped(example, " ")) ext 5", nil, "\(name) extension ext 5")
                add("+\(cc)\(example);ext=123", nil, "\(name) extension ;ext=123")
                add("+\(cc)-\(grouped(example, "-")) x12", nil, "\(name) extension x12")
                // Text libphonenumber's `parse` extracts a number from (PhoneNumberText): RFC 3966
                // URIs, a run of `+`, bidi marks around the number (and one inside, refused), a
                // label, a TAB inside (refused), vanity letters for the last three digits.
                add("tel:+\(cc)-\(grouped(example, "-"));ext=5", nil, "\(name) tel: URI with ;ext=")
                add("tel:\(grouped(example, "-"));phone-context=+\(cc)", nil, "\(name) tel: URI with phone-context")
                add("++\(cc)\(example)", nil, "\(name) two plus signs")
                add("\u{200E}+\(cc) \(grouped(example, " "))\u{200F}", nil, "\(name) LRM/RLM around")
                add("\u{202A}+\(cc)\(example)\u{202C}", nil, "\(name) LRE/PDF around")
                add("\u{2066}+\(cc)\(example)\u{2069}", nil, "\(name) LRI/PDI around")
                add("+\(cc) \(example.dropLast())\u{200F}\(last)", nil, "\(name) RLM inside")
                add("phone: +\(cc) \(example)", nil, "\(name) label before")
                add("+\(cc)\t\(example)", nil, "\(name) TAB inside")
                if let vanity = vanity(example) { add("+\(cc) \(vanity)", nil, "\(name) vanity letters") }
                if let plus = otherCode(cc, metadata) {
                    add("+\(plus)\(example)", nil, "\(name) under another country code")
                }
                guard let region else { continue }
                let trunk = plan.nationalPrefix ?? ""
                add("\(trunk)\(example)", region, "\(name) national with region")
                add("\(trunk) \(grouped(example, " "))", region, "\(name) national, spaces")
                add(example, region, "\(name) national without trunk prefix")
                add("\(trunk)\(example.dropLast())", region, "\(name) national one digit fewer")
                add("\(trunk)\(example)\(last)", region, "\(name) national one digit more")
                add("\(cc)\(example)", region, "\(name) own country code without +")
                add("00\(cc)\(example)", region, "\(name) 00 with region")
                add("+\(cc)\(example)", region, "\(name) international with region")
            }
        }
        return entries
    }

    /// `digits` with its last three written as keypad letters (`…345` → `…DGJ`), or `nil` when one
    /// of them is 0 or 1 (no letters on those keys).
    static func vanity(_ digits: String) -> String? {
        let letters: [Character: Character] = ["2": "A", "3": "D", "4": "G", "5": "J", "6": "M", "7": "P", "8": "T", "9": "W"]
        guard digits.count > 3 else { return nil }
        let tail = digits.suffix(3).compactMap { letters[$0] }
        guard tail.count == 3 else { return nil }
        return String(digits.dropLast(3)) + String(tail)
    }

    /// ASCII digits written in the script whose zero is `zero` (0xFF10 fullwidth, 0x0660 Arabic-Indic).
    static func script(_ digits: String, zero: UInt32) -> String {
        String(String.UnicodeScalarView(digits.unicodeScalars.map { s in
            guard let v = s.properties.numericValue, s.isASCII, let out = Unicode.Scalar(zero + UInt32(v)) else { return s }
            return out
        }))
    }

    /// The digits in groups of three joined by `separator` (`"301 234 567 8"`).
    static func grouped(_ digits: String, _ separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(digits)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(3)))
            rest = rest.dropFirst(3)
        }
        return groups.joined(separator: separator)
    }

    /// A different assigned code of the same length (the next one up), so the example lands in
    /// another country's plan.
    static func otherCode(_ cc: String, _ metadata: PhoneNumberMetadata) -> String? {
        let codes = metadata.regionsByCountryCode.keys.map(String.init).filter { $0.count == cc.count }.sorted()
        guard let i = codes.firstIndex(of: cc), codes.count > 1 else { return nil }
        return codes[(i + 1) % codes.count]
    }
}
