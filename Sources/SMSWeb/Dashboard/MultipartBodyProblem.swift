import SMSCore

/// What is wrong with a `multipart/form-data` body (RFC 7578, framed by RFC 2046 §5.1.1), in
/// words an operator can act on: the dashboard's upload answers `multipart body: missing closing
/// boundary '--XyZ--'` rather than MultipartKit's `syntax`.
///
/// Checked: a first delimiter line `--<boundary>` (after an optional preamble), each delimiter
/// line ending in CRLF (transport padding of spaces and tabs allowed), each part's headers ending
/// in a blank line (CRLF CRLF), each header line `Name: value` (a token name), each part naming
/// itself (`Content-Disposition: form-data; name="file"`), and the close delimiter `--<boundary>--`.
enum MultipartBodyProblem {
    /// The first problem of `body`, or `nil` when its framing is well formed.
    static func describe(_ body: [UInt8], boundary: String) -> String? {
        let delimiter = Array(("--" + boundary).utf8)
        let crlf: [UInt8] = [13, 10]
        let shown = InputEcho.text(boundary)
        // The first delimiter starts the body or a line.
        var at: Int?
        var search = 0
        while let found = find(delimiter, in: body, from: search) {
            if found == 0 || (found >= 2 && body[found - 2] == 13 && body[found - 1] == 10) {
                at = found
                break
            }
            search = found + 1
        }
        guard var position = at.map({ $0 + delimiter.count }) else {
            return "multipart body: no line starts with the boundary '--\(shown)' that Content-Type names"
        }
        var part = 1
        while true {
            if body[position...].starts(with: [45, 45]) { return nil }  // `--`: the close delimiter
            while position < body.count, body[position] == 32 || body[position] == 9 { position += 1 }
            guard body[position...].starts(with: crlf) else {
                return position >= body.count
                    ? "multipart body: missing closing boundary '--\(shown)--'"
                    : "multipart body: the boundary line before part \(part) does not end with CRLF"
            }
            let start = position + 2
            guard let end = find(crlf + delimiter, in: body, from: start) else {
                return "multipart body: missing closing boundary '--\(shown)--' (part \(part) is not closed)"
            }
            let content = Array(body[start..<end])
            let headerEnd: Int
            if content.starts(with: crlf) {
                headerEnd = 0
            } else if let blank = find(crlf + crlf, in: content, from: 0) {
                headerEnd = blank
            } else {
                return "multipart body: part \(part) has no blank line (CRLF CRLF) after its headers"
            }
            var named = false
            for line in split(Array(content[..<headerEnd]), by: crlf) {
                guard let colon = line.firstIndex(of: 58), colon > 0, line[..<colon].allSatisfy(isTokenByte) else {
                    return "multipart body: part \(part): the header line '\(InputEcho.text(String(decoding: line, as: UTF8.self)))' is not 'Name: value'"
                }
                let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
                let value = String(decoding: line[(colon + 1)...], as: UTF8.self).lowercased()
                if name == "content-disposition", value.contains("form-data"), value.contains("name=") { named = true }
            }
            guard named else {
                return "multipart body: part \(part) has no Content-Disposition header naming it (form-data; name=\"file\")"
            }
            position = end + 2 + delimiter.count
            part += 1
        }
    }

    /// RFC 9110 token characters (a header name).
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    private static func split(_ bytes: [UInt8], by separator: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        while let found = find(separator, in: bytes, from: start) {
            out.append(Array(bytes[start..<found]))
            start = found + separator.count
        }
        if start < bytes.count { out.append(Array(bytes[start...])) }
        return out
    }
}
