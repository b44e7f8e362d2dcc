import Foundation
import Hummingbird

/// Renders the dashboard's 4xx errors as an HTML page (the API keeps its JSON errors): the status,
/// the message that says what is wrong (escaped), and a way back.
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let dashboard: Dashboard

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where (400..<500).contains(error.status.code) {
            let title = "\(error.status.code) \(error.status.reasonPhrase)"
            return dashboard.page(
                "error", ["title": title, "heading": title, "message": error.body ?? error.status.reasonPhrase],
                session: dashboard.session(request), status: error.status)
        }
    }
}
