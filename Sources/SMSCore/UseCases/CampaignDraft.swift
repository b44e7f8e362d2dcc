import Foundation

/// A campaign as the API receives it, before validation.
public struct CampaignDraft: Sendable, Equatable, Codable {
    public var name: String
    public var providerId: String
    public var body: String
    public var audience: Audience
    public var timezone: String?
    public var goal: ConversionGoal?
    /// Percent 0–100 of the audience held out as a control group.
    public var controlGroupPercent: Double?

    public init(
        name: String, providerId: String, body: String, audience: Audience, timezone: String? = nil,
        goal: ConversionGoal? = nil, controlGroupPercent: Double? = nil
    ) {
        self.name = name
        self.providerId = providerId
        self.body = body
        self.audience = audience
        self.timezone = timezone
        self.goal = goal
        self.controlGroupPercent = controlGroupPercent
    }

    /// Maximum tracked links per body (`domain.md` §2).
    public static let maxLinks = 5

    /// Validates the draft and builds the campaign.
    /// - Throws: ``CampaignValidationError`` naming every problem found.
    public func validated(id: String, providerExists: Bool, now: Int64) throws(CampaignValidationError) -> Campaign {
        var problems: [String] = []
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("name is empty") }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("body is empty") }
        let links = LinkExtractor.extract(from: body)
        if links.count > Self.maxLinks {
            problems.append("body has \(links.count) links; at most \(Self.maxLinks) can be tracked")
        }
        if !providerExists { problems.append("unknown provider '\(providerId)'") }
        if case .userIds(let ids) = audience, ids.isEmpty { problems.append("audience is empty") }
        let tz = timezone ?? "UTC"
        if TimeZone(identifier: tz) == nil { problems.append("unknown time zone '\(tz)' (use an IANA name)") }
        if let goal {
            if goal.event.isEmpty { problems.append("goal.event is empty") }
            if goal.windowMinutes <= 0 { problems.append("goal.windowMinutes must be > 0") }
            problems += goal.filterProblems()
        }
        let control = controlGroupPercent ?? 0
        if !(0..<100).contains(control) { problems.append("controlGroupPercent must be in 0..<100") }
        guard problems.isEmpty else { throw CampaignValidationError(problems: problems) }
        return Campaign(
            id: id, name: name, providerId: providerId, body: body, links: links.map(\.url), audience: audience,
            timezone: tz, goal: goal, controlGroupPercent: control, status: .draft, createdAt: now)
    }
}

/// Why a campaign draft was refused; `problems` are human-readable sentences.
public struct CampaignValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "invalid campaign: " + problems.joined(separator: "; ") }
}
