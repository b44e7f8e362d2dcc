import Foundation
import Hummingbird
import SMSCore

/// `GET /ingestion-errors`: invalid input kept whole with the reason (callbacks, events, profiles),
/// newest first, so an operator can see what was refused and why; `POST /ingestion-errors/{id}/replay`
/// replays a stored callback item or event through the same code as `POST /api/v1/ingestion-errors/{id}/replay`
/// and comes back to the list with the outcome.
struct IngestionErrorPageController {
    let dashboard: Dashboard
    static let limit = 200

    struct ReplayForm: Decodable {
        var csrf: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("ingestion-errors") { request, _ in
            try await d.signedIn(request) { session in
                let notice = try QueryParameter.single("notice", in: request)
                let errors = try await d.store.ingestionErrors(limit: Self.limit)
                let rows = errors.map { e -> [String: Any] in
                    // The escape form (RawBytes): NUL, other controls and bytes that are not UTF-8 visible;
                    // cut on bytes (never inside an escape), "…" when cut.
                    func shown(_ limit: Int) -> String {
                        let cut = RawBytes.prefix(e.raw, limit: limit)
                        return RawBytes.escaped(cut) + (cut.count < e.raw.count ? "…" : "")
                    }
                    return [
                        "id": e.id, "source": e.source, "provider": e.providerId ?? "–", "reason": e.reason,
                        "raw": shown(4_000), "rawPreview": shown(80),
                        "rawBytes": DisplayFormat.count(Int64(e.raw.count), "byte"),
                        "received": DisplayFormat.dateTime(e.receivedAt, timeZone: "UTC"),
                        "replayed": e.replayedAt.map { DisplayFormat.dateTime($0, timeZone: "UTC") } ?? "", "isReplayed": e.replayedAt != nil,
                        "canReplay": e.replayedAt == nil && (e.source == "callback" || e.source == "events"),
                    ]
                }
                return d.page(
                    "ingestion_errors",
                    [
                        "title": "Ingestion errors", "errors": rows, "hasErrors": !rows.isEmpty, "limit": Self.limit,
                        "notice": notice ?? "", "hasNotice": notice != nil,
                    ],
                    session: session, nav: "errors")
            }
        }
        group.post("ingestion-errors/{id}/replay") { request, context in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form(ReplayForm.self, request)
                try d.checkCSRF(form.csrf, session)
                guard let id = try? PathParameter.id(context, entity: "ingestion error") else {
                    throw HTTPError(.notFound, message: "unknown ingestion error")
                }
                let notice: String
                do {
                    _ = try await IngestionErrorController(store: d.store, config: d.config).replay(id: id, override: nil)
                    notice = "Ingestion error \(id) replayed and applied."
                } catch let error as HTTPError {
                    notice = "Ingestion error \(id) not replayed: \(error.body ?? "\(error.status.code)")"
                }
                let query = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return Dashboard.redirect("/ingestion-errors?notice=\(query)")
            }
        }
    }
}
