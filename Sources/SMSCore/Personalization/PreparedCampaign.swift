import Foundation

/// A campaign's bodies made ready to render: links found in the *template* text (so a profile value
/// can never add a tracked link), replaced by unguessable tokens, and each body compiled once.
///
/// Order of work per message (decision, `docs/DOMAIN.md` §2 "Links"): personalise the template → replace
/// each link token present in the result by that message's short link → count segments on that
/// final text. A link inside a section that the profile does not render gets no short link.
public struct PreparedCampaign: Sendable {
    /// The campaign's distinct link URLs, in order of first appearance over the variants; a short
    /// link's `linkIndex` points into this list.
    public let links: [String]
    /// Per variant (index = variant number).
    public let variants: [Variant]

    public struct Variant: Sendable {
        public let template: any CompiledMessageTemplate
        /// `tokens[i]` stands for campaign link `linkIndexes[i]` in the rendered text.
        let tokens: [String]
        let linkIndexes: [Int]
    }

    /// Field names used by any variant.
    public var referencedNames: Set<String> { variants.reduce(into: Set()) { $0.formUnion($1.template.referencedNames) } }

    /// The value tags outside every section of any variant (``CompiledMessageTemplate/topLevelValueNames``);
    /// `nil` when a variant's engine cannot tell.
    public var topLevelValueNames: Set<String>? {
        var all: Set<String> = []
        for variant in variants {
            guard let names = variant.template.topLevelValueNames else { return nil }
            all.formUnion(names)
        }
        return all
    }

    /// Prepares `bodies` (one per variant).
    /// - Returns: the prepared campaign and the problems found (sentences; empty when valid).
    ///   Problems: more than ``CampaignDraft/maxLinks`` links in a body, a link that holds a
    ///   template tag, a body that is not a valid template.
    public static func prepare(bodies: [String], engine: any MessageTemplateEngine, nonce: String = ShortCode.generate())
        -> (PreparedCampaign, [String])
    {
        var links: [String] = []
        var variants: [Variant] = []
        var problems: [String] = []
        for (n, body) in bodies.enumerated() {
            let label = bodies.count == 1 ? "body" : "variants[\(n)].body"
            var extracted: [ExtractedLink] = []
            for link in LinkExtractor.extract(from: body) {
                guard let opener = engine.tagOpener, let cut = link.url.range(of: opener) else {
                    extracted.append(link)
                    continue
                }
                // A URL ends where a tag begins: `https://x.example/a{{/vip}}` is the link
                // `https://x.example/a` followed by the end of a section. A value tag glued to a
                // URL (`…?u={{user_id}}`) would make a different link per recipient: refused.
                let tagStart = body.unicodeScalars.index(
                    link.range.lowerBound, offsetBy: link.url[..<cut.lowerBound].unicodeScalars.count)
                if !engine.isStructuralTag(body[tagStart...]) {
                    problems.append(
                        "\(label): link '\(link.url)' contains a template tag; links are the same for every recipient "
                            + "(put a space between a link and a tag)")
                }
                let prefix = String(body[link.range.lowerBound..<tagStart])
                if let trimmed = LinkExtractor.extract(from: prefix).first, trimmed.range.lowerBound == prefix.startIndex {
                    let end = body.unicodeScalars.index(link.range.lowerBound, offsetBy: trimmed.url.unicodeScalars.count)
                    extracted.append(ExtractedLink(url: trimmed.url, range: link.range.lowerBound..<end))
                }
            }
            if extracted.count > CampaignDraft.maxLinks {
                problems.append("\(label) has \(extracted.count) links; at most \(CampaignDraft.maxLinks) can be tracked")
            }
            var tokens: [String] = []
            var indexes: [Int] = []
            for link in extracted {
                let index: Int
                if let i = links.firstIndex(of: link.url) { index = i } else {
                    index = links.count
                    links.append(link.url)
                }
                indexes.append(index)
                tokens.append("\u{E000}\(nonce)#\(tokens.count)\u{E001}")
            }
            let text = LinkExtractor.rewrite(body, links: extracted) { i, _ in tokens[i] }
            do {
                variants.append(Variant(template: try engine.compile(text), tokens: tokens, linkIndexes: indexes))
            } catch {
                problems.append("\(label) is not a valid template: \(error)")
                variants.append(Variant(template: LiteralTemplateEngine.Literal(text: text), tokens: tokens, linkIndexes: indexes))
            }
        }
        return (PreparedCampaign(links: links, variants: variants), problems)
    }

    /// The final text of variant `variant` for `profile`, with one new short link per distinct link
    /// that the rendered text holds (`makeLink(linkIndex, url)` returns the short URL to put in its place and
    /// records it).
    /// - Throws: ``MessageRenderError`` when the text is over ``MessageSizeLimit`` (checked on the
    ///   final text, after the links are replaced) or its rendering over the work budget.
    public func render(
        variant: Int, profile: Profile, defaults: [String: String], makeLink: (_ linkIndex: Int, _ url: String) -> String
    ) throws(MessageRenderError) -> String {
        let v = variants[variant]
        var text = try v.template.render(profile: profile, defaults: defaults)
        var made: [Int: String] = [:]  // one short link per (message, link), even if the URL repeats
        for (token, index) in zip(v.tokens, v.linkIndexes) where text.contains(token) {
            let short = made[index] ?? makeLink(index, links[index])
            made[index] = short
            text = text.replacingOccurrences(of: token, with: short)
        }
        try MessageSizeLimit.check(text)
        return text
    }
}
