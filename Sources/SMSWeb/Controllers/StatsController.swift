import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The Stats tab's routes (`docs/DOMAIN.md` §6), all under `/api/v1/campaigns/{id}/`:
/// - `stats`: the summary (all variants, and `variants: [{variant, …}]` when there are several);
/// - `trend?granularity=day|week|month&tz=<IANA>&variant=<n>`: `{buckets:[{start, sent, delivered,
///   clicked, clicks, ctr}]}` in the campaign's zone unless `tz` is given;
/// - `funnel?variant=<n>`: Sent → Delivered → Clicked → Converted users;
/// - `links?variant=<n>`: `[{index, url, clicks, uniqueClicks, share, botHits}]`;
/// - `errors?variant=<n>`: `{dispatch:[{reason, count}], delivery:[{code, description, category, count}]}`;
/// - `latency?variant=<n>`: sent → delivered and sent → first click from the rollups' histograms
///   (``DeliveryLatencyReport``: `{delivered, p50Seconds, p90Seconds, p99Seconds, within: {"10s", "60s",
///   "600s", "3600s"}, firstClick, resolutionSeconds, histogram}`, issue 18);
/// - `breakdown?by=country|provider|variant|carrier`: ``CampaignBreakdown`` `{by, rows: [{key, sent,
///   delivered, failed, pending, deliveryRate, uniqueClicks, ctr, errors: [{code, count}]}]}`;
/// - `cost`: ``CampaignCost`` `{currency, total, totalMicros, byCountry: [{country, segments, cost,
///   costMicros, pricePerSegment}], perDelivered, perClick, perConversion, return}` by the provider's
///   ``PriceTable`` (404 when it has none);
/// - `breakdown.csv?by=…`, `latency.csv?variant=<n>`: the breakdown rows and the latency histogram as
///   CSV (``DeliveryCSVExport``), the Delivery tab's downloads;
/// - `export.csv?granularity=…&tz=…`: summary, trend and links as CSV (``StatsCSVExport``).
///
/// Every view reads maintained rollups only (``CampaignStatsQueries``). Errors: 404 for an unknown
/// campaign; 400 naming the parameter for a bad granularity, zone or variant.
struct StatsController {
    let store: any SMSStore

    var queries: CampaignStatsQueries { CampaignStatsQueries(store: store) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("campaigns/{id}/stats") { _, context in
            try JSON.response(try await queries.summary(try await load(context)))
        }
        group.get("campaigns/{id}/trend") { request, context in
            let campaign = try await load(context)
            let report = try await mapped {
                try await queries.trend(
                    campaign, granularity: try Self.granularity(request), timeZone: try Self.timeZone(request),
                    variant: try Self.variant(request))
            }
            return try JSON.response(report)
        }
        group.get("campaigns/{id}/funnel") { request, context in
            let campaign = try await load(context)
            return try JSON.response(try await mapped { try await queries.funnel(campaign, variant: try Self.variant(request)) })
        }
        group.get("campaigns/{id}/links") { request, context in
            let campaign = try await load(context)
            return try JSON.response(try await mapped { try await queries.links(campaign, variant: try Self.variant(request)) })
        }
        group.get("campaigns/{id}/errors") { request, context in
            let campaign = try await load(context)
            return try JSON.response(try await mapped { try await queries.errors(campaign, variant: try Self.variant(request)) })
        }
        group.get("campaigns/{id}/latency") { request, context in
            let campaign = try await load(context)
            return try JSON.response(try await mapped { try await queries.latency(campaign, variant: try Self.variant(request)) })
        }
        group.get("campaigns/{id}/breakdown") { request, context in
            let campaign = try await load(context)
            return try JSON.response(try await queries.breakdown(campaign, by: try Self.dimension(request)))
        }
        group.get("campaigns/{id}/breakdown.csv") { request, context in
            try await breakdownCSV(try await load(context), request)
        }
        group.get("campaigns/{id}/latency.csv") { request, context in
            try await latencyCSV(try await load(context), request)
        }
        group.get("campaigns/{id}/cost") { _, context in
            let campaign = try await load(context)
            guard let cost = try await queries.cost(campaign) else {
                throw HTTPError(
                    .notFound,
                    message: "provider '\(InputEcho.text(campaign.providerId))' of campaign '\(InputEcho.text(campaign.id))' has no price table "
                        + "(PUT /api/v1/providers/{id}/prices)")
            }
            return try JSON.response(cost)
        }
        group.get("campaigns/{id}/export.csv") { request, context in
            let campaign = try await load(context)
            let granularity = try Self.granularity(request)
            let tz = try Self.timeZone(request)
            let (summary, trend, links) = try await mapped {
                async let summary = queries.summary(campaign)
                async let trend = queries.trend(campaign, granularity: granularity, timeZone: tz, variant: nil)
                async let links = queries.links(campaign, variant: nil)
                return try await (summary, trend, links)
            }
            let data = try StatsCSVExport.render(campaign: campaign, summary: summary, trend: trend, links: links)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: DownloadName.attachment(campaignId: campaign.id, suffix: "stats.csv"),
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    /// A CSV download (`text/csv`, an attachment named after the campaign).
    static func csv(_ data: Data, campaign: Campaign, suffix: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: DownloadName.attachment(campaignId: campaign.id, suffix: suffix),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `tz` query parameter: a zone by ``IANAZone/named(_:)`` (an IANA name or `UTC`; a fixed
    /// offset such as `GMT+14` is refused), or absent for the campaign's zone.
    /// - Throws: `HTTPError` 400 `tz must be an IANA time zone name such as Europe/Berlin, or UTC (got 'GMT+14'); …`.
    static func timeZone(_ request: Request) throws -> String? {
        guard let tz = try QueryParameter.single("tz", in: request) else { return nil }
        if let problem = IANAZone.problem(tz, field: "tz") { throw HTTPError(.badRequest, message: problem) }
        return tz
    }

    /// `granularity` query parameter: day (default), week or month.
    static func granularity(_ request: Request) throws -> TrendGranularity {
        let g = try QueryParameter.single("granularity", in: request) ?? "day"
        guard let granularity = TrendGranularity(rawValue: g) else {
            throw HTTPError(.badRequest, message: "granularity must be day, week or month (got '\(InputEcho.text(g))')")
        }
        return granularity
    }

    /// `by` query parameter (required): country, provider, variant or carrier.
    static func dimension(_ request: Request) throws -> BreakdownDimension {
        let names = BreakdownDimension.allCases.map(\.rawValue).joined(separator: ", ")
        guard let by = try QueryParameter.single("by", in: request) else {
            throw HTTPError(.badRequest, message: "by is required: one of \(names)")
        }
        guard let dimension = BreakdownDimension(rawValue: by) else {
            throw HTTPError(.badRequest, message: "by must be one of \(names) (got '\(InputEcho.text(by))')")
        }
        return dimension
    }

    /// `variant` query parameter: a variant number (``InputLimits/variantIndex``), or absent for all variants.
    static func variant(_ request: Request) throws -> Int? {
        try variant(try QueryParameter.single("variant", in: request))
    }

    /// A `variant` value (``InputLimits/variantIndex``), `nil` when absent. - Throws: 400 naming `variant`.
    static func variant(_ value: String?) throws -> Int? {
        guard let v = value else { return nil }
        do {
            return try InputLimits.variantIndex.integer(query: v, field: "variant")
        } catch {
            throw HTTPError(.badRequest, message: error.message)
        }
    }

    /// Runs a query, answering 400 for a bad zone or variant.
    /// `breakdown.csv?by=…` of `campaign`: the API route's answer, and the dashboard's Delivery tab
    /// download (`/campaigns/{id}/breakdown.csv`, signed in). - Throws: 400 naming `by`.
    func breakdownCSV(_ campaign: Campaign, _ request: Request) async throws -> Response {
        let breakdown = try await queries.breakdown(campaign, by: try Self.dimension(request))
        return Self.csv(try DeliveryCSVExport.breakdown(breakdown), campaign: campaign, suffix: "breakdown-\(breakdown.by.rawValue).csv")
    }

    /// `latency.csv?variant=<n>` of `campaign`: the API route's answer, and the dashboard's
    /// download (`/campaigns/{id}/latency.csv`). - Throws: 400 naming `variant`.
    func latencyCSV(_ campaign: Campaign, _ request: Request) async throws -> Response {
        let report = try await mapped { try await queries.latency(campaign, variant: try Self.variant(request)) }
        return Self.csv(try DeliveryCSVExport.latency(report), campaign: campaign, suffix: "latency.csv")
    }

    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StatsQueryError {
            throw HTTPError(.badRequest, message: error.description)
        }
    }

    func load(_ context: AppRequestContext) async throws -> Campaign {
        let id = try PathParameter.text(context, "id")
        guard let c = try await store.campaign(id: id) else {
            throw HTTPError(.notFound, message: "unknown campaign '\(InputEcho.text(id))'")
        }
        return c
    }
}
