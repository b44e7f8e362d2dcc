import Foundation

/// Lifecycle of a campaign: draft → (scheduled →) sending → completed; stop ends any of the first
/// three in `stopped`.
public enum CampaignStatus: String, Sendable, Codable, CaseIterable {
    /// `paused`: taken out of dispatch after repeated dead letters (``DeadLetterPolicy``), with
    /// ``Campaign/pausedReason``; `POST /api/v1/campaigns/{id}/resume` makes it `sending` again.
    case draft, scheduled, sending, paused, completed, stopped
}

/// Who a campaign targets.
public enum Audience: Sendable, Equatable, Codable {
    case userIds([String])
    case all
    /// The profiles a saved ``AudienceSegment`` matches when the campaign is published (the
    /// audience is frozen then: the recipients are the messages recorded at publish).
    case segment(Int64)

    enum CodingKeys: String, CodingKey, CaseIterable { case userIds, all, segmentId }

    /// The shapes an audience takes, as the API's messages name them.
    public static let shapes = #"{"userIds":["u1",…]}, {"all":true} or {"segmentId":N} (N from 1 to 9223372036854775807)"#

    /// Exactly one selector (issue 15): `userIds` (an array of strings), `all` (`true`) or
    /// `segmentId` (an integer from 1). Two selectors (`{"segmentId":1,"all":true}`, a `null` one
    /// counts as given), none,
    /// `"all":false` or a `segmentId` that is no such integer (`1.5`, 20 digits, `0`) is a
    /// `DecodingError.dataCorrupted` at `audience` naming the shapes; an unknown key is refused by
    /// the strict decoder (``JSONBody/decode(_:)``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func refuse(_ why: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be one of \(Self.shapes)\(why)"))
        }
        let given = CodingKeys.allCases.filter { c.contains($0) }
        guard given.count == 1, let key = given.first else {
            throw refuse(given.isEmpty ? " (got none)" : " (got \(given.map(\.rawValue).joined(separator: " and ")))")
        }
        switch key {
        case .userIds: self = .userIds(try c.decode([String].self, forKey: .userIds))
        case .all:
            guard try c.decode(Bool.self, forKey: .all) else { throw refuse(" (got all:false)") }
            self = .all
        case .segmentId:
            let id: Int64
            do {
                id = try c.decode(Int64.self, forKey: .segmentId)
            } catch DecodingError.dataCorrupted(let context) {
                // The decoder's own "(got …)": the number as written when its `Double` would not echo it.
                // (`try?`: the free-form reading refuses a literal a double does not hold, which is this case.)
                let shown = (try? c.decode(JSONValue.self, forKey: .segmentId)).map(Self.shown) ?? "?"
                let got = context.debugDescription.range(of: " (got ").map { String(context.debugDescription[$0.lowerBound...]) }
                    ?? " (got \(shown))"
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [key], debugDescription: "must be a segment id, a whole number from 1 to \(Int64.max)" + got))
            } catch DecodingError.typeMismatch(_, let context) {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [key], debugDescription: "must be a segment id, a whole number from 1 to \(Int64.max)"
                        + " (got \(context.debugDescription.hasPrefix("found ") ? String(context.debugDescription.dropFirst(6)) : "another type"))"))
            }
            guard id >= 1 else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [key], debugDescription: "must be a segment id, a whole number from 1 to \(Int64.max) (got \(id))"))
            }
            self = .segment(id)
        }
    }

    private static func shown(_ value: JSONValue) -> String {
        if case .number(let d) = value { return "\(d)" }
        return value.stringValue ?? "?"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .userIds(let ids): try c.encode(ids, forKey: .userIds)
        case .all: try c.encode(true, forKey: .all)
        case .segment(let id): try c.encode(id, forKey: .segmentId)
        }
    }
}

/// A campaign (`docs/DOMAIN.md` §1). `links` are the http(s) URLs of `body`, in order, byte for byte.
/// `controlGroupPercent` is 0–100. Times are epoch seconds.
public struct Campaign: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var providerId: String
    public var body: String
    public var links: [String]
    public var audience: Audience
    /// IANA time zone of the campaign (trend days, weeks, months).
    public var timezone: String
    public var goal: ConversionGoal?
    public var controlGroupPercent: Double
    public var status: CampaignStatus
    public var createdAt: Int64
    public var publishedAt: Int64?
    /// A/B variants (2…5, percentages adding up to 100); `nil` = one body, variant 0.
    public var variants: [CampaignVariant]?
    /// Personalisation defaults: template name (as written, e.g. `first_name`, `properties.city`) →
    /// text used when a profile lacks the field (missing, null or empty).
    public var defaults: [String: String]?
    /// When a scheduled campaign is sent, epoch seconds (absolute).
    public var sendAt: Int64?
    /// Custom `$$Name` values of the provider template (`docs/DOMAIN.md` §2).
    public var customValues: [String: String]?
    /// The provider-side template id (`$$TemplateID`, e.g. an Indian DLT template).
    public var templateId: String?
    /// When the campaign was stopped, epoch seconds.
    public var stoppedAt: Int64?
    /// When it completed (nothing left to send), epoch seconds; `nil` for campaigns completed
    /// before this was recorded.
    public var completedAt: Int64?
    /// Why the campaign is `paused` (``DeadLetterPolicy``); `nil` otherwise.
    public var pausedReason: String?
    /// When it was paused, epoch seconds.
    public var pausedAt: Int64?
    /// When it was archived (``archived(at:)``: hidden from the default list, stats kept), epoch
    /// seconds; `nil` = not archived.
    public var archivedAt: Int64?
    /// When its raw history (receipts, clicks, replies, conversion events, message texts) was
    /// purged under the retention policy, epoch seconds; `nil` = kept. Its stats (rollups) stay.
    public var rawPurgedAt: Int64?

    /// The bodies to send: the variants' bodies, or `[body]`.
    public var variantBodies: [String] { variants?.map(\.body) ?? [body] }

    public init(
        id: String, name: String, providerId: String, body: String, links: [String], audience: Audience,
        timezone: String, goal: ConversionGoal?, controlGroupPercent: Double = 0,
        status: CampaignStatus = .draft, createdAt: Int64, publishedAt: Int64? = nil,
        variants: [CampaignVariant]? = nil, defaults: [String: String]? = nil, sendAt: Int64? = nil,
        customValues: [String: String]? = nil, templateId: String? = nil
    ) {
        self.id = id
        self.name = name
        self.providerId = providerId
        self.body = body
        self.links = links
        self.audience = audience
        self.timezone = timezone
        self.goal = goal
        self.controlGroupPercent = controlGroupPercent
        self.status = status
        self.createdAt = createdAt
        self.publishedAt = publishedAt
        self.variants = variants
        self.defaults = defaults
        self.sendAt = sendAt
        self.customValues = customValues
        self.templateId = templateId
    }
}

/// One A/B variant: its body and the percent (0–100) of recipients who get it.
public struct CampaignVariant: Sendable, Equatable, Codable {
    public var body: String
    public var percent: Double
    public init(body: String, percent: Double) {
        self.body = body
        self.percent = percent
    }

    enum CodingKeys: String, CodingKey { case body, percent }

    /// - Throws: ``InputRangeError`` when `percent` is outside ``InputLimits/variantPercent``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        body = try c.decode(String.self, forKey: .body)
        percent = try c.decode(.percent, in: InputLimits.variantPercent)
    }
}
