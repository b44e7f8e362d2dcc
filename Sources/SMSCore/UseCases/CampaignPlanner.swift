import Foundation

/// Turns a published campaign and its audience into messages (`docs/DOMAIN.md` §2): control-group
/// members held out, ineligible recipients recorded as dispatch errors with their reason, and every
/// other recipient's body personalised (``MessageTemplateEngine``) with one short link per
/// (message, link), its A/B variant drawn reproducibly, and its segments counted on the final text.
///
/// Eligibility checked here (plan time): phone present, phone valid E.164, not opted out. The
/// frequency cap is checked at **send time** by the store's claim (``SMSDispatchStore``), because
/// the rolling 24 h window must be measured against real send times, across campaigns that send
/// at the same time or were planned long before.
public struct CampaignPlanner: Sendable {
    /// Public base URL of the short links, without a trailing slash (e.g. `https://sms.example.com`).
    public var linkBaseURL: String
    /// Short-link lifetime in **seconds** (default 30 days).
    public var linkLifetime: Int64
    /// The personalisation engine (Mustache in production).
    public var engine: any MessageTemplateEngine

    public init(
        linkBaseURL: String, linkLifetime: Int64 = 30 * 86_400, engine: any MessageTemplateEngine = LiteralTemplateEngine()
    ) {
        self.linkBaseURL = linkBaseURL.hasSuffix("/") ? String(linkBaseURL.dropLast()) : linkBaseURL
        self.linkLifetime = linkLifetime
        self.engine = engine
    }

    /// Whether a user is in the campaign's control group: reproducible per (campaign, user).
    public static func isControl(campaignId: String, userId: String, percent: Double) -> Bool {
        percent > 0 && StableHash.percentile(campaignId, userId, "control") < percent
    }

    /// The variant (0-based) a user gets: the first `i` with
    /// `StableHash.percentile(campaignId, userId, "variant") < percents[0] + … + percents[i]`
    /// (the last variant when rounding leaves a gap). One variant (or none) → 0.
    public static func variant(campaignId: String, userId: String, percents: [Double]) -> Int {
        guard percents.count > 1 else { return 0 }
        let p = StableHash.percentile(campaignId, userId, "variant")
        var cumulative = 0.0
        for (i, percent) in percents.enumerated() {
            cumulative += percent
            if p < cumulative { return i }
        }
        return percents.count - 1
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
        let (prepared, _) = PreparedCampaign.prepare(bodies: campaign.variantBodies, engine: engine)
        let percents = campaign.variants?.map(\.percent) ?? [100]
        let defaults = campaign.defaults ?? [:]
        let names = prepared.referencedNames.sorted()
        return profiles.map { p in
            let variant = Self.variant(campaignId: campaign.id, userId: p.userId, percents: percents)
            func message(
                _ dispatch: DispatchStatus, _ reason: DispatchErrorReason? = nil, body: String = "",
                links: [NewShortLink] = [], variables: String? = nil
            ) -> NewMessage {
                NewMessage(
                    campaignId: campaign.id, userId: p.userId, phone: p.phone, meta: makeMeta(), body: body,
                    segments: body.isEmpty ? 0 : SegmentCounter.count(body).segments, variant: variant, dispatch: dispatch,
                    dispatchErrorReason: reason?.description, createdAt: now, links: links, templateVariables: variables)
            }
            if Self.isControl(campaignId: campaign.id, userId: p.userId, percent: campaign.controlGroupPercent) {
                return message(.control)
            }
            guard let phone = p.phone, !phone.isEmpty else { return message(.dispatchError, .noPhone) }
            guard p.phoneValid else { return message(.dispatchError, .invalidPhoneNumber) }
            if p.optedOut { return message(.dispatchError, .optedOut) }
            var links: [NewShortLink] = []
            let body: String
            do throws(MessageRenderError) {
                body = try prepared.render(variant: variant, profile: p, defaults: defaults) { index, url in
                    let code = makeCode()
                    links.append(NewShortLink(code: code, linkIndex: index, url: url, expiresAt: now + linkLifetime))
                    return shortURL(code: code)
                }
            } catch {
                // Over the size cap (docs/DOMAIN.md §2 "Message size"): this recipient's message is a
                // dispatch error with the reason; the campaign's other messages go on.
                return message(.dispatchError, .messageTooLong(error))
            }
            // Nothing to send (every section rendered nothing for this profile): a dispatch error, never an empty SMS.
            if body.isEmpty { return message(.dispatchError, .messageEmpty) }
            return message(.queued, body: body, links: links, variables: Self.templateVariables(names, profile: p, defaults: defaults))
        }
    }

    /// The `$$TemplateVariables` value of a message: a JSON object of the field names the body uses
    /// → their text for this profile (defaults applied), keys sorted; `nil` when the body uses none.
    public static func templateVariables(_ names: [String], profile: Profile, defaults: [String: String]) -> String? {
        guard !names.isEmpty else { return nil }
        var object: [String: String] = [:]
        for name in names where name != "." && name != "properties" {
            object[name] = ProfileFields.text(name, profile: profile, defaults: defaults)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) }
    }
}
