import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/ingestion-errors?limit=N`: invalid input kept whole with the reason.
struct IngestionErrorController {
    let store: any SMSStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("ingestion-errors") { request, _ in
            let limit = min(max(request.uri.queryParameters.get("limit", as: Int.self) ?? 100, 1), 1000)
            return try JSON.response(try await store.ingestionErrors(limit: limit))
        }
    }
}
