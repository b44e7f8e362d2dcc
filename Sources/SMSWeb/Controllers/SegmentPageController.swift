import Foundation
import Hummingbird
import SMSCore

/// The dashboard's segment pages (issue 15), through ``SegmentController``'s create, update,
/// delete and preview (the API's `POST|PATCH|DELETE /api/v1/segments…` and its preview):
/// - `GET /segments`: every segment with its live count; `GET /segments/new`: the form.
/// - `POST /segments`: creates from the form (``SegmentForm``), or with `action=preview` shows
///   the count and sample of the unsaved rules.
/// - `GET /segments/{id}`: one segment's rules, count and sample (phones masked,
///   ``ProfilePageController/row(_:)``); `GET|POST /segments/{id}/edit`: the same form.
/// - `POST /segments/{id}/delete`: deletes; a 409 page naming the unsent campaigns using it.
/// A refused form is shown again with the API's 400 message and what was typed (status 400).
/// Every POST is CSRF-checked.
struct SegmentPageController {
    let dashboard: Dashboard

    struct CSRFForm: Decodable { var csrf: String? }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        let api = SegmentController(store: d.store, config: d.config)

        /// The posted form, CSRF-checked.
        @Sendable func read(_ request: Request, _ session: DashboardSession) async throws -> ([String: String], SegmentForm) {
            let fields = try await Dashboard.form([String: String].self, request, limit: 1_000_000)
            try d.checkCSRF(fields["csrf"], session)
            return (fields, SegmentForm(fields: fields))
        }

        @Sendable func form(
            _ f: SegmentForm, id: Int64?, session: DashboardSession, error: String? = nil, preview: SegmentController.Preview? = nil
        ) -> Response {
            let rows = f.rows + Array(repeating: SegmentForm.Row(field: "", op: "eq", value: ""), count: SegmentForm.blankRows)
            var object: [String: Any] = [
                "title": id.map { "Edit segment \($0)" } ?? "New segment", "editing": id != nil, "id": id ?? 0,
                "action": id.map { "/segments/\($0)/edit" } ?? "/segments", "name": f.name,
                "matches": ProviderPageController.options(AudienceSegment.Match.allCases.map(\.rawValue), selected: f.match),
                "rows": rows.enumerated().map { i, row -> [String: Any] in
                    [
                        "i": i, "field": row.field, "value": row.value,
                        "ops": ProviderPageController.options(AudienceSegment.Op.allCases.map(\.rawValue), selected: row.op),
                    ]
                },
                "hasError": error != nil, "error": error ?? "", "hasPreview": preview != nil,
            ]
            if let preview { object.merge(Self.preview(preview)) { a, _ in a } }
            return d.page("segment_form", object, session: session, nav: "segments", status: error == nil ? .ok : .badRequest)
        }

        /// The form with the count and sample of its unsaved rules, or the API's 400 message.
        @Sendable func previewed(_ posted: SegmentForm, id: Int64?, session: DashboardSession) async throws -> Response {
            do {
                let definition = try SegmentController.read(try posted.body())
                return form(posted, id: id, session: session, preview: try await api.preview(definition))
            } catch let e as HTTPError where e.status == .badRequest {
                return form(posted, id: id, session: session, error: e.body)
            }
        }

        group.get("segments") { request, _ in
            try await d.signedIn(request) { session in
                var rows: [[String: Any]] = []
                for segment in try await d.store.segments() {
                    rows.append([
                        "id": segment.id, "name": segment.definition.name, "match": segment.definition.match.rawValue,
                        "ruleCount": segment.definition.rules.count, "count": try await api.preview(segment).count,
                    ])
                }
                return d.page("segments", ["title": "Segments", "segments": rows, "hasSegments": !rows.isEmpty], session: session, nav: "segments")
            }
        }
        group.get("segments/new") { request, _ in
            try await d.signedIn(request) { session in form(SegmentForm(nil), id: nil, session: session) }
        }
        group.post("segments") { request, _ in
            try await d.signedIn(request) { session in
                let (fields, posted) = try await read(request, session)
                if fields["action"] == "preview" { return try await previewed(posted, id: nil, session: session) }
                do {
                    let created = try await api.create(try posted.body())
                    return Dashboard.redirect("/segments/\(created.id)")
                } catch let e as HTTPError where e.status == .badRequest {
                    return form(posted, id: nil, session: session, error: e.body)
                }
            }
        }
        group.get("segments/{id}") { request, context in
            try await d.signedIn(request) { session in
                let segment = try await api.existing(context)
                let preview = try await api.preview(segment)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                var object: [String: Any] = [
                    "title": "Segment \(segment.definition.name)", "id": segment.id, "name": segment.definition.name,
                    "match": segment.definition.match.rawValue,
                    "rules": String(decoding: try encoder.encode(segment.definition.rules), as: UTF8.self),
                ]
                object.merge(Self.preview(preview)) { a, _ in a }
                return d.page("segment", object, session: session, nav: "segments")
            }
        }
        group.get("segments/{id}/edit") { request, context in
            try await d.signedIn(request) { session in
                let segment = try await api.existing(context)
                return form(SegmentForm(segment.definition), id: segment.id, session: session)
            }
        }
        group.post("segments/{id}/edit") { request, context in
            try await d.signedIn(request) { session in
                let (fields, posted) = try await read(request, session)
                let current = try await api.existing(context)
                if fields["action"] == "preview" { return try await previewed(posted, id: current.id, session: session) }
                do {
                    _ = try await api.update(current, to: try posted.body())
                    return Dashboard.redirect("/segments/\(current.id)")
                } catch let e as HTTPError where e.status == .badRequest {
                    return form(posted, id: current.id, session: session, error: e.body)
                }
            }
        }
        group.post("segments/{id}/delete") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                if let inUse = try await api.delete(id: try SegmentController.id(context)) {
                    throw HTTPError(.conflict, message: inUse.error.message + "; change their audience or delete them first")
                }
                return Dashboard.redirect("/segments")
            }
        }
    }

    /// The count and masked sample as the pages show them.
    static func preview(_ p: SegmentController.Preview) -> [String: Any] {
        ["count": p.count, "sample": p.sample.map(ProfilePageController.row), "sampleCount": p.sample.count, "hasSample": !p.sample.isEmpty]
    }
}
