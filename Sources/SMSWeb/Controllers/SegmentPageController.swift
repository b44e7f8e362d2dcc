import Foundation
import Hummingbird
import SMSCore

/// The dashboard's segment pages (issue 15), through ``SegmentController``'s preview (the API's
/// `GET /api/v1/segments/{id}/preview`):
/// - `GET /segments`: every segment with its live count.
/// - `GET /segments/{id}`: one segment's rules, count and sample (phones masked,
///   ``ProfilePageController/row(_:)``).
/// Segments are created and changed through the API (`POST|PATCH /api/v1/segments`).
struct SegmentPageController {
    let dashboard: Dashboard

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        let api = SegmentController(store: d.store, config: d.config)
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
        group.get("segments/{id}") { request, context in
            try await d.signedIn(request) { session in
                let segment = try await api.existing(context)
                let preview = try await api.preview(segment)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                let object: [String: Any] = [
                    "title": "Segment \(segment.definition.name)", "id": segment.id, "name": segment.definition.name,
                    "match": segment.definition.match.rawValue, "count": preview.count,
                    "rules": String(decoding: try encoder.encode(segment.definition.rules), as: UTF8.self),
                    "sample": preview.sample.map(ProfilePageController.row), "sampleCount": preview.sample.count,
                    "hasSample": !preview.sample.isEmpty,
                ]
                return d.page("segment", object, session: session, nav: "segments")
            }
        }
    }
}
