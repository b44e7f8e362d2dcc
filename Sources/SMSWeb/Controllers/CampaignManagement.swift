import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// What an operator may do to a campaign besides sending it, for the API
/// (``CampaignManagementController``) and the dashboard's buttons alike: edit or delete a draft,
/// duplicate any campaign, archive a finished one, take a scheduled one back to draft. The rules
/// are the campaign's (`Campaign+Management` in SMSCore); the store applies them with the row
/// locked. Edit, delete and unschedule hold the campaign's publish lock
/// (``Dispatcher/whileNotPublishing(campaignId:_:)``), which the scheduler takes on every node
/// before it publishes: a campaign is never changed while it is being published, and a publish
/// that comes after sees the change (the scheduler publishes only what is still scheduled and due).
///
/// Errors: 404 `unknown campaign '<id>'`; 409 naming the campaign's status (`campaign is sending;
/// it cannot be edited (only a draft can)`) or a publish under way; 400 naming a field.
struct CampaignManagement {
    let store: any SMSDispatchStore
    let dispatcher: Dispatcher

    /// `PATCH`: the draft with `patch` merged in (``MergePatch``) and validated exactly like a
    /// creation (``CampaignCreation``); a 400 changes nothing. Giving `sendAt` schedules it, as a
    /// creation would. With `precondition` (`If-Match`), a campaign whose ``EntityTag/campaign(_:)``
    /// it does not name is a 412, checked on the row read and again on the row locked for the
    /// write (a change made meanwhile by another request is a 412 too).
    func edit(id: String, patch: ByteBuffer, precondition: EntityTag? = nil) async throws -> Campaign {
        let store = store
        let creation = CampaignCreation(store: store, engine: dispatcher.planner.engine)
        return try await mapped(id) {
            try await dispatcher.whileNotPublishing(campaignId: id) {
                guard let current = try await store.campaign(id: id) else { throw StoreError.notFound("campaign \(id)") }
                try Self.check(precondition, current)
                guard current.status == .draft else { throw CampaignTransitionError(status: current.status, action: "edited (only a draft can)") }
                let draft = try MergePatch.merged(
                    CampaignDraft(current), patch: patch, fields: CampaignDraft.fieldNames, as: CampaignDraft.self, what: "campaign")
                // A PATCH that leaves `timezone` alone keeps the stored zone unjudged (a legacy
                // GMT+0530 has no IANA name); one that sets it has the new one judged.
                let setsZone = Self.gives("timezone", patch)
                let validated = try await creation.validate(draft, id: id, keepingStoredZone: !setsZone)
                return try await store.changeCampaign(id: id) { c, hasMessages in
                    try Self.check(precondition, c)
                    return try c.edited(to: validated, hasMessages: hasMessages)
                }
            }
        }
    }

    /// Whether a PATCH body (a JSON object, already read by ``MergePatch``) has the member `key`,
    /// `null` included.
    static func gives(_ key: String, _ patch: ByteBuffer) -> Bool {
        guard let body = try? JSONBody.read(Data(buffer: patch)), case .object(let members) = body.value else { return false }
        return members[key] != nil
    }

    /// A campaign that an `If-Match` does not name (412).
    struct PreconditionFailed: Error {
        var message: String
    }

    /// - Throws: ``PreconditionFailed`` when `precondition` is given and does not name `campaign`'s ETag.
    static func check(_ precondition: EntityTag?, _ campaign: Campaign) throws {
        guard let precondition, !precondition.matches(EntityTag.campaign(campaign)) else { return }
        throw PreconditionFailed(
            message: "campaign '\(campaign.id)' has ETag \(EntityTag.campaign(campaign)); If-Match named \(precondition.description): read it again and retry")
    }

    /// `DELETE`: removes a draft (without messages).
    func delete(id: String) async throws {
        let store = store
        try await mapped(id) {
            try await dispatcher.whileNotPublishing(campaignId: id) {
                try await store.deleteCampaign(id: id) { c, hasMessages in try c.checkDeletable(hasMessages: hasMessages) }
            }
        }
    }

    /// `duplicate`: a new draft with the campaign's definition (``Campaign/duplicated(id:now:)``).
    func duplicate(id: String, now: Int64) async throws -> Campaign {
        try await mapped(id) {
            guard let source = try await store.campaign(id: id) else { throw StoreError.notFound("campaign \(id)") }
            let copy = source.duplicated(id: CampaignCreation.newId(), now: now)
            try await store.insertCampaign(copy)
            return copy
        }
    }

    /// `archive`: a finished campaign hidden from the default list, its stats kept.
    func archive(id: String, now: Int64) async throws -> Campaign {
        try await mapped(id) { try await store.changeCampaign(id: id) { c, _ in try c.archived(at: now) } }
    }

    /// `unschedule`: a scheduled campaign back to draft (409 once it is being published or sent).
    func unschedule(id: String) async throws -> Campaign {
        let store = store
        return try await mapped(id) {
            try await dispatcher.whileNotPublishing(campaignId: id) {
                try await store.changeCampaign(id: id) { c, _ in try c.unscheduled() }
            }
        }
    }

    /// Runs `body`, answering the store's and the rules' errors as HTTP errors.
    private func mapped<T>(_ id: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch StoreError.notFound {
            throw HTTPError(.notFound, message: "unknown campaign '\(id)'")
        } catch let error as CampaignTransitionError {
            throw HTTPError(.conflict, message: error.description)
        } catch let error as PublishError {
            throw HTTPError(.conflict, message: error.description)
        } catch let error as PreconditionFailed {
            throw HTTPError(.preconditionFailed, message: error.message)
        }
    }
}
