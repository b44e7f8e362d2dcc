import Foundation

/// Tiny readers for the DOM Chromium dumps (our own markup: double-quoted attributes, one element
/// per marker). Enough to read numbers back; not a general HTML parser.
enum DOM {
    /// The inner text of the first element carrying `marker` (e.g. `data-stat="sent"`), tags stripped.
    static func text(_ html: String, _ marker: String) -> String? {
        guard let r = html.range(of: marker) else { return nil }
        let rest = html[r.upperBound...]
        guard let open = rest.firstIndex(of: ">") else { return nil }
        let inner = rest[rest.index(after: open)...]
        // The element ends at its closing tag; nested tags are stripped.
        let tag = tagName(before: r.lowerBound, in: html)
        guard let close = inner.range(of: "</\(tag)>") else { return nil }
        return strip(String(inner[..<close.lowerBound])).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A displayed count (`"1,234"`) or percentage as a number.
    static func number(_ html: String, _ marker: String) -> Double? {
        text(html, marker).flatMap { Double($0.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "")) }
    }

    static func int(_ s: String) -> Int64 { Int64(s.replacingOccurrences(of: ",", with: "")) ?? -1 }

    /// The value of `attribute` on the first element carrying `marker`.
    static func attribute(_ html: String, of marker: String, _ attribute: String) -> String? {
        guard let r = html.range(of: marker) else { return nil }
        guard let start = html[..<r.lowerBound].range(of: "<", options: .backwards) else { return nil }
        guard let end = html[r.lowerBound...].firstIndex(of: ">") else { return nil }
        let tag = html[start.lowerBound..<end]
        guard let a = tag.range(of: " \(attribute)=\"") else { return nil }
        return String(tag[a.upperBound...].prefix { $0 != "\"" })
    }

    /// Body rows of the table with `id` (or, with `rowAttribute`, the rows carrying it anywhere):
    /// each row's cells (`th` and `td`) as stripped text.
    static func rows(_ html: String, table id: String?, rowAttribute: String? = nil) -> [[String]] {
        var scope = Substring(html)
        if let id {
            guard let r = html.range(of: "<table id=\"\(id)\"") else { return [] }
            let rest = html[r.lowerBound...]
            guard let end = rest.range(of: "</table>") else { return [] }
            scope = rest[..<end.upperBound]
            guard let body = scope.range(of: "<tbody>") else { return [] }
            scope = scope[body.upperBound...]
            if let foot = scope.range(of: "</tbody>") { scope = scope[..<foot.lowerBound] }
        }
        var result: [[String]] = []
        for part in scope.components(separatedBy: "<tr").dropFirst() {
            if let attr = rowAttribute, !part.hasPrefix(" " + attr) { continue }
            guard let end = part.range(of: "</tr>") else { continue }
            let row = part[..<end.lowerBound]
            let cells = row.components(separatedBy: "</t").dropLast().map { cell -> String in
                guard let open = cell.range(of: "<t") else { return "" }
                let c = cell[open.upperBound...]
                guard let gt = c.firstIndex(of: ">") else { return "" }
                return strip(String(c[c.index(after: gt)...])).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            result.append(cells)
        }
        return result
    }

    static func count(_ html: String, _ needle: String) -> Int { html.components(separatedBy: needle).count - 1 }

    static func strip(_ s: String) -> String {
        var out = ""
        var inTag = false
        for c in s {
            if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { out.append(c) }
        }
        return out
    }

    static func tagName(before index: String.Index, in html: String) -> String {
        guard let lt = html[..<index].range(of: "<", options: .backwards) else { return "" }
        return String(html[lt.upperBound...].prefix { $0.isLetter || $0.isNumber })
    }
}
