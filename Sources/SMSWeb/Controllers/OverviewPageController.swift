import Foundation
import Hummingbird
import SMSCore

/// The dashboard home and the comparison page (issue 18):
/// - `GET /?from=&to=&tz=`: the overview of a period (``OverviewPageModel``, the read of
///   `GET /api/v1/overview`) above the campaign list (``CampaignListModel``); `?archived=true`
///   lists the archived campaigns alone. The period is the last 30 days unless `from` / `to`
///   say otherwise, in the operator's zone: `tz` when given, else the zone the browser reported
///   in the cookie ``zoneCookie`` (dashboard.js sets it), else UTC.
/// - `GET /compare?id=a&id=b` (the home's checkboxes) or `?ids=a,b`: 2–5 campaigns side by side
///   (``OverviewPageModel/comparison(_:)``, the read of `GET /api/v1/compare`).
///
/// A bad `from`, `to`, `tz` or `ids` is the 400 page naming it.
struct OverviewPageController {
    let dashboard: Dashboard

    /// The cookie holding the browser's IANA zone (written by dashboard.js; read only when it is a zone).
    static let zoneCookie = "smsstats_tz"

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("/") { request, _ in
            try await d.signedIn(request) { session in
                let archived: ArchivedFilter = try QueryParameter.single("archived", in: request) == "true" ? .only : .hidden
                var model = try await CampaignListModel.build(store: d.store, archived: archived)
                if archived != .only {
                    let period = try Self.period(request, now: Dashboard.now())
                    let overview = try await OverviewQueries(store: d.store).overview(period, minSent: Int64(InputLimits.overviewMinSentDefault))
                    model["overview"] = OverviewPageModel.object(overview)
                }
                return d.page("campaigns", model, session: session, nav: "campaigns")
            }
        }
        group.get("compare") { request, _ in
            try await d.signedIn(request) { session in
                let checked = request.uri.queryParameters.getAll("id")
                let given = try QueryParameter.single("ids", in: request)
                let text = checked.isEmpty ? given : checked.joined(separator: ",")
                do {
                    let ids = try OverviewQueries.compareIds(text)
                    let comparison = try await OverviewQueries(store: d.store).compare(ids: ids)
                    return d.page("compare", OverviewPageModel.comparison(comparison), session: session, nav: "campaigns")
                } catch let error as CompareIdsError {
                    throw HTTPError(.badRequest, message: error.description)
                }
            }
        }
    }

    /// The period of the home: `from`, `to`, `tz` (else the zone cookie when it names a zone, else UTC).
    static func period(_ request: Request, now: Int64) throws -> OverviewPeriod {
        let cookieZone = request.cookies[zoneCookie]?.value.removingPercentEncoding.flatMap { IANAZone.named($0) != nil ? $0 : nil }
        let tz = try QueryParameter.single("tz", in: request) ?? cookieZone
        let from = try QueryParameter.single("from", in: request)
        let to = try QueryParameter.single("to", in: request)
        do {
            return try OverviewPeriod(from: from, to: to, tz: tz, now: now)
        } catch {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}
