import Foundation
import Hummingbird
import SMSCore

/// `GET /ingestion-errors`: invalid input kept whole with the reason (callbacks, events, profiles),
/// newest first, so an operator can see what was refused and why.
struct IngestionErrorPageController {
    let dashboard: Dashboard
    static let limit = 200

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("ingestion-errors") { request, _ in
            try await d.signedIn(request) { session in
                let errors = try await d.store.ingestionErrors(limit: Self.limit)
                let rows = errors.map { e -> [String: Any] in
                    [
                        "id": e.id, "source": e.source, "provider": e.providerId ?? "–", "reason": e.reason,
                        "raw": e.raw.count > 4_000 ? String(e.raw.prefix(4_000)) + "…" : e.raw,
                        "rawPreview": e.raw.count > 80 ? String(e.raw.prefix(80)) + "…" : e.raw,
                        "received": DisplayFormat.dateTime(e.receivedAt, timeZone: "UTC"),
                        "replayed": e.replayedAt.map { DisplayFormat.dateTime($0, timeZone: "UTC") } ?? "", "isReplayed": e.replayedAt != nil,
                    ]
                }
                return d.page(
                    "ingestion_errors",
                    ["title": "Ingestion errors", "errors": rows, "hasErrors": !rows.isEmpty, "limit": Self.limit],
                    session: session, nav: "errors")
            }
        }
    }
}
