import Foundation

/// Tells bot and link-preview hits from human clicks (`domain.md` §6, pitfalls 8–9), from the
/// request alone (method and user agent), never from timing.
///
/// The user-agent patterns are data: ``BotDetector/defaultPatterns`` holds case-insensitive
/// substrings drawn from the crawler list maintained by the `crawler-user-agents` project
/// (github.com/monperrus/crawler-user-agents) and the link-preview fetchers of the common
/// messaging apps; operators can add their own.
public struct BotDetector: Sendable {
    public var patterns: [String]

    public static let defaultPatterns: [String] = [
        // Generic crawler words.
        "bot", "crawler", "spider", "crawl", "slurp", "fetcher", "preview", "scanner", "monitor",
        "headless", "phantomjs", "python-requests", "python-urllib", "curl/", "wget", "go-http-client",
        "okhttp", "java/", "libwww-perl", "httpclient", "axios", "node-fetch", "apache-httpclient",
        // Messaging and social link-preview fetchers.
        "whatsapp", "facebookexternalhit", "facebot", "twitterbot", "slackbot", "slack-imgproxy",
        "telegrambot", "discordbot", "linkedinbot", "skypeuripreview", "viber", "snapchat",
        "pinterest", "redditbot", "embedly", "iframely", "vkshare", "line-poker", "kakaotalk-scrap",
        "google-pagerenderer", "googleother", "applebot", "bingpreview", "yahoo! slurp",
        // URL shorteners, security scanners, mail and SMS link checkers.
        "bitlybot", "tinyurl", "urlscan", "safebrowsing", "proofpoint", "mimecast", "barracuda",
        "symantec", "trendmicro", "zscaler", "checkpoint", "virustotal",
    ]

    public init(extraPatterns: [String] = []) {
        patterns = Self.defaultPatterns + extraPatterns.map { $0.lowercased() }
    }

    /// - Returns: the reason the hit is a bot (`"HEAD request"`, `"no user agent"`,
    ///   `"user agent matches 'whatsapp'"`), or `nil` for a human click.
    public func botReason(method: String, userAgent: String?) -> String? {
        if method.uppercased() == "HEAD" { return "HEAD request" }
        guard let ua = userAgent?.lowercased(), !ua.trimmingCharacters(in: .whitespaces).isEmpty else {
            return "no user agent"
        }
        if let p = patterns.first(where: { ua.contains($0) }) { return "user agent matches '\(p)'" }
        return nil
    }
}
