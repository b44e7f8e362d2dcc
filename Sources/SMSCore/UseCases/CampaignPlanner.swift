import Foundation

/// Turns a published campaign and its audience into messages (`domain.md` §2): control-group
/// members held out, ineligible recipients recorded as dispatch errors with their reason, and every
/// other recipient's body rendered with one short link per (message, link).
public struct CampaignPlanner: Sendable {
    /// Public base URL of the short links, without a trailing slash (e.g. `https://sms.example.com`).
    public var linkBaseURL: String
    /// Short-link lifetime in **seconds** (default 30 days).
    public var linkLifetime: Int64

    public init(linkBaseURL: String, linkLifetime: Int64 = 30 * 86_400) {
        self.linkBaseURL = linkBaseURL.hasSuffix("/") ? String(linkBaseURL.dropLast()) : linkBaseURL
        self.linkLifetime = linkLifetime
    }

    /// Whether a user is in the campaign's control group: reproducible per (campaign, user).
    public static func isControl(campaignId: String, userId: String, percent: Double) -> Bool {
        percent > 0 && StableHash.percentile(campaignId, userId, "control") < percent
    }

    /// The short link for a code: `{linkBaseURL}/l/{code}`.
    public func shortURL(code: String) -> String { "\(linkBaseURL)/l/\(code)" }

    /// Plans the messages of `campaign` for `profiles` at `now` (epoch seconds).
    /// - Parameters:
    ///   - makeCode: a new unguessable short-link code (``ShortCode/generate()`` in production).
    ///   - makeMeta: a new unique `$$MessageID` token.
    public func plan(
        campaign: Campaign, profiles: [Profile], now: Int64, makeCode: () -> String = { ShortCode.generate() },
        makeMeta: () -> String = { "m" + ShortCode.generate() + ShortCode.generate() }
    ) -> [NewMessage] {
        let extracted = LinkExtractor.extract(from: campaign.body)
        return profiles.map { p in
            func message(_ dispatch: DispatchStatus, _ reason: DispatchErrorReason? = nil, body: String = "", links: [NewShortLink] = [])
                -> NewMessage
            {
                NewMessage(
                    campaignId: campaign.id, userId: p.userId, phone: p.phone, meta: makeMeta(), body: body,
                    segments: body.isEmpty ? 0 : SegmentCounter.count(body).segments, dispatch: dispatch,
                    dispatchErrorReason: reason?.description, createdAt: now, links: links)
            }
            if Self.isControl(campaignId: campaign.id, userId: p.userId, percent: campaign.controlGroupPercent) {
                return message(.control)
            }
            guard let phone = p.phone, !phone.isEmpty else { return message(.dispatchError, .noPhone) }
            guard p.phoneValid else { return message(.dispatchError, .invalidPhoneNumber) }
            if p.optedOut { return message(.dispatchError, .optedOut) }
            var links: [NewShortLink] = []
            let body = LinkExtractor.rewrite(campaign.body, links: extracted) { index, link in
                let code = makeCode()
                links.append(NewShortLink(code: code, linkIndex: index, url: link.url, expiresAt: now + linkLifetime))
                return shortURL(code: code)
            }
            return message(.queued, body: body, links: links)
        }
    }
}
