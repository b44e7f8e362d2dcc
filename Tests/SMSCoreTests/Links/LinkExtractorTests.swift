import Testing
@testable import SMSCore

@Suite("LinkExtractor")
struct LinkExtractorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let body: String
        let urls: [String]
        var testDescription: String { body.debugDescription }
    }

    static let cases: [Case] = [
        // Trailing punctuation is not part of the URL.
        Case(body: "see https://x.example/a.", urls: ["https://x.example/a"]),
        Case(body: "a https://x.example/a?, b", urls: ["https://x.example/a"]),
        Case(body: "wow https://x.example/a...!?", urls: ["https://x.example/a"]),
        Case(body: "at https://x.example/path: now", urls: ["https://x.example/path"]),
        Case(body: "go https://x.example/a; then", urls: ["https://x.example/a"]),
        Case(body: "'https://x.example/a'", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a#frag.", urls: ["https://x.example/a#frag"]),
        Case(body: "«https://x.example/a»", urls: ["https://x.example/a"]),
        Case(body: "“https://x.example/a”", urls: ["https://x.example/a"]),
        Case(body: "请访问https://x.cn/a。谢谢", urls: ["https://x.cn/a"]),
        Case(body: "リンクhttps://x.jp/a、またはhttps://x.jp/b！", urls: ["https://x.jp/a", "https://x.jp/b"]),
        Case(body: "see https://x.example/a…", urls: ["https://x.example/a"]),
        // Punctuation inside the URL is kept.
        Case(body: "https://x.example/it's/a.b,c;d:e!f?g", urls: ["https://x.example/it's/a.b,c;d:e!f?g"]),
        Case(body: "https://x.example:8443/p", urls: ["https://x.example:8443/p"]),
        // Query strings, &, &amp; (not decoded), percent-escapes, fragments, non-ASCII.
        Case(body: "Sale https://shop.example/p?a=1&b=2 now", urls: ["https://shop.example/p?a=1&b=2"]),
        Case(body: "Link: https://x.example/a?b=c&amp;d=e", urls: ["https://x.example/a?b=c&amp;d=e"]),
        Case(body: "https://x.example/%E2%82%AC?q=%20&r=a%2Bb#top", urls: ["https://x.example/%E2%82%AC?q=%20&r=a%2Bb#top"]),
        Case(body: "https://de.wikipedia.org/wiki/Köln!", urls: ["https://de.wikipedia.org/wiki/Köln"]),
        Case(body: "https://x.example/😎/a?e=é", urls: ["https://x.example/😎/a?e=é"]),
        // Brackets: balanced kept, unbalanced trailing dropped.
        Case(body: "https://en.wikipedia.org/wiki/Foo_(bar)", urls: ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        Case(body: "(see https://en.wikipedia.org/wiki/Foo_(bar)).", urls: ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        Case(body: "(https://x.example/a)", urls: ["https://x.example/a"]),
        Case(body: "[https://x.example/a]", urls: ["https://x.example/a"]),
        Case(body: "{https://x.example/a}", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a[1]=b[2]", urls: ["https://x.example/a[1]=b[2]"]),
        Case(body: "https://x.example/{id}", urls: ["https://x.example/{id}"]),
        Case(body: "https://x.example/a)b", urls: ["https://x.example/a)b"]),
        Case(body: "(https://x.example/a?q=(1)).", urls: ["https://x.example/a?q=(1)"]),
        // Hard terminators.
        Case(body: "<https://x.example/a>", urls: ["https://x.example/a"]),
        Case(body: "\"https://x.example/a\"", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a<b", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a\tb", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a\u{00A0}b", urls: ["https://x.example/a"]),
        Case(body: "https://x.example/a\r\nnext", urls: ["https://x.example/a"]),
        // Scheme: case-insensitive, http and https only, not glued to a word.
        Case(body: "HTTPS://X.Example/A and Http://y.example", urls: ["HTTPS://X.Example/A", "Http://y.example"]),
        Case(body: "two: https://a.example/1\nhttps://b.example/2", urls: ["https://a.example/1", "https://b.example/2"]),
        Case(body: "https://a.example/1https://b.example/2", urls: ["https://a.example/1https://b.example/2"]),
        Case(body: "xhttps://a.example", urls: []),
        Case(body: "ftp://x.example and mailto:a@b.example", urls: []),
        Case(body: "https:// nothing", urls: []),
        Case(body: "https://", urls: []),
        Case(body: "http:///path", urls: []),
        Case(body: "https://.", urls: []),
        Case(body: "no links here", urls: []),
        Case(body: "", urls: []),
    ]

    @Test("extracts each URL byte for byte", arguments: cases)
    func extracts(_ testCase: Case) {
        let links = LinkExtractor.extract(from: testCase.body)
        #expect(links.map(\.url) == testCase.urls)
        for link in links {
            #expect(String(testCase.body.unicodeScalars[link.range]) == link.url)
        }
    }

    @Test("rewrites every link and keeps the rest of the body")
    func rewritesLinks() {
        let body = "Sale! https://shop.example/p?a=1&b=2 and (https://en.wikipedia.org/wiki/Foo_(bar)). Bye"
        let links = LinkExtractor.extract(from: body)
        let rewritten = LinkExtractor.rewrite(body, links: links) { index, _ in "https://s.example/l/\(index)" }
        #expect(rewritten == "Sale! https://s.example/l/0 and (https://s.example/l/1). Bye")
    }

    @Test("rewrite passes each link's original URL to the replacement")
    func rewritePassesLinks() {
        let body = "a https://x.example/1, b https://y.example/2."
        let links = LinkExtractor.extract(from: body)
        let rewritten = LinkExtractor.rewrite(body, links: links) { _, link in "<\(link.url)>" }
        #expect(rewritten == "a <https://x.example/1>, b <https://y.example/2>.")
    }

    @Test("rewrite keeps emoji, combining marks and CRLF around links")
    func rewriteKeepsNonASCII() {
        let body = "😎https://x.example/a é\r\nè https://y.example/b\u{301}"
        let links = LinkExtractor.extract(from: body)
        #expect(links.map(\.url) == ["https://x.example/a", "https://y.example/b\u{301}"])
        let rewritten = LinkExtractor.rewrite(body, links: links) { index, _ in "L\(index)" }
        #expect(rewritten == "😎L0 é\r\nè L1")
    }

    @Test("rewrite uses the index in the given array, whatever its order")
    func rewriteWithReversedLinks() {
        let body = "1 https://a.example 2 https://b.example 3"
        let links = Array(LinkExtractor.extract(from: body).reversed())
        let rewritten = LinkExtractor.rewrite(body, links: links) { index, _ in "#\(index)" }
        #expect(rewritten == "1 #1 2 #0 3")
    }

    @Test("rewrite without links returns the body unchanged")
    func rewriteWithoutLinks() {
        let body = "Hello\r\nworld &amp; 😎"
        #expect(LinkExtractor.rewrite(body, links: []) { _, _ in "x" } == body)
    }

    @Test("rewrite skips a link overlapping an earlier one")
    func rewriteSkipsOverlap() {
        let body = "go https://a.example/path now"
        let link = LinkExtractor.extract(from: body)[0]
        let inner = body.range(of: "a.example")!
        let overlapping = ExtractedLink(url: "a.example", range: inner)
        let rewritten = LinkExtractor.rewrite(body, links: [link, overlapping]) { index, _ in "L\(index)" }
        #expect(rewritten == "go L0 now")
    }
}

@Suite("LinkExtractor: more awkward URLs")
struct LinkExtractorMoreTests {
    @Test("hosts, userinfo, ports and odd query characters are kept byte for byte", arguments: [
        ("v6 http://[2001:db8::1]:8080/a?x=1 ok", "http://[2001:db8::1]:8080/a?x=1"),
        ("https://user:pa%40ss@x.example/p", "https://user:pa%40ss@x.example/p"),
        ("https://x.example/a?q=1&q=2&r[]=3;s=4", "https://x.example/a?q=1&q=2&r[]=3;s=4"),
        ("https://x.example/a+b%2Bc?q=a+b", "https://x.example/a+b%2Bc?q=a+b"),
        ("https://x.example/#/route?x=1", "https://x.example/#/route?x=1"),
        ("Buy now!https://x.example/a", "https://x.example/a"),
        ("https://xn--kln-sna.example/ö?ü=ß", "https://xn--kln-sna.example/ö?ü=ß"),
        ("https://x.example/a'", "https://x.example/a"),
        ("https://x.example/a?q=\"x\"", "https://x.example/a?q="),
        ("https://x.example/a?!", "https://x.example/a"),
    ])
    func awkward(_ body: String, _ url: String) {
        #expect(LinkExtractor.extract(from: body).map(\.url) == [url])
    }

    @Test("property: rewriting random bodies keeps every non-link character and replaces each link once")
    func rewriteProperty() {
        let pieces = ["Hi ", "😎 ", "(", ")", ". ", "& ", "é", "\n", "https://a.example/p?x=1&y=2", "https://b.example/(z)", "x", "“", "”"]
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0...12)).map { _ in pieces.randomElement()! }.joined()
            let links = LinkExtractor.extract(from: body)
            let rewritten = LinkExtractor.rewrite(body, links: links) { i, _ in "<\(i)>" }
            // Brute force: put the links back by hand and compare with the original.
            var restored = rewritten
            for (i, link) in links.enumerated() {
                restored = restored.replacingOccurrences(of: "<\(i)>", with: link.url)
            }
            #expect(restored == body)
            #expect(links.count == (0..<links.count).filter { rewritten.contains("<\($0)>") }.count)
        }
    }
}
