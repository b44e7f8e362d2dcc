import Foundation
import Hummingbird
import SMSCore

/// The routes across campaigns (issue 18, ``OverviewQueries``), under `/api/v1/`:
/// - `overview?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=<IANA>&minSent=<n>`: ``CampaignsOverview`` of the
///   campaigns active in the period (``OverviewPeriod``: default the last 30 days in UTC);
/// - `breakdown?by=country|provider|variant|carrier&from=&to=&tz=`: ``CampaignBreakdown`` across
///   the same campaigns, rows adding up to the overview's totals;
/// - `compare?ids=a,b[,…]`: ``CampaignComparison`` of 2–5 campaigns.
///
/// Errors: 400 naming the parameter (`from`, `to`, `tz`, `minSent`, `by`, `ids`) and its allowed
/// form or range; an unknown id in `ids` is a 400 naming it.
struct OverviewController {
    let store: any SMSStore

    var queries: OverviewQueries { OverviewQueries(store: store) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("overview") { request, _ in
            let period = try Self.period(request)
            return try JSON.response(try await queries.overview(period, minSent: try Self.minSent(request)))
        }
        group.get("breakdown") { request, _ in
            let by = try StatsController.dimension(request)
            return try JSON.response(try await queries.breakdown(by: by, period: try Self.period(request)))
        }
        group.get("compare") { request, _ in
            do {
                let ids = try OverviewQueries.compareIds(try QueryParameter.single("ids", in: request))
                return try JSON.response(try await queries.compare(ids: ids))
            } catch let error as CompareIdsError {
                throw HTTPError(.badRequest, message: error.description)
            }
        }
    }

    /// `from`, `to` (`YYYY-MM-DD`) and `tz` of a request, at the server clock.
    /// - Throws: 400 naming the field (``OverviewPeriodError``).
    static func period(_ request: Request, now: Int64 = Int64(Date().timeIntervalSince1970)) throws -> OverviewPeriod {
        let from = try QueryParameter.single("from", in: request)
        let to = try QueryParameter.single("to", in: request)
        let tz = try QueryParameter.single("tz", in: request)
        do {
            return try OverviewPeriod(from: from, to: to, tz: tz, now: now)
        } catch {
            throw HTTPError(.badRequest, message: error.message)
        }
    }

    /// `minSent` (``InputLimits/overviewMinSent``), default ``InputLimits/overviewMinSentDefault``.
    static func minSent(_ request: Request) throws -> Int64 {
        guard let text = try QueryParameter.single("minSent", in: request) else { return Int64(InputLimits.overviewMinSentDefault) }
        do {
            return Int64(try InputLimits.overviewMinSent.integer(query: text, field: "minSent"))
        } catch {
            throw HTTPError(.badRequest, message: error.message)
        }
    }
}
