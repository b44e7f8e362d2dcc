import Foundation
import Hummingbird
import SMSCore

/// `GET /campaigns/new` and `POST /campaigns/new`: the new-campaign form. "Preview" recomputes the
/// message counts on the server (``MessagePreview``), "Create" validates with the API's own rules
/// (``CampaignCreation``: fields, links, template placeholders, audience, provider values) and, when they pass, stores the draft and
/// opens its page; otherwise the form comes back (400) with every problem named and the input kept
/// (a field whose bytes are not UTF-8 comes back empty, named, ``FormFields/strictPairs(bytes:checkedPart:)``).
struct CampaignFormController {
    let dashboard: Dashboard
    /// The API's create rules.
    let creation: CampaignCreation

    /// The form fields (all text, as a browser posts them).
    struct Form: Decodable {
        var csrf: String?
        var action: String?
        var name: String?
        var providerId: String?
        var body: String?
        var audience: String?
        var userIds: String?
        /// The saved segment's id when `audience` is `segment`.
        var segmentId: String?
        var timezone: String?
        var goalEvent: String?
        var goalWindowMinutes: String?
        var goalRevenueProperty: String?
        var controlGroupPercent: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("campaigns/new") { request, _ in
            try await d.signedIn(request) { session in
                var form = Form()
                form.name = try QueryParameter.single("name", in: request)
                form.body = try QueryParameter.single("body", in: request)
                form.providerId = try QueryParameter.single("providerId", in: request)
                return try await render(form, problems: [], session: session)
            }
        }
        group.post("campaigns/new") { request, _ in
            try await d.signedIn(request) { session in
                let (form, invalid) = try await Dashboard.formKeepingValid(Form.self, request)
                try d.checkCSRF(form.csrf, session)
                // A field that is not UTF-8 comes back empty and named; nothing is stored.
                let unreadable = invalid?.fields.map(\.message) ?? []
                guard form.action == "create", unreadable.isEmpty else { return try await render(form, problems: unreadable, session: session) }
                let (draft, formProblems) = Self.draft(from: form)
                let (created, problems) = try await creation.check(draft)
                guard let campaign = created, formProblems.isEmpty else {
                    return try await render(form, problems: formProblems + problems, session: session)
                }
                try await d.store.insertCampaign(campaign)
                return Dashboard.redirect("/campaigns/\(CampaignPageController.pathComponent(campaign.id))")
            }
        }
    }

    /// The body with the browser's CRLF line breaks (every form post has them) as LF: the SMS gets
    /// one-character line breaks, as typed, and the live count in the browser (which sees LF) agrees.
    static func normalizedBody(_ body: String?) -> String {
        (body ?? "").replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The draft a form describes, plus the problems only the form can have (numbers that are
    /// not numbers). Empty optional fields mean "not set".
    static func draft(from f: Form) -> (CampaignDraft, [String]) {
        var problems: [String] = []
        func text(_ s: String?) -> String? {
            let t = (s ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        let audience: Audience
        if f.audience == "list" {
            let ids = (f.userIds ?? "").split(whereSeparator: { $0 == "," || $0.isNewline || $0 == ";" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            audience = .userIds(ids)
        } else if f.audience == "segment" {
            // A saved segment (`{"segmentId": N}`): its profiles are read when the campaign is published.
            if let id = DecimalText.integer(f.segmentId ?? "", allowingNegative: false), id >= 1 {
                audience = .segment(id)
            } else {
                problems.append("audience: choose a saved segment (or another audience)")
                audience = .all
            }
        } else {
            audience = .all
        }
        var goal: ConversionGoal?
        if let event = text(f.goalEvent) {
            var window = 1_440
            if let w = text(f.goalWindowMinutes) {
                // The API's number rule (``JSONBody/number(text:)``); the range is the draft's check.
                if case .number(let n, _)? = JSONBody.number(text: w), n.rounded(.towardZero) == n, let minutes = Int(exactly: n) {
                    window = minutes
                } else {
                    problems.append("conversion window must be \(InputLimits.goalWindowMinutes.description) (got '\(InputEcho.text(w))')")
                }
            }
            goal = ConversionGoal(event: event, windowMinutes: window, revenueProperty: text(f.goalRevenueProperty))
        }
        var control: Double?
        if let c = text(f.controlGroupPercent) {
            // The API's number rule (``JSONBody/number(text:)``: no hex, no `1e-400` read as 0) and
            // range (InputLimits.controlGroupPercent, checked by the draft).
            if case .number(let v, _)? = JSONBody.number(text: c) {
                control = v
            } else {
                problems.append("control group must be \(InputLimits.controlGroupPercent.description) (got '\(InputEcho.text(c))')")
            }
        }
        let draft = CampaignDraft(
            name: f.name ?? "", providerId: f.providerId ?? "", body: normalizedBody(f.body), audience: audience,
            timezone: text(f.timezone), goal: goal, controlGroupPercent: control)
        return (draft, problems)
    }

    /// `"64,163,36"` for `"@£$"`.
    static func codePoints(_ s: String) -> String { s.unicodeScalars.map { String($0.value) }.joined(separator: ",") }

    func render(_ f: Form, problems: [String], session: DashboardSession) async throws -> Response {
        let providers = try await dashboard.store.providers()
        let segments = try await dashboard.store.segments()
        let preview = MessagePreview(body: Self.normalizedBody(f.body), linkBaseURL: dashboard.config.publicBaseURL)
        let bodies = [Self.normalizedBody(f.body)]
        let warnings = CampaignCreation.warnings(texts: bodies, provider: providers.first { $0.id == f.providerId })
        let object: [String: Any] = [
            "title": "New campaign", "problems": problems, "hasProblems": !problems.isEmpty,
            "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            "name": f.name ?? "", "body": f.body ?? "", "userIds": f.userIds ?? "",
            "audienceList": f.audience == "list", "audienceSegment": f.audience == "segment",
            "segments": segments.map { seg -> [String: Any] in
                ["id": String(seg.id), "name": seg.definition.name, "selected": String(seg.id) == f.segmentId]
            },
            "hasSegments": !segments.isEmpty, "timezone": f.timezone ?? "UTC", "goalEvent": f.goalEvent ?? "",
            "goalWindowMinutes": f.goalWindowMinutes ?? "1440", "goalRevenueProperty": f.goalRevenueProperty ?? "",
            "controlGroupPercent": f.controlGroupPercent ?? "0", "controlGroupRange": InputLimits.controlGroupPercent.description,
            "providers": providers.map { p -> [String: Any] in
                [
                    "id": p.id, "name": p.name, "selected": p.id == f.providerId, "callbacks": p.callbacksEnabled,
                    "manglesUCS2": EncodingPlaceholders.manglesUCS2(p),
                ]
            },
            "hasProviders": !providers.isEmpty,
            "timezones": TimeZone.knownTimeZoneIdentifiers.sorted(),
            "preview": preview.object,
            // Code points, not characters: HTML turns a CR inside an attribute into LF.
            "gsmBasic": Self.codePoints(SegmentCounter.basicCharacters),
            "gsmExtension": Self.codePoints(SegmentCounter.extensionCharacters),
            "limits": "\(SegmentCounter.gsm7SinglePart),\(SegmentCounter.gsm7MultiPart),\(SegmentCounter.ucs2SinglePart),\(SegmentCounter.ucs2MultiPart)",
        ]
        return dashboard.page("campaign_new", object, session: session, nav: "new", status: problems.isEmpty ? .ok : .badRequest)
    }
}
