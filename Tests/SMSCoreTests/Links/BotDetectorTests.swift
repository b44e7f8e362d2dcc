import Foundation
import Testing

@testable import SMSCore

@Suite("Bot detection (PITFALLS.md #8, 9)")
struct BotDetectorTests {
    static let detector = BotDetector()

    /// Real user agents of people opening a link on a phone or desktop, in-app browsers included
    /// (Snapchat, Pinterest, Facebook, Instagram, LINE open links inside the app) and a CUBOT phone.
    static let humans: [String] = [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.163 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Android 14; Mobile; rv:120.0) Gecko/120.0 Firefox/120.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.50.0.37 (like Safari/8614.1.25.0.31, panda)",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/430.0.0.26.109;FBBV/123;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.6;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 Instagram 300.0.0.29.110 Android",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.14.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
        "Mozilla/5.0 (Linux; U; Android 12; en-US; RMX3363 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/13.4.0.1306 Mobile Safari/537.36",
        "Opera/9.80 (J2ME/MIDP; Opera Mini/5.1.21214/28.2725; U; ru) Presto/2.8.119 Version/11.10",
    ]

    @Test func bothPatternFilesLoadAndEveryPatternCompiles() {
        let upstream = BotDetector.fileEntries("crawler-user-agents")
        let extra = BotDetector.fileEntries("bot-user-agents-extra")
        #expect(upstream.count == 1504)  // crawler-user-agents 1.67.0
        #expect(extra.count == 6)
        #expect(Self.detector.patterns.invalid == [])
        #expect(Self.detector.patterns.entries.count == 1510)
        // Patterns without a 3-byte literal are checked by regex on every hit: keep them few.
        #expect(Self.detector.patterns.alwaysCheckedPatterns == [])
    }

    @Test func everyInstanceOfBothListsIsABot() {
        var misses: [String] = []
        var checked = 0
        for name in ["crawler-user-agents", "bot-user-agents-extra"] {
            for e in BotDetector.fileEntries(name) {
                for ua in e.instances {
                    checked += 1
                    if Self.detector.botReason(method: "GET", userAgent: ua) == nil { misses.append("\(e.pattern): \(ua)") }
                }
            }
        }
        #expect(checked > 2_000)  // 2,132 in 1.67.0 plus the supplement's
        #expect(misses == [])
    }

    @Test(arguments: humans) func humanBrowsersAreNotBots(ua: String) {
        #expect(Self.detector.botReason(method: "GET", userAgent: ua) == nil)
    }

    /// PITFALLS.md #8: a messaging app's preview, a social crawler, a HEAD with a browser user agent,
    /// then one phone browser GET → 1 human click, 3 bot hits.
    @Test func pitfall8PreviewsCrawlersAndHeadAreBots() {
        let d = Self.detector
        #expect(d.botReason(method: "GET", userAgent: "WhatsApp/2.23.20.0 A") == "user agent matches 'WhatsApp' (crawler-user-agents)")
        #expect(
            d.botReason(method: "GET", userAgent: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")
                == "user agent matches 'facebookexternalhit' (crawler-user-agents)")
        #expect(d.botReason(method: "HEAD", userAgent: Self.humans[0]) == "HEAD request")
        #expect(d.botReason(method: "GET", userAgent: Self.humans[0]) == nil)
    }

    /// PITFALLS.md #9: a URL shortener's bot names itself.
    @Test func pitfall9ShortenerBotIsABot() {
        #expect(Self.detector.botReason(method: "GET", userAgent: "bitlybot/3.0 (+http://bit.ly/)") != nil)
    }

    @Test(arguments: [
        ("TelegramBot (like TwitterBot)", "TelegramBot"),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot"),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "Discordbot"),
        ("Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5", "SkypeUriPreview"),
        ("Viber/20.3.0", "Viber"),
        ("curl/8.4.0", "^curl"),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/119.0.0.0 Safari/537.36", "HeadlessChrome"),
        ("Java/17.0.2", "^Java\\/"),
    ])
    func namedFetchersMatchTheirPattern(ua: String, pattern: String) {
        #expect(Self.detector.botReason(method: "GET", userAgent: ua)?.hasPrefix("user agent matches '\(pattern)'") == true)
    }

    @Test func missingOrBlankUserAgentIsABot() {
        #expect(Self.detector.botReason(method: "GET", userAgent: nil) == "no user agent")
        #expect(Self.detector.botReason(method: "GET", userAgent: "   ") == "no user agent")
        #expect(Self.detector.botReason(method: "head", userAgent: nil) == "HEAD request")
    }

    @Test func matchingIsCaseSensitiveLikeUpstream() {
        // Upstream's own harness: "test googlebot/2.0 test" is not a crawler case-sensitively.
        #expect(Self.detector.botReason(method: "GET", userAgent: "test googlebot/2.0 test") == nil)
        #expect(Self.detector.botReason(method: "GET", userAgent: "test Googlebot/2.0 test") != nil)
    }

    @Test func operatorSubstringsAreCaseInsensitive() {
        let d = BotDetector(extraPatterns: ["AcmeLinkCheck"])
        #expect(d.botReason(method: "GET", userAgent: "acmelinkcheck/1.0") == "user agent matches 'acmelinkcheck' (operator)")
        #expect(BotDetector().botReason(method: "GET", userAgent: "acmelinkcheck/1.0") == nil)
    }

    @Test(arguments: [
        ("Googlebot\\/", ["Googlebot/"]),
        ("S[eE][mM]rushBot", ["SemrushBot"]),
        ("Automaton|Newsify Feed Fetcher", ["Automaton", "Newsify Feed Fetcher"]),
        ("(^| )sentry\\/", ["sentry/"]),
        ("AdsBot-Google([^-]|$)", ["AdsBot-Google"]),
        ("BlogTraffic\\/\\d\\.\\d+ Feed-Fetcher", [" Feed-Fetcher"]),
        ("ab?cdef", ["cdef"]),
        ("Spider[\\s\\S]*spider\\.com", ["spider.com"]),
        ("[wW]get", ["wget"]),
        ("[wW]?get", ["get"]),  // an optional class is not required
        ("(^|[^A-Za-z])[bB]ot([^A-Za-z]|$)", ["bot"]),
        ("Chirp|gotosocial", ["Chirp", "gotosocial"]),
    ])
    func requiredLiteralOfAPattern(pattern: String, literals: [String]) {
        #expect(UserAgentPatternSet.requiredLiterals(pattern) == literals)
    }

    /// The literal prefilter never loses a match: the indexed set agrees with trying every regex
    /// on every user agent (instances, their upper- and lower-cased forms, and the humans).
    @Test func prefilterAgreesWithBruteForce() throws {
        let entries = BotDetector.fileEntries("crawler-user-agents") + BotDetector.fileEntries("bot-user-agents-extra")
        let regexes = try entries.map { try NSRegularExpression(pattern: $0.pattern) }
        var uas = Self.humans
        for (i, e) in entries.enumerated() where i % 7 == 0 {
            guard let ua = e.instances.first else { continue }
            uas += [ua, ua.lowercased(), ua.uppercased(), "prefix " + ua + " suffix"]
        }
        for ua in uas {
            let range = NSRange(ua.startIndex..<ua.endIndex, in: ua)
            let brute = regexes.firstIndex { $0.firstMatch(in: ua, range: range) != nil }
            let fast = Self.detector.patterns.firstMatch(ua)
            #expect(fast?.pattern == brute.map { entries[$0].pattern }, "\(ua)")
        }
    }
}
