import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// `POST|GET /api/v1/segments`, `GET|PATCH|DELETE /api/v1/segments/{id}`,
/// `GET /api/v1/segments/{id}/preview` (issue 15): saved audiences (``AudienceSegment``).
///
/// A body is decoded by the one strict decoder (``JSON/decode(_:from:what:refusingNUL:)``: an
/// unknown key is a 400 naming it) and judged by ``AudienceSegment/Definition/read(_:)``: a 400
/// `invalid segment: …` names every wrong field (`rules[0].op must be one of eq, ne, exists for optedOut`). A PATCH merges
/// its fields (`name`, `match`, `rules`, the last replaced whole) into the segment and validates
/// the result as a creation; nothing is written on a 400. DELETE is a 409 naming the draft or
/// scheduled campaigns whose audience is the segment (a sent campaign's audience was frozen at
/// publish and does not need it). The preview answers `{"count": N, "sample": [...]}` (the first
/// ``sampleSize`` matching profiles in user id order).
struct SegmentController {
    let store: any SMSStore
    let config: AppConfig

    static let sampleSize = 10

    /// A segment as the API shows it.
    struct View: Encodable {
        var id: Int64
        var name: String
        var match: AudienceSegment.Match
        var rules: [AudienceSegment.Rule]
        var createdAt: Int64
        var updatedAt: Int64
        init(_ s: AudienceSegment) {
            id = s.id
            name = s.definition.name
            match = s.definition.match
            rules = s.definition.rules
            createdAt = s.createdAt
            updatedAt = s.updatedAt
        }
    }

    struct Preview: Encodable {
        var count: Int
        var sample: [ProfileManagementController.View]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("segments") { request, _ in
            let body = try await request.collectBody(upTo: 1_000_000, what: "segment")
            return try JSON.response(
                View(try await create(try JSON.decode(AudienceSegment.Definition.Body.self, from: body, what: "segment"))), status: .created)
        }
        group.get("segments") { _, _ in try JSON.response(try await store.segments().map(View.init)) }
        group.get("segments/{id}") { _, context in try JSON.response(View(try await existing(context))) }
        group.patch("segments/{id}") { request, context in
            let current = try await existing(context)
            let body = try await request.collectBody(upTo: 1_000_000, what: "segment")
            let merged = try MergePatch.merged(current.definition, patch: body, as: AudienceSegment.Definition.Body.self, what: "segment")
            return try JSON.response(View(try await update(current, to: merged)))
        }
        group.delete("segments/{id}") { _, context in
            let id = try Self.id(context)
            if let inUse = try await delete(id: id) {
                return try JSON.response(inUse, status: .conflict)
            }
            return Response(status: .noContent)
        }
        group.get("segments/{id}/preview") { _, context in
            try JSON.response(try await preview(try await existing(context)))
        }
    }

    /// Creates a segment from a body (API and dashboard). - Throws: 400 of ``read(_:)``.
    func create(_ body: AudienceSegment.Definition.Body) async throws -> AudienceSegment {
        try await store.insertSegment(try Self.read(body), at: config.now())
    }

    /// Replaces a segment's definition with `json`, validated as a creation (API PATCH after its
    /// merge, and dashboard). - Throws: 400 of ``read(_:)`` (nothing written); 404 when deleted meanwhile.
    func update(_ current: AudienceSegment, to body: AudienceSegment.Definition.Body) async throws -> AudienceSegment {
        let definition = try Self.read(body)
        let now = config.now()
        guard try await store.updateSegment(id: current.id, definition, at: now) else { throw Self.unknown(current.id) }
        return AudienceSegment(id: current.id, definition: definition, createdAt: current.createdAt, updatedAt: now)
    }

    /// Deletes a segment (API and dashboard) unless a draft or scheduled campaign's audience is
    /// it. - Returns: `nil` when deleted; the 409's body naming those campaigns (nothing deleted).
    /// - Throws: 404 for an unknown segment.
    func delete(id: Int64) async throws -> ProviderController.InUseView? {
        let users = try await store.campaigns().filter { $0.audience == .segment(id) && ($0.status == .draft || $0.status == .scheduled) }
        if !users.isEmpty {
            let refs = users.map { CampaignReference(id: $0.id, name: $0.name) }
            return ProviderController.InUseView(
                error: .init(message: "segment \(id) is the audience of \(refs.count) unsent campaign(s): "
                    + refs.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")),
                campaigns: refs)
        }
        guard try await store.deleteSegment(id: id) else { throw Self.unknown(id) }
        return nil
    }

    /// The live count and the first ``sampleSize`` matching profiles (API preview and dashboard).
    func preview(_ segment: AudienceSegment) async throws -> Preview { try await preview(segment.definition) }

    /// The same for a definition not saved yet (the dashboard's preview before saving).
    func preview(_ definition: AudienceSegment.Definition) async throws -> Preview {
        let (count, sample) = try await definition.preview(sampleSize: Self.sampleSize) { after, n in
            try await store.profiles(afterUserId: after, limit: n)
        }
        return Preview(count: count, sample: sample.map { ProfileManagementController.View($0) })
    }

    /// - Throws: 400 `invalid segment: …` naming every wrong field.
    static func read(_ body: AudienceSegment.Definition.Body) throws -> AudienceSegment.Definition {
        switch AudienceSegment.Definition.read(body) {
        case .success(let d): return d
        case .failure(let problems): throw HTTPError(.badRequest, message: "invalid segment: \(problems)")
        }
    }

    static func unknown(_ id: Int64) -> HTTPError { HTTPError(.notFound, message: "unknown segment \(id)") }

    /// The path's `{id}` (``PathParameter/id(_:_:entity:)``). - Throws: 400 naming the range when
    /// it is not an integer from 1 to `Int64.max`; 404 is for unknown ones.
    static func id(_ context: AppRequestContext) throws -> Int64 {
        try PathParameter.id(context, entity: "segment")
    }

    func existing(_ context: AppRequestContext) async throws -> AudienceSegment {
        let id = try Self.id(context)
        guard let s = try await store.segment(id: id) else { throw Self.unknown(id) }
        return s
    }
}
