import Foundation

/// What an operator may do to a campaign besides sending it (issue 15, `docs/DOMAIN.md` §1
/// "Campaign"): edit or delete a draft, duplicate any campaign, archive a finished one, take a
/// scheduled one back to draft. Both stores read the campaign (its row locked), call one of these,
/// and write what it returns.
extension Campaign {
    /// Finished: nothing of it will be sent any more — `completed` or `stopped`. (`paused` may
    /// still be resumed, so it is not finished.) Archiving and retention apply to finished campaigns.
    public var isFinished: Bool { status == .completed || status == .stopped }

    /// This draft with the definition of `edited` (a campaign validated from the merged PATCH body
    /// like a creation): the id and creation time are kept; the status is `edited`'s (`scheduled`
    /// when the PATCH gave `sendAt`, else `draft`).
    /// - Parameter hasMessages: whether messages exist already (a publish that was interrupted).
    /// - Throws: ``CampaignTransitionError`` unless it is a draft without messages.
    public func edited(to edited: Campaign, hasMessages: Bool) throws -> Campaign {
        try requireDraft(hasMessages: hasMessages, action: "edited")
        var c = edited
        c.id = id
        c.createdAt = createdAt
        return c
    }

    /// Checks that the campaign may be deleted: a draft without messages.
    /// - Throws: ``CampaignTransitionError`` otherwise.
    public func checkDeletable(hasMessages: Bool) throws {
        try requireDraft(hasMessages: hasMessages, action: "deleted")
    }

    /// A new draft with this campaign's definition (bodies, audience, provider, goal, control group,
    /// defaults, custom values, template id, time zone) under `id`, created at `now`, named
    /// `"<name> (copy)"`; no schedule, no lifecycle times.
    public func duplicated(id newId: String, now: Int64) -> Campaign {
        Campaign(
            id: newId, name: name + " (copy)", providerId: providerId, body: body, links: links, audience: audience,
            timezone: IANAZone.canonical(timezone), goal: goal, controlGroupPercent: controlGroupPercent, status: .draft, createdAt: now,
            variants: variants, defaults: defaults, customValues: customValues, templateId: templateId)
    }

    /// The campaign archived at `now` (epoch seconds); archiving an archived campaign keeps its time.
    /// - Throws: ``CampaignTransitionError`` unless it is finished (``isFinished``).
    public func archived(at now: Int64) throws -> Campaign {
        guard isFinished else { throw CampaignTransitionError(status: status, action: "archived (only a completed or stopped campaign can)") }
        var c = self
        c.archivedAt = archivedAt ?? now
        return c
    }

    /// The scheduled campaign back to draft, its `sendAt` cleared.
    /// - Throws: ``CampaignTransitionError`` unless it is scheduled (a campaign already sending was
    ///   published: stop it instead).
    public func unscheduled() throws -> Campaign {
        guard status == .scheduled else { throw CampaignTransitionError(status: status, action: "unscheduled (only a scheduled campaign can)") }
        var c = self
        c.status = .draft
        c.sendAt = nil
        return c
    }

    private func requireDraft(hasMessages: Bool, action: String) throws {
        guard status == .draft else { throw CampaignTransitionError(status: status, action: "\(action) (only a draft can)") }
        guard !hasMessages else {
            throw CampaignTransitionError(
                status: status, action: "\(action): a publish of it was interrupted and its messages exist (publish it again, or stop it)")
        }
    }
}

extension CampaignDraft {
    /// The draft that creates `campaign`'s definition again (a PATCH merges its fields into this).
    /// `sendAt` is left out: a PATCH that schedules gives it. A legacy stored zone (`GMT+14`) is
    /// taken in its IANA form (``IANAZone/canonical(_:)``), so a PATCH that leaves the zone alone passes.
    public init(_ campaign: Campaign) {
        self.init(
            name: campaign.name, providerId: campaign.providerId, body: campaign.variants == nil ? campaign.body : "",
            audience: campaign.audience, timezone: IANAZone.canonical(campaign.timezone), goal: campaign.goal,
            controlGroupPercent: campaign.controlGroupPercent, variants: campaign.variants, defaults: campaign.defaults,
            customValues: campaign.customValues, templateId: campaign.templateId)
    }
}
