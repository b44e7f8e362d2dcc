import Foundation

/// A campaign as the API receives it, before validation.
///
/// JSON: `name`, `providerId`, `body` (or `variants: [{body, percent}]`), `audience`
/// (`{"userIds": [...]}` or `{"all": true}`), optional `timezone` (IANA, default UTC), `goal`,
/// `controlGroupPercent` (0–100), `defaults` (personalisation defaults, field name → text),
/// `sendAt` (see ``SendTime``), `customValues` (`$$Name` → value), `templateId`.
public struct CampaignDraft: Sendable, Equatable, Codable {
    public var name: String
    public var providerId: String
    public var body: String
    public var audience: Audience
    public var timezone: String?
    public var goal: ConversionGoal?
    /// Percent 0–100 of the audience held out as a control group.
    public var controlGroupPercent: Double?
    /// A/B variants: 1…5 bodies whose percents add up to 100 (instead of `body`).
    public var variants: [CampaignVariant]?
    public var defaults: [String: String]?
    public var sendAt: SendTimeInput?
    public var customValues: [String: String]?
    public var templateId: String?

    public init(
        name: String, providerId: String, body: String, audience: Audience, timezone: String? = nil,
        goal: ConversionGoal? = nil, controlGroupPercent: Double? = nil, variants: [CampaignVariant]? = nil,
        defaults: [String: String]? = nil, sendAt: SendTimeInput? = nil, customValues: [String: String]? = nil,
        templateId: String? = nil
    ) {
        self.name = name
        self.providerId = providerId
        self.body = body
        self.audience = audience
        self.timezone = timezone
        self.goal = goal
        self.controlGroupPercent = controlGroupPercent
        self.variants = variants
        self.defaults = defaults
        self.sendAt = sendAt
        self.customValues = customValues
        self.templateId = templateId
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, providerId, body, audience, timezone, goal, controlGroupPercent, variants, defaults, sendAt,
            customValues, templateId
    }

    /// The JSON fields of a draft (what a creation takes and a PATCH of a draft may set).
    public static let fieldNames = Set(CodingKeys.allCases.map(\.rawValue))

    /// `body` may be absent when `variants` is given. Numbers are range-checked here (``InputLimits``).
    /// - Throws: `DecodingError` for a missing or ill-typed field; ``InputRangeError`` naming a
    ///   number outside its range (`variants[0].percent`, `goal.windowMinutes`, `sendAt`…).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        providerId = try c.decode(String.self, forKey: .providerId)
        variants = try c.decodeIfPresent([CampaignVariant].self, forKey: .variants)
        body = try variants == nil ? c.decode(String.self, forKey: .body) : (c.decodeIfPresent(String.self, forKey: .body) ?? "")
        audience = try c.decode(Audience.self, forKey: .audience)
        timezone = try c.decodeIfPresent(String.self, forKey: .timezone)
        goal = try c.decodeIfPresent(ConversionGoal.self, forKey: .goal)
        controlGroupPercent = try c.decodeIfPresent(.controlGroupPercent, in: InputLimits.controlGroupPercent)
        defaults = try c.decodeIfPresent([String: String].self, forKey: .defaults)
        sendAt = try c.decodeIfPresent(SendTimeInput.self, forKey: .sendAt)
        customValues = try c.decodeIfPresent([String: String].self, forKey: .customValues)
        templateId = try c.decodeIfPresent(String.self, forKey: .templateId)
    }

    /// Maximum tracked links per body (`docs/DOMAIN.md` §2).
    public static let maxLinks = 5
    /// Maximum A/B variants per campaign.
    public static let maxVariants = 5

    /// What validation needs to know besides the draft.
    public struct Context: Sendable {
        public var providerExists: Bool
        public var now: Int64
        /// The personalisation engine the bodies are compiled with.
        public var engine: any MessageTemplateEngine
        /// The property key paths through objects present in at least one profile (`city`,
        /// `address`, `address.zip`; ``SMSDispatchStore/profilePropertyPaths()``); `nil` skips the
        /// placeholder check.
        public var propertyKeys: Set<String>?
        /// Profiles the audience reaches (existing profiles among `userIds`, or all profiles); `nil`
        /// skips the empty-audience check beyond an empty `userIds` list.
        public var audienceSize: Int?
        /// Profiles of the audience to render each body for (besides a profile without fields):
        /// a body over ``MessageSizeLimit`` for one of them is refused (`docs/DOMAIN.md §2 "Message size"`).
        public var sampleProfiles: [Profile]
        /// The draft's `timezone` is the one stored with the campaign a PATCH edits, which the
        /// PATCH does not set: taken as stored, not judged (a legacy `GMT+0530` has no IANA name
        /// new input could give; `docs/DOMAIN.md` §1 "Campaign"). A PATCH that sets `timezone`
        /// has it judged like a creation's.
        public var keepsStoredZone: Bool

        public init(
            providerExists: Bool, now: Int64, engine: any MessageTemplateEngine = LiteralTemplateEngine(),
            propertyKeys: Set<String>? = nil, audienceSize: Int? = nil, sampleProfiles: [Profile] = [], keepsStoredZone: Bool = false
        ) {
            self.providerExists = providerExists
            self.now = now
            self.engine = engine
            self.propertyKeys = propertyKeys
            self.audienceSize = audienceSize
            self.sampleProfiles = sampleProfiles
            self.keepsStoredZone = keepsStoredZone
        }
    }

    /// Validates the draft and builds the campaign (without personalisation checks).
    /// - Throws: ``CampaignValidationError`` naming every problem found.
    public func validated(id: String, providerExists: Bool, now: Int64) throws(CampaignValidationError) -> Campaign {
        try validated(id: id, context: Context(providerExists: providerExists, now: now))
    }

    /// Validates the draft and builds the campaign: status `scheduled` when `sendAt` is given, else
    /// `draft`.
    /// - Throws: ``CampaignValidationError`` naming every problem found (all of them, in a fixed order).
    public func validated(id: String, context: Context) throws(CampaignValidationError) -> Campaign {
        var problems: [String] = []
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("name is empty") }
        if let p = TextInput.lengthProblem(name, field: "name", limit: InputLimits.nameLength) { problems.append(p) }
        let bodies: [String]
        if let variants {
            if !body.isEmpty { problems.append("give either body or variants, not both") }
            if !(1...Self.maxVariants).contains(variants.count) {
                problems.append("variants must hold 1 to \(Self.maxVariants) bodies, got \(variants.count)")
            }
            for (i, v) in variants.enumerated() {
                if v.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("variants[\(i)].body is empty") }
                if !InputLimits.variantPercent.contains(v.percent) {
                    problems.append(InputLimits.variantPercent.problem(field: "variants[\(i)].percent", got: v.percent))
                }
            }
            // The sum is only meaningful (and finite) when every percent is in its range.
            if !variants.isEmpty, variants.allSatisfy({ InputLimits.variantPercent.contains($0.percent) }) {
                let sum = variants.reduce(0) { $0 + $1.percent }
                if abs(sum - 100) > 1e-9 { problems.append("variant percents add up to \(InputRange.format(sum)), not 100") }
            }
            bodies = variants.map(\.body)
        } else {
            if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("body is empty") }
            bodies = [body]
        }
        let (prepared, bodyProblems) = PreparedCampaign.prepare(bodies: bodies, engine: context.engine)
        problems += bodyProblems
        let defaults = self.defaults ?? [:]
        if bodyProblems.isEmpty { problems += Self.sizeProblems(prepared, bodies: bodies.count, defaults: defaults, samples: context.sampleProfiles) }
        if let paths = context.propertyKeys {
            let topLevel = prepared.topLevelValueNames
            for name in prepared.referencedNames.sorted() {
                // A value tag outside sections: its whole path must exist in some profile; inside a
                // section, its first key (``ProfileFields``).
                let known = topLevel?.contains(name) == true
                    ? ProfileFields.isResolvable(name, propertyPaths: paths, defaults: defaults)
                    : ProfileFields.isKnown(name, propertyKeys: paths, defaults: defaults)
                if !known {
                    problems.append(
                        "unknown template placeholder '\(InputEcho.text(name))': no profile has that field and defaults has no value for it")
                }
            }
        }
        if !context.providerExists { problems.append("unknown provider '\(InputEcho.text(providerId))'") }
        if case .userIds(let ids) = audience, ids.isEmpty {
            problems.append(audience.emptyProblem)
        } else if context.audienceSize == 0 {
            problems.append(audience.emptyProblem)
        }
        let tz = timezone ?? "UTC"
        // A zone the PATCH leaves alone is not judged (``Context/keepsStoredZone``).
        let zoneUsable = context.keepsStoredZone || IANAZone.named(tz) != nil
        if !zoneUsable { problems.append("unknown time zone '\(InputEcho.text(tz))' (use an IANA name)") }
        if let goal {
            if goal.event.isEmpty { problems.append("goal.event is empty") }
            if !InputLimits.goalWindowMinutes.contains(Int64(goal.windowMinutes)) {
                problems.append(InputLimits.goalWindowMinutes.problem(field: "goal.windowMinutes", got: Double(goal.windowMinutes)))
            }
            problems += goal.filterProblems()
        }
        let control = controlGroupPercent ?? 0
        if !InputLimits.controlGroupPercent.contains(control) {
            problems.append(InputLimits.controlGroupPercent.problem(field: "controlGroupPercent", got: control))
        }
        for key in (customValues ?? [:]).keys.sorted() {
            if ProviderTemplate.standardPlaceholders.contains(key) {
                problems.append("customValues.\(key) is a standard placeholder and cannot be set")
            } else if key.range(of: "^[A-Za-z][A-Za-z0-9_]*$", options: .regularExpression) == nil {
                problems.append("customValues key '\(InputEcho.text(key))' must match [A-Za-z][A-Za-z0-9_]*")
            }
        }
        var sendAtEpoch: Int64?
        if let sendAt, zoneUsable {
            do throws(SendTimeError) {
                let t = try SendTime.resolve(sendAt, timeZone: tz)
                if t < context.now - 60 { problems.append("sendAt is in the past (\(t) < now \(context.now))") }
                sendAtEpoch = t
            } catch {
                problems.append(error.description)
            }
        }
        guard problems.isEmpty else { throw CampaignValidationError(problems: problems) }
        return Campaign(
            id: id, name: name, providerId: providerId, body: variants == nil ? body : "", links: prepared.links,
            audience: audience, timezone: tz, goal: goal, controlGroupPercent: control,
            status: sendAtEpoch == nil ? .draft : .scheduled, createdAt: context.now, variants: variants,
            defaults: defaults.isEmpty ? nil : defaults, sendAt: sendAtEpoch, customValues: customValues,
            templateId: templateId)
    }
}

extension CampaignDraft {
    /// Each body rendered for a profile without fields (its text and defaults) and for each sample
    /// profile, links left as written: one problem per body that is over ``MessageSizeLimit``
    /// (`body: message too long: 300 segments (45900 GSM-7 septets); at most 255 segments (…)`).
    static func sizeProblems(_ prepared: PreparedCampaign, bodies: Int, defaults: [String: String], samples: [Profile]) -> [String] {
        let empty = Profile(userId: "", phone: nil, phoneValid: false)
        var problems: [String] = []
        for variant in prepared.variants.indices {
            let label = bodies == 1 ? "body" : "variants[\(variant)].body"
            for profile in [empty] + samples {
                do throws(MessageRenderError) {
                    _ = try prepared.render(variant: variant, profile: profile, defaults: defaults) { _, url in url }
                } catch {
                    let whose = profile.userId.isEmpty ? "" : " for user '\(profile.userId)'"
                    problems.append("\(label)\(whose): \(error)")
                    break
                }
            }
        }
        return problems
    }
}

/// Why a campaign draft was refused; `problems` are human-readable sentences.
public struct CampaignValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String { "invalid campaign: " + problems.joined(separator: "; ") }
}
