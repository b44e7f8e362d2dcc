import Foundation
import Hummingbird
import SMSCore

/// `PATCH|DELETE /api/v1/campaigns/{id}` (drafts) and `POST /api/v1/campaigns/{id}/duplicate|archive|unschedule`
/// (``CampaignManagement``); each answers the campaign as `GET /api/v1/campaigns/{id}` does
/// (DELETE: 204; duplicate: 201 with the new draft). PATCH answers the campaign's `ETag` and takes
/// `If-Match` (``EntityTag``): a campaign at another ETag is a 412 that changes nothing.
struct CampaignManagementController {
    let campaigns: CampaignController
    let management: CampaignManagement

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.patch("campaigns/{id}") { request, context in
            let id = try PathParameter.text(context, "id")
            let precondition = try EntityTag.ifMatch(
                request.headers[.ifMatch], of: "campaign", form: "the value of the ETag header of GET, in quotes")
            let body = try await request.collectBody(upTo: 1_000_000, what: "campaign")
            _ = try await management.edit(id: id, patch: body, precondition: precondition)
            // Read back: the tag and the view are those of the campaign as stored (what GET answers).
            let stored = try await campaigns.load(context)
            return CampaignController.tagged(try JSON.response(try await campaigns.view(stored)), stored)
        }
        group.delete("campaigns/{id}") { _, context in
            try await management.delete(id: try PathParameter.text(context, "id"))
            return Response(status: .noContent)
        }
        group.post("campaigns/{id}/duplicate") { request, context in
            try await JSON.refuseFields(request, what: "duplicate request")
            let copy = try await management.duplicate(id: try PathParameter.text(context, "id"), now: CampaignController.now())
            return try JSON.response(try await campaigns.view(copy), status: .created)
        }
        group.post("campaigns/{id}/archive") { request, context in
            try await JSON.refuseFields(request, what: "archive request")
            let archived = try await management.archive(id: try PathParameter.text(context, "id"), now: CampaignController.now())
            return try JSON.response(try await campaigns.view(archived))
        }
        group.post("campaigns/{id}/unschedule") { request, context in
            try await JSON.refuseFields(request, what: "unschedule request")
            return try JSON.response(try await campaigns.view(try await management.unschedule(id: try PathParameter.text(context, "id"))))
        }
    }
}
