import Foundation

/// Tells bot and link-preview hits from human clicks (`docs/DOMAIN.md` §6, PITFALLS.md #8–9), from the
/// request alone (method and user agent), never from timing: a person can click a second after
/// the SMS lands.
///
/// A hit is a bot hit when, in this order:
/// 1. the method is `HEAD` (reason `"HEAD request"`): browsers opening a link send GET;
/// 2. the user agent is missing or blank (`"no user agent"`);
/// 3. the user agent matches a pattern of the maintained list `crawler-user-agents`
///    (github.com/monperrus/crawler-user-agents, vendored as the resource
///    `crawler-user-agents.json`, refreshed by `scripts/update_crawler_list.sh`; regular
///    expressions matched case-sensitively), of this project's supplement
///    `bot-user-agents-extra.json`, or an operator's extra pattern
///    (`"user agent matches 'WhatsApp' (crawler-user-agents)"`).
///
/// Operator patterns are plain substrings matched case-insensitively (`--bot-user-agent`).
public struct BotDetector: Sendable {
    /// The compiled patterns (the two data files plus the operator's).
    public let patterns: UserAgentPatternSet
    /// Operator substrings, lower-cased.
    public let extraSubstrings: [String]

    /// Source name of the vendored upstream list.
    public static let upstreamSource = "crawler-user-agents"
    /// Source name of the project's supplement.
    public static let supplementSource = "supplement"

    /// The data files' patterns, compiled once per process.
    public static let shippedPatterns: UserAgentPatternSet = UserAgentPatternSet(
        loadEntries("crawler-user-agents", source: upstreamSource) + loadEntries("bot-user-agents-extra", source: supplementSource))

    /// - Parameter extraPatterns: operator substrings (case-insensitive), added to the shipped lists.
    public init(extraPatterns: [String] = []) {
        patterns = Self.shippedPatterns
        extraSubstrings = extraPatterns.map { $0.lowercased() }.filter { !$0.isEmpty }
    }

    /// - Parameters:
    ///   - method: the HTTP method (`"GET"`, `"HEAD"`, …).
    ///   - userAgent: the `User-Agent` header, if any.
    /// - Returns: the reason the hit is a bot (`"HEAD request"`, `"no user agent"`,
    ///   `"user agent matches 'WhatsApp' (crawler-user-agents)"`), or `nil` for a human click.
    public func botReason(method: String, userAgent: String?) -> String? {
        if method.uppercased() == "HEAD" { return "HEAD request" }
        guard let ua = userAgent, !ua.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "no user agent"
        }
        if let e = patterns.firstMatch(ua) { return "user agent matches '\(e.pattern)' (\(e.source))" }
        if !extraSubstrings.isEmpty {
            let lower = ua.lowercased()
            if let p = extraSubstrings.first(where: { lower.contains($0) }) { return "user agent matches '\(p)' (operator)" }
        }
        return nil
    }

    /// One entry of a pattern file: `pattern` and the real user agents it must match.
    public struct FileEntry: Sendable, Decodable {
        public var pattern: String
        public var instances: [String]
    }

    /// The entries of a shipped pattern file (`name` without `.json`); empty if it is missing
    /// (the tests check that both files load).
    public static func fileEntries(_ name: String) -> [FileEntry] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return [] }
        return (try? JSONDecoder().decode([FileEntry].self, from: data)) ?? []
    }

    static func loadEntries(_ name: String, source: String) -> [UserAgentPatternSet.Entry] {
        fileEntries(name).map { UserAgentPatternSet.Entry(pattern: $0.pattern, source: source) }
    }
}
