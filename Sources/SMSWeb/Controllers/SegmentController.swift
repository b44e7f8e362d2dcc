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
            let body = try await request.body.collect(upTo: 1_000_000, what: "segment")
            let definition = try Self.read(try JSON.decode(AudienceSegment.Definition.Body.self, from: body, what: "segment"))
            return try JSON.response(View(try await store.insertSegment(definition, at: config.now())), status: .created)
        }
        group.get("segments") { _, _ in try JSON.response(try await store.segments().map(View.init)) }
        group.get("segments/{id}") { _, context in try JSON.response(View(try await existing(context))) }
        group.patch("segments/{id}") { request, context in
            let current = try await existing(context)
            let body = try await request.body.collect(upTo: 1_000_000, what: "segment")
            let definition = try Self.read(
                try MergePatch.merged(current.definition, patch: body, as: AudienceSegment.Definition.Body.self, what: "segment"))
            let now = config.now()
            guard try await store.updateSegment(id: current.id, definition, at: now) else { throw Self.unknown(current.id) }
            return try JSON.response(View(AudienceSegment(id: current.id, definition: definition, createdAt: current.createdAt, updatedAt: now)))
        }
        group.delete("segments/{id}") { _, context in
            let id = try Self.id(context)
            let users = try await store.campaigns().filter { $0.audience == .segment(id) && ($0.status == .draft || $0.status == .scheduled) }
            if !users.isEmpty {
                let refs = users.map { CampaignReference(id: $0.id, name: $0.name) }
                return try JSON.response(
                    ProviderController.InUseView(
                        error: .init(message: "segment \(id) is the audience of \(refs.count) unsent campaign(s): "
                            + refs.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")),
                        campaigns: refs),
                    status: .conflict)
            }
            guard try await store.deleteSegment(id: id) else { throw Self.unknown(id) }
            return Response(status: .noContent)
        }
        group.get("segments/{id}/preview") { _, context in
            try JSON.response(try await preview(try await existing(context)))
        }
    }

    /// The live count and the first ``sampleSize`` matching profiles (API preview and dashboard).
    func preview(_ segment: AudienceSegment) async throws -> Preview {
        let (count, sample) = try await segment.definition.preview(sampleSize: Self.sampleSize) { after, n in
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

    /// The path's `{id}`. - Throws: 400 when it is not an integer id; 404 is for unknown ones.
    static func id(_ context: AppRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let id = Int64(text) else {
            throw HTTPError(.badRequest, message: "id must be a segment id (ASCII digits; got '\(text.prefix(40))')")
        }
        return id
    }

    func existing(_ context: AppRequestContext) async throws -> AudienceSegment {
        let id = try Self.id(context)
        guard let s = try await store.segment(id: id) else { throw Self.unknown(id) }
        return s
    }
}
