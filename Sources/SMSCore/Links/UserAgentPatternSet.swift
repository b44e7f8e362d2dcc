import Foundation

/// A set of user-agent regular expressions (the `crawler-user-agents` format: one `pattern` per
/// entry, matched case-sensitively) that answers "which pattern matches?" in time linear in the
/// user agent's length, not in the number of patterns.
///
/// How: every pattern is reduced to one **required literal** per top-level alternative (the longest
/// run of plain characters that any match must contain, e.g. `S[eE][mM]rushBot` → `SemrushBot`,
/// a one-letter class in both cases counting as that letter).
/// Literals of 3+ bytes are indexed by their first three ASCII-lower-cased bytes; a lookup walks
/// the user agent's byte trigrams, keeps the patterns whose literal occurs there (case-folded, so
/// a superset of the case-sensitive matches), and confirms each candidate with the real regular
/// expression. Patterns without a usable literal are always confirmed by regex (few: see
/// ``alwaysCheckedCount``).
public struct UserAgentPatternSet: Sendable {
    /// One pattern with where it came from (e.g. `"crawler-user-agents"`).
    public struct Entry: Sendable {
        public var pattern: String
        public var source: String
        public init(pattern: String, source: String) {
            self.pattern = pattern
            self.source = source
        }
    }

    /// A pattern that did not compile as an ICU regular expression (it is left out).
    public struct InvalidPattern: Sendable, Equatable {
        public var pattern: String
        public var source: String
    }

    public let entries: [Entry]
    public let invalid: [InvalidPattern]
    private let regexes: [NSRegularExpressionBox?]
    /// trigram → (entry index, lower-cased literal).
    private let index: [UInt32: [(Int, [UInt8])]]
    private let alwaysChecked: [Int]

    /// Patterns confirmed by regex on every lookup (no required literal of 3+ bytes).
    public var alwaysCheckedCount: Int { alwaysChecked.count }
    /// Their patterns.
    public var alwaysCheckedPatterns: [String] { alwaysChecked.map { entries[$0].pattern } }

    /// Compiles the patterns. Patterns that do not compile are reported in ``invalid``.
    public init(_ entries: [Entry]) {
        var kept: [Entry] = []
        var invalid: [InvalidPattern] = []
        var regexes: [NSRegularExpressionBox?] = []
        var index: [UInt32: [(Int, [UInt8])]] = [:]
        var always: [Int] = []
        for e in entries {
            guard let re = try? NSRegularExpression(pattern: e.pattern) else {
                invalid.append(InvalidPattern(pattern: e.pattern, source: e.source))
                continue
            }
            let i = kept.count
            kept.append(e)
            regexes.append(NSRegularExpressionBox(re))
            let literals = Self.requiredLiterals(e.pattern)
            if literals.isEmpty || literals.contains(where: { $0.utf8.count < 3 }) {
                always.append(i)
                continue
            }
            for lit in Set(literals) {
                let bytes = Self.lower(Array(lit.utf8))
                index[Self.trigram(bytes, 0), default: []].append((i, bytes))
            }
        }
        self.entries = kept
        self.invalid = invalid
        self.regexes = regexes
        self.index = index
        self.alwaysChecked = always
    }

    /// The first matching entry (lowest index among the matches), or `nil`.
    public func firstMatch(_ userAgent: String) -> Entry? {
        let ua = Self.lower(Array(userAgent.utf8))
        var candidates = Set(alwaysChecked)
        if ua.count >= 3 {
            for p in 0...(ua.count - 3) {
                guard let list = index[Self.trigram(ua, p)] else { continue }
                for (i, lit) in list where !candidates.contains(i) && Self.occurs(lit, in: ua, at: p) {
                    candidates.insert(i)
                }
            }
        }
        guard !candidates.isEmpty else { return nil }
        let range = NSRange(userAgent.startIndex..<userAgent.endIndex, in: userAgent)
        for i in candidates.sorted() where regexes[i]?.re.firstMatch(in: userAgent, range: range) != nil {
            return entries[i]
        }
        return nil
    }

    // MARK: Literal extraction

    /// For each top-level alternative of `pattern`, its longest required run of plain characters.
    /// An empty array or an empty string means "no literal: always check".
    static func requiredLiterals(_ pattern: String) -> [String] {
        splitTopLevel(Array(pattern)).map(longestRun)
    }

    /// Splits on `|` outside groups, classes and escapes.
    static func splitTopLevel(_ p: [Character]) -> [[Character]] {
        var parts: [[Character]] = [[]]
        var depth = 0
        var inClass = false
        var i = 0
        while i < p.count {
            let c = p[i]
            if c == "\\", i + 1 < p.count {
                parts[parts.count - 1] += [c, p[i + 1]]
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if c == "|" && depth == 0 {
                parts.append([])
                i += 1
                continue
            }
            parts[parts.count - 1].append(c)
            i += 1
        }
        return parts
    }

    /// The longest run of characters every match of this (alternation-free at top level)
    /// sub-pattern must contain.
    static func longestRun(_ p: [Character]) -> String {
        var best: [Character] = []
        var run: [Character] = []
        func breakRun() {
            if run.count > best.count { best = run }
            run = []
        }
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case "\\":
                guard i + 1 < p.count else { i += 1; continue }
                let n = p[i + 1]
                if n.isLetter || n.isNumber { breakRun() } else { run.append(n) }  // \d \s \b … vs \/ \. \(
                i += 2
            case "[":
                // `[bB]`: one letter in both cases is a plain character for the case-folded index.
                if i + 3 < p.count, p[i + 3] == "]", p[i + 1] != p[i + 2], p[i + 1].isLetter,
                    p[i + 1].lowercased() == p[i + 2].lowercased(), i + 4 >= p.count || !["?", "*", "{"].contains(p[i + 4])
                {
                    run.append(Character(p[i + 1].lowercased()))
                    i += 4
                    continue
                }
                breakRun()
                i = skipClass(p, from: i)
            case "(":
                breakRun()
                i = skipGroup(p, from: i)
            case "?", "*":
                if !run.isEmpty { run.removeLast() }
                breakRun()
                i += 1
            case "{":
                if !run.isEmpty { run.removeLast() }
                breakRun()
                while i < p.count && p[i] != "}" { i += 1 }
                i += 1
            case "+", ".", "^", "$", ")", "|":
                breakRun()
                i += 1
            default:
                run.append(c)
                i += 1
            }
            // A quantifier right after a class or group applies to it, not to the next run.
            if i < p.count, run.isEmpty, ["?", "*", "+"].contains(p[i]) { i += 1 }
        }
        breakRun()
        return String(best)
    }

    static func skipClass(_ p: [Character], from start: Int) -> Int {
        var i = start + 1
        if i < p.count && p[i] == "^" { i += 1 }
        if i < p.count && p[i] == "]" { i += 1 }
        while i < p.count && p[i] != "]" { i += p[i] == "\\" ? 2 : 1 }
        return i + 1
    }

    static func skipGroup(_ p: [Character], from start: Int) -> Int {
        var depth = 0
        var i = start
        while i < p.count {
            switch p[i] {
            case "\\": i += 1
            case "[": i = skipClass(p, from: i) - 1
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        return i
    }

    // MARK: Bytes

    static func lower(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
    }

    static func trigram(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
    }

    static func occurs(_ lit: [UInt8], in ua: [UInt8], at p: Int) -> Bool {
        guard p + lit.count <= ua.count else { return false }
        for k in 3..<lit.count where ua[p + k] != lit[k] { return false }
        return true
    }
}

/// `NSRegularExpression` is immutable and thread-safe for matching, but not declared `Sendable`.
final class NSRegularExpressionBox: @unchecked Sendable {
    let re: NSRegularExpression
    init(_ re: NSRegularExpression) { self.re = re }
}
