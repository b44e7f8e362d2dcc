import Foundation
import Hummingbird
import SMSCore

/// Validates a campaign draft against the store (provider, audience, profile fields, provider
/// placeholders) before anything is written: a refused draft leaves no row behind.
struct CampaignCreation {
    let store: any SMSDispatchStore
    let engine: any MessageTemplateEngine

    /// - Parameters:
    ///   - id: the campaign's id (a PATCH keeps it); `nil` = a new one.
    ///   - keepingStoredZone: a PATCH that does not set `timezone`: the stored zone is not judged
    ///     (``CampaignDraft/Context/keepsStoredZone``).
    /// - Returns: the campaign to insert (`draft`, or `scheduled` with `sendAt`).
    /// - Throws: `HTTPError(.badRequest)` naming every problem.
    func validate(_ draft: CampaignDraft, id: String? = nil, keepingStoredZone: Bool = false) async throws -> Campaign {
        let (campaign, problems) = try await check(draft, id: id, keepingStoredZone: keepingStoredZone)
        guard problems.isEmpty, let campaign else {
            throw HTTPError(.badRequest, message: CampaignValidationError(problems: problems).description)
        }
        return campaign
    }

    /// The campaign, or every problem (the API and the dashboard form share these rules).
    /// - Throws: only storage errors.
    func check(_ draft: CampaignDraft, id: String? = nil, keepingStoredZone: Bool = false) async throws -> (campaign: Campaign?, problems: [String]) {
        let provider = try await store.provider(id: draft.providerId)
        // The audience's first named profile is rendered as a sample (docs/DOMAIN.md §2 "Message size");
        // an audience of all profiles is checked with a profile without fields only.
        var samples: [Profile] = []
        if case .userIds(let ids) = draft.audience, let first = ids.first, let profile = try await store.profile(userId: first) {
            samples.append(profile)
        }
        let context = CampaignDraft.Context(
            providerExists: provider != nil, now: Int64(Date().timeIntervalSince1970), engine: engine,
            propertyKeys: try await store.profilePropertyPaths(), audienceSize: try await store.audienceSize(draft.audience),
            sampleProfiles: samples, keepsStoredZone: keepingStoredZone)
        var campaign: Campaign?
        var problems: [String] = []
        do {
            campaign = try draft.validated(id: id ?? Self.newId(), context: context)
        } catch {
            problems = error.problems
        }
        if let provider { problems += Self.providerPlaceholderProblems(provider: provider, draft: draft) }
        return (problems.isEmpty ? campaign : nil, problems)
    }

    /// What the campaign will send badly without being wrong (issue 16): a text that needs UCS-2
    /// to a provider not told the encoding (``EncodingPlaceholders/warning(texts:provider:)``).
    /// Shown by the API (`warnings` of the creation's answer) and the dashboard's form; the campaign
    /// is created all the same.
    static func warnings(texts: [String], provider: ProviderConfig?) -> [String] {
        guard let provider else { return [] }
        return EncodingPlaceholders.warning(texts: texts, provider: provider).map { [$0] } ?? []
    }

    /// The cost warnings of a campaign's bodies (issue 18, ``EncodingCostWarning``), each on the
    /// body as sent (``MessagePreview``: links replaced by short links of `linkBaseURL`), named
    /// `variants[i].body` when there are variants. Shown by the API (`warnings` of the creation's
    /// answer) and the dashboard form's preview.
    static func costWarnings(bodies: [String], variants: Bool, linkBaseURL: String) -> [String] {
        bodies.enumerated().compactMap { i, body in
            MessagePreview(body: body, linkBaseURL: linkBaseURL).costWarning?.message(field: variants ? "variants[\(i)].body" : nil)
        }
    }

    /// A new campaign id: `cmp_` and 10 base62 characters.
    static func newId() -> String { "cmp_" + ShortCode.generate() }

    /// Custom `$$Name` placeholders of the provider's template and URL need a campaign value;
    /// `$$TemplateID` needs `templateId`.
    static func providerPlaceholderProblems(provider: ProviderConfig, draft: CampaignDraft) -> [String] {
        let used = ProviderTemplate.placeholders(in: provider.url + " " + provider.bodyTemplate)
        var problems: [String] = []
        for name in used {
            if name == "TemplateID" {
                if (draft.templateId ?? "").isEmpty {
                    problems.append("provider '\(provider.id)' sends $$TemplateID: templateId is required")
                }
            } else if !ProviderTemplate.standardPlaceholders.contains(name), provider.secrets?[name] == nil, draft.customValues?[name] == nil {
                problems.append("provider '\(provider.id)' sends $$\(name): customValues.\(name) is required")
            }
        }
        return problems
    }
}
