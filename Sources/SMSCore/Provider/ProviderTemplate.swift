import Foundation

/// Where a rendered placeholder value lands, which decides how it is escaped (`docs/DOMAIN.md` §2:
/// "Values are escaped for where they land (JSON string, form field, URL query, URL path segment)").
public enum TemplateContext: Sendable {
    /// A JSON request body. Inside a JSON string literal the value is escaped as string content
    /// (RFC 8259 §7); outside one it is emitted as a complete, quoted JSON string.
    case jsonString
    /// An `application/x-www-form-urlencoded` body (WHATWG URL Standard §5.2).
    case formField
    /// A URL query (after the `?` of the endpoint URL; a GET request's template): RFC 3986 §2
    /// percent-encoding.
    case urlQuery
    /// A URL path (before the `?` of the endpoint URL, e.g. `/v1/accounts/$$AccountSid/messages`):
    /// RFC 3986 §3.3 segment percent-encoding, so a value never adds a segment (`/` → `%2F`).
    case urlPath
}

/// Why a provider template cannot be rendered or is not acceptable.
public enum ProviderTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The template uses `$$name` but no value (render) or no permission (validate) exists for it.
    case unknownPlaceholder(String)
    /// The batch key does not occur as an object key of the JSON template.
    case batchKeyNotFound(String)
    /// The array under the batch key is empty or holds more than one element.
    case batchArrayMustHaveOneRecord(String)
    /// The template is malformed or misses a mandatory placeholder; carries the reason.
    case invalidTemplate(String)

    /// A message fit for the provider settings form.
    public var description: String {
        switch self {
        case .unknownPlaceholder(let name):
            return "unknown placeholder $$\(name)"
        case .batchKeyNotFound(let key):
            return "batch key \"\(key)\" is not an object key of the JSON template"
        case .batchArrayMustHaveOneRecord(let key):
            return "the array under batch key \"\(key)\" must hold exactly one record template"
        case .invalidTemplate(let reason):
            return "invalid provider template: \(reason)"
        }
    }
}

/// Renders the request of a generic HTTP provider from its template (`docs/DOMAIN.md` §2 "Sending through
/// a generic HTTP provider").
///
/// Placeholders: `$$Name` with `Name` = `[A-Za-z][A-Za-z0-9_]*`, longest match, case-sensitive
/// (`$$Body_2` is the placeholder `Body_2`). `$$` not followed by an ASCII letter is literal text.
/// There is no escape syntax: to send a literal `$$Name`, pass it as a value.
///
/// Escaping per ``TemplateContext``:
/// - `jsonString` (RFC 8259 §7): `"` → `\"`, `\` → `\\`, U+0008/0009/000A/000C/000D → `\b \t \n \f \r`,
///   other U+0000–U+001F → `\u00xx` (lower-case hex); everything else, emoji and non-ASCII
///   included, as UTF-8. A placeholder outside a JSON string literal (`{"to": $$To}`) is emitted as
///   a quoted JSON string, so a value can never inject JSON structure (decision).
/// - `formField` (WHATWG URL Standard, application/x-www-form-urlencoded serializer): ASCII
///   letters, digits and `* - . _` are kept, space → `+`, every other UTF-8 byte → `%XX`
///   (upper-case hex): `+` → `%2B`, `&` → `%26`, `%` → `%25`, `~` → `%7E`.
/// - `urlQuery` (RFC 3986 §2.3): unreserved ASCII letters, digits and `- . _ ~` are kept, every
///   other UTF-8 byte → `%XX` (upper-case hex); space → `%20`, `+` → `%2B`, so both a URL decoder
///   and a form decoder (which reads `+` as space) get the value back.
/// - `urlPath` (RFC 3986 §3.3): as `urlQuery` (`/` → `%2F`, `?` → `%3F`, `#` → `%23`, `;` → `%3B`:
///   a value stays inside its segment), and a value that is only dots (`.`, `..`) has them as
///   `%2E`, so it is not read as a dot segment by a client that normalises paths (decision).
///
/// An endpoint URL is rendered by ``renderURL(_:values:)``: placeholders before its first `?` as
/// `urlPath`, after it as `urlQuery`.
///
/// The template's own text is never altered: only placeholders are replaced.
public enum ProviderTemplate {
    /// The placeholders the platform defines (`docs/DOMAIN.md` §2); always allowed by
    /// ``validate(template:allowed:)``.
    public static let standardPlaceholders: Set<String> = Set([
        "To", "ToDigits", "Body", "TemplateID", "MessageID", "CampaignID", "TemplateVariables", "DlrUrl",
    ]).union(EncodingPlaceholders.names)

    /// Whether `name` can be a custom placeholder (a campaign value, a provider secret): a placeholder
    /// name (`[A-Za-z][A-Za-z0-9_]*`) that is not one of ``standardPlaceholders``.
    public static func isCustomName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, isASCIILetter(first), bytes.allSatisfy(isNameByte) else { return false }
        return !standardPlaceholders.contains(name)
    }

    /// The placeholder names of a template.
    /// - Parameter template: any template text.
    /// - Returns: the names without `$$`, in order of first appearance, each once.
    public static func placeholders(in template: String) -> [String] {
        let bytes = Array(template.utf8)
        var seen: Set<String> = []
        var names: [String] = []
        var index = 0
        while index < bytes.count {
            if let (name, end) = placeholder(in: bytes, at: index) {
                if seen.insert(name).inserted { names.append(name) }
                index = end
            } else {
                index += 1
            }
        }
        return names
    }

    /// Renders a template, replacing each placeholder by its value escaped for `context`.
    /// - Parameters:
    ///   - template: the endpoint URL (`urlQuery`), form body (`formField`) or JSON body (`jsonString`).
    ///   - values: placeholder name (without `$$`) → raw value.
    ///   - context: where the values land.
    /// - Returns: the rendered text.
    /// - Throws: ``ProviderTemplateError/unknownPlaceholder(_:)`` for the first placeholder without a value.
    public static func render(
        _ template: String,
        values: [String: String],
        context: TemplateContext
    ) throws(ProviderTemplateError) -> String {
        var output: [UInt8] = []
        try render(Array(template.utf8)[...], values: values, context: context, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Renders a provider's endpoint URL (`docs/DOMAIN.md` §2 "Placeholders"): placeholders before
    /// the first `?` of the template are escaped as ``TemplateContext/urlPath``, the rest as
    /// ``TemplateContext/urlQuery``. E.g. `https://api.example/v1/$$Account/sms?to=$$To` with
    /// `Account` = `a/b` and `To` = `+49 1` → `https://api.example/v1/a%2Fb/sms?to=%2B49%201`.
    /// - Parameters:
    ///   - url: the URL template as configured.
    ///   - values: placeholder name (without `$$`) → raw value.
    /// - Returns: the rendered URL.
    /// - Throws: ``ProviderTemplateError/unknownPlaceholder(_:)`` for the first placeholder without a value.
    public static func renderURL(_ url: String, values: [String: String]) throws(ProviderTemplateError) -> String {
        let bytes = Array(url.utf8)
        let split = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        var output: [UInt8] = []
        try render(bytes[..<split], values: values, context: .urlPath, into: &output)
        try render(bytes[split...], values: values, context: .urlQuery, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Renders a batched JSON request body (`docs/DOMAIN.md` §2 "optional batching").
    ///
    /// The JSON template is the whole body; the array under `batchKey` holds exactly one record
    /// template. The output repeats that record once per record, each rendered with its own values
    /// (JSON-escaped). The array is located by a scanner aware of JSON strings, not by
    /// re-serialising, so every other byte of the template is kept as written.
    ///
    /// Decisions:
    /// - `batchKey` is matched as an object key at any depth; the first occurrence in document
    ///   order wins. Its value must be an array.
    /// - Records are separated by `,` followed by the whitespace that precedes the record in the
    ///   template (`,` alone for a compact template; `,\n    ` for a pretty-printed one).
    /// - Placeholders outside the record template (e.g. a batch-level `$$CampaignID`) are rendered
    ///   from `sharedValues`.
    /// - Zero records give an empty array. The batch size limit (1…1000) is the caller's.
    ///
    /// - Parameters:
    ///   - jsonTemplate: the whole JSON body, e.g. `{"messages":[{"to":"$$To","text":"$$Body"}]}`.
    ///   - batchKey: the key of the array, e.g. `messages`.
    ///   - records: one values dictionary per message, in output order.
    ///   - sharedValues: values for placeholders outside the record template.
    /// - Returns: the rendered body.
    /// - Throws: `batchKeyNotFound` when no object key equals `batchKey`;
    ///   `batchArrayMustHaveOneRecord` when the array is empty or has several elements;
    ///   `invalidTemplate` for a non-array value, an unterminated string or unbalanced brackets;
    ///   `unknownPlaceholder` for a placeholder without a value.
    public static func renderBatch(
        jsonTemplate: String,
        batchKey: String,
        records: [[String: String]],
        sharedValues: [String: String] = [:]
    ) throws(ProviderTemplateError) -> String {
        let bytes = Array(jsonTemplate.utf8)
        let array = try locateBatchArray(in: bytes, key: batchKey)

        let leading = Array(bytes[array.open + 1..<array.recordStart])
        let separator: [UInt8] = [UInt8(ascii: ",")] + leading
        let recordTemplate = bytes[array.recordStart..<array.recordEnd]

        var output: [UInt8] = []
        try render(bytes[..<array.recordStart], values: sharedValues, context: .jsonString, into: &output)
        for (offset, record) in records.enumerated() {
            if offset > 0 { output.append(contentsOf: separator) }
            try render(recordTemplate, values: record, context: .jsonString, into: &output)
        }
        try render(bytes[array.recordEnd...], values: sharedValues, context: .jsonString, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Why an endpoint URL's placeholders cannot work (`docs/DOMAIN.md` §2 "Placeholders"): they are
    /// filled in the path and the query only. One in the scheme or the host (`http://$$To.example/`)
    /// would make every send "provider unreachable", and one in the fragment (`…#$$MessageID`) is
    /// never sent by an HTTP client. - Returns: the problem naming `url`, or `nil`.
    public static func urlPlaceholderProblem(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        var authorityEnd = 0
        if let schemeEnd = url.range(of: "://") {
            let start = url.utf8.distance(from: url.startIndex, to: schemeEnd.upperBound)
            authorityEnd = bytes[start...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
        }
        let head = String(decoding: bytes[..<authorityEnd], as: UTF8.self)
        if let name = placeholders(in: head).first {
            return "url: $$\(name) is in the scheme or the host; placeholders are filled in the path and the query only"
        }
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")),
           let name = placeholders(in: String(decoding: bytes[hash...], as: UTF8.self)).first {
            return "url: $$\(name) is in the fragment (after #), which is never sent; placeholders are filled in the path and the query only"
        }
        return nil
    }

    /// Checks a provider's templates when the provider is configured (`docs/DOMAIN.md` §2 "Placeholders").
    /// - Parameters:
    ///   - template: the whole request template (endpoint URL and body, as the caller combines them,
    ///     e.g. `url + " " + bodyTemplate`: a placeholder may stand in either).
    ///   - allowed: the custom placeholder names the campaign may set; ``standardPlaceholders`` are
    ///     always allowed.
    /// - Throws: `unknownPlaceholder(name)` for the first name neither standard nor in `allowed`;
    ///   `invalidTemplate` when `$$To` (or `$$ToDigits`) is missing from both the url and the template, or when
    ///   `$$Body`, `$$BodyHex`, `$$BodyUCS2Hex` and `$$TemplateID` are all missing from both. (`$$MessageID` is not
    ///   required here, but without it delivery, click, reply and error tracking cannot work.)
    public static func validate(template: String, allowed: Set<String>) throws(ProviderTemplateError) {
        let names = placeholders(in: template)
        let permitted = allowed.union(standardPlaceholders)
        if let unknown = names.first(where: { !permitted.contains($0) }) {
            throw .unknownPlaceholder(unknown)
        }
        guard names.contains("To") || names.contains("ToDigits") else {
            throw .invalidTemplate("$$To (or $$ToDigits) must appear in the url or the template")
        }
        guard names.contains("Body") || names.contains("BodyUCS2Hex") || names.contains("BodyHex") || names.contains("TemplateID") else {
            throw .invalidTemplate("$$Body (or $$BodyHex, $$BodyUCS2Hex, $$TemplateID) must appear in the url or the template")
        }
    }

    /// Escapes one value for a context (the same escaping ``render(_:values:context:)`` applies;
    /// for `jsonString`, the escaped string content without surrounding quotes).
    /// - Parameters:
    ///   - value: the raw value.
    ///   - context: where it lands.
    /// - Returns: the escaped text.
    public static func escape(_ value: String, for context: TemplateContext) -> String {
        var output: [UInt8] = []
        appendEscaped(value, context: context, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: - Rendering

    /// Renders template bytes into `output`. For `.jsonString`, tracks JSON string literals to know
    /// whether a placeholder sits inside one; the slice must start outside any string literal.
    static func render(
        _ template: ArraySlice<UInt8>,
        values: [String: String],
        context: TemplateContext,
        into output: inout [UInt8]
    ) throws(ProviderTemplateError) {
        var inString = false
        var escapeNext = false
        var index = template.startIndex
        while index < template.endIndex {
            let byte = template[index]
            if inString && escapeNext {
                output.append(byte)
                escapeNext = false
                index += 1
                continue
            }
            if let (name, end) = placeholder(in: template, at: index) {
                guard let value = values[name] else { throw .unknownPlaceholder(name) }
                let quote = context == .jsonString && !inString
                if quote { output.append(Byte.quote) }
                appendEscaped(value, context: context, into: &output)
                if quote { output.append(Byte.quote) }
                index = end
                continue
            }
            output.append(byte)
            if context == .jsonString {
                if inString {
                    if byte == Byte.backslash {
                        escapeNext = true
                    } else if byte == Byte.quote {
                        inString = false
                    }
                } else if byte == Byte.quote {
                    inString = true
                }
            }
            index += 1
        }
    }

    /// If a placeholder starts at `index`, its name and the index just past it.
    static func placeholder<C: RandomAccessCollection>(
        in bytes: C,
        at index: C.Index
    ) -> (String, C.Index)? where C.Element == UInt8 {
        guard bytes[index] == Byte.dollar else { return nil }
        let second = bytes.index(after: index)
        guard second < bytes.endIndex, bytes[second] == Byte.dollar else { return nil }
        let nameStart = bytes.index(after: second)
        guard nameStart < bytes.endIndex, isASCIILetter(bytes[nameStart]) else { return nil }
        var end = bytes.index(after: nameStart)
        while end < bytes.endIndex, isNameByte(bytes[end]) {
            end = bytes.index(after: end)
        }
        return (String(decoding: bytes[nameStart..<end], as: UTF8.self), end)
    }

    /// Appends `value` escaped for `context`.
    static func appendEscaped(_ value: String, context: TemplateContext, into output: inout [UInt8]) {
        switch context {
        case .jsonString:
            for byte in value.utf8 {
                switch byte {
                case Byte.quote: output.append(contentsOf: [Byte.backslash, Byte.quote])
                case Byte.backslash: output.append(contentsOf: [Byte.backslash, Byte.backslash])
                case 0x08: output.append(contentsOf: Array(#"\b"#.utf8))
                case 0x09: output.append(contentsOf: Array(#"\t"#.utf8))
                case 0x0A: output.append(contentsOf: Array(#"\n"#.utf8))
                case 0x0C: output.append(contentsOf: Array(#"\f"#.utf8))
                case 0x0D: output.append(contentsOf: Array(#"\r"#.utf8))
                case 0x00..<0x20:
                    output.append(contentsOf: Array(#"\u00"#.utf8))
                    output.append(lowerHex[Int(byte >> 4)])
                    output.append(lowerHex[Int(byte & 0x0F)])
                default: output.append(byte)
                }
            }
        case .formField:
            for byte in value.utf8 {
                if isASCIIAlphanumeric(byte) || byte == 0x2A || byte == 0x2D || byte == 0x2E || byte == 0x5F {
                    output.append(byte)
                } else if byte == 0x20 {
                    output.append(0x2B)
                } else {
                    appendPercentEncoded(byte, into: &output)
                }
            }
        case .urlQuery, .urlPath:
            let dotSegment = context == .urlPath && (value == "." || value == "..")
            for byte in value.utf8 {
                if isASCIIAlphanumeric(byte) || byte == 0x2D || (byte == 0x2E && !dotSegment) || byte == 0x5F || byte == 0x7E {
                    output.append(byte)
                } else {
                    appendPercentEncoded(byte, into: &output)
                }
            }
        }
    }

    static func appendPercentEncoded(_ byte: UInt8, into output: inout [UInt8]) {
        output.append(0x25)
        output.append(upperHex[Int(byte >> 4)])
        output.append(upperHex[Int(byte & 0x0F)])
    }

    static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)
    static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    // MARK: - Batch array scanner

    /// Positions of the batch array in the template bytes: its `[`, and the record template's
    /// first byte and end (exclusive), trimmed of JSON whitespace.
    struct BatchArray {
        var open: Int
        var recordStart: Int
        var recordEnd: Int
    }

    /// Finds the first object key equal to `key` and the single record of its array value.
    static func locateBatchArray(in bytes: [UInt8], key: String) throws(ProviderTemplateError) -> BatchArray {
        var index = 0
        while index < bytes.count {
            guard bytes[index] == Byte.quote else {
                index += 1
                continue
            }
            let stringEnd = try endOfString(in: bytes, openingQuote: index)
            let afterString = skipWhitespace(in: bytes, from: stringEnd)
            if afterString < bytes.count, bytes[afterString] == Byte.colon,
               decodeJSONString(bytes[(index + 1)..<(stringEnd - 1)]) == key {
                let valueStart = skipWhitespace(in: bytes, from: afterString + 1)
                guard valueStart < bytes.count, bytes[valueStart] == Byte.openBracket else {
                    throw .invalidTemplate("the value of batch key \"\(key)\" is not an array")
                }
                return try singleRecord(in: bytes, arrayOpen: valueStart, key: key)
            }
            index = stringEnd
        }
        throw .batchKeyNotFound(key)
    }

    /// Scans the array opened at `arrayOpen` and returns its only element's bounds.
    static func singleRecord(in bytes: [UInt8], arrayOpen: Int, key: String) throws(ProviderTemplateError) -> BatchArray {
        var stack: [UInt8] = []
        var index = arrayOpen + 1
        var sawTopLevelComma = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case Byte.quote:
                index = try endOfString(in: bytes, openingQuote: index)
                continue
            case Byte.openBracket, Byte.openBrace:
                stack.append(byte)
            case Byte.closeBracket, Byte.closeBrace:
                if stack.isEmpty {
                    guard byte == Byte.closeBracket else {
                        throw .invalidTemplate("unbalanced brackets in the array of batch key \"\(key)\"")
                    }
                    guard !sawTopLevelComma else { throw .batchArrayMustHaveOneRecord(key) }
                    let start = skipWhitespace(in: bytes, from: arrayOpen + 1)
                    var end = index
                    while end > start, isJSONWhitespace(bytes[end - 1]) { end -= 1 }
                    guard start < end else { throw .batchArrayMustHaveOneRecord(key) }
                    return BatchArray(open: arrayOpen, recordStart: start, recordEnd: end)
                }
                let opening = stack.removeLast()
                let matches = (opening == Byte.openBracket && byte == Byte.closeBracket)
                    || (opening == Byte.openBrace && byte == Byte.closeBrace)
                guard matches else {
                    throw .invalidTemplate("unbalanced brackets in the array of batch key \"\(key)\"")
                }
            case Byte.comma where stack.isEmpty:
                sawTopLevelComma = true
            default:
                break
            }
            index += 1
        }
        throw .invalidTemplate("the array of batch key \"\(key)\" is not closed")
    }

    /// The index just past the closing quote of the JSON string opened at `openingQuote`.
    static func endOfString(in bytes: [UInt8], openingQuote: Int) throws(ProviderTemplateError) -> Int {
        var index = openingQuote + 1
        while index < bytes.count {
            switch bytes[index] {
            case Byte.backslash: index += 2
            case Byte.quote: return index + 1
            default: index += 1
            }
        }
        throw .invalidTemplate("unterminated JSON string")
    }

    /// Decodes the content of a JSON string literal (between the quotes), or `nil` when malformed.
    static func decodeJSONString(_ content: ArraySlice<UInt8>) -> String? {
        guard content.contains(Byte.backslash) else { return String(decoding: content, as: UTF8.self) }
        var output: [UInt8] = []
        var index = content.startIndex
        func hex4(at position: Int) -> UInt32? {
            guard position + 4 <= content.endIndex else { return nil }
            return UInt32(String(decoding: content[position..<position + 4], as: UTF8.self), radix: 16)
        }
        while index < content.endIndex {
            let byte = content[index]
            guard byte == Byte.backslash else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < content.endIndex else { return nil }
            let escaped = content[index + 1]
            index += 2
            switch escaped {
            case Byte.quote, Byte.backslash, 0x2F: output.append(escaped)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard var code = hex4(at: index) else { return nil }
                index += 4
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 1 < content.endIndex, content[index] == Byte.backslash,
                          content[index + 1] == UInt8(ascii: "u"),
                          let low = hex4(at: index + 2), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                return nil
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func skipWhitespace(in bytes: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count, isJSONWhitespace(bytes[index]) { index += 1 }
        return index
    }

    static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (0x30...0x39).contains(byte)
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isASCIIAlphanumeric(byte) || byte == 0x5F
    }

    /// ASCII bytes the scanner and renderer use.
    enum Byte {
        static let quote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")
        static let dollar = UInt8(ascii: "$")
        static let colon = UInt8(ascii: ":")
        static let comma = UInt8(ascii: ",")
        static let openBracket = UInt8(ascii: "[")
        static let closeBracket = UInt8(ascii: "]")
        static let openBrace = UInt8(ascii: "{")
        static let closeBrace = UInt8(ascii: "}")
    }
}
