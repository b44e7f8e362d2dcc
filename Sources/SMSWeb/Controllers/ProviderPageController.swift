import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SMSCore

/// `GET /providers`: the provider setup page (for each provider: the callback URL and secret to
/// paste into the provider's delivery-report settings), and `POST /providers/{id}/test-callback`:
/// sends a sample generic callback (`delivered` for an unknown `meta`) to this server's own public
/// callback URL, as the provider would, and shows the answer. A 200 proves the URL, the secret and
/// the JSON contract work end to end; the unknown meta is kept aside like any early receipt and
/// changes no campaign's numbers. `POST /providers/{id}/edit` (every field of a PATCH,
/// ``ProviderEditForm``; secrets are never shown, a blank secret keeps the stored one), `POST /providers/{id}/rotate-secret` (shows the new secret once) and
/// `POST /providers/{id}/disable|enable` go through ``ProviderController``'s `patch`, `rotate` and
/// `setDisabled`, as the API does; every POST is CSRF-checked.
struct ProviderPageController {
    let dashboard: Dashboard

    struct CSRFForm: Decodable { var csrf: String? }

    /// The rotation form (`graceSeconds`).
    struct RotateForm: Decodable {
        var csrf: String?
        var graceSeconds: String?
    }

    /// The outcome of a test callback, as shown on the page.
    struct TestResult {
        var providerId: String
        var url: String
        var requestBody: String
        var status: Int?
        var responseBody: String
        var error: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("providers") { request, _ in
            try await d.signedIn(request) { session in
                try await render(session: session, test: nil, preset: try QueryParameter.single("preset", in: request))
            }
        }
        group.post("providers/{id}/test-callback") { request, context in
            try await d.signedIn(request) { session in
                try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                let id = try PathParameter.text(context, "id")
                guard let provider = try await d.store.provider(id: id) else {
                    throw HTTPError(.notFound, message: "there is no provider '\(InputEcho.text(id))'")
                }
                return try await render(session: session, test: await sendTest(provider))
            }
        }
        let api = ProviderController(store: d.store, config: d.config)
        // A new provider from a preset: the preset's fields filled by the user, checked and stored
        // as `POST /api/v1/providers` with "preset" does (``ProviderController/createFromPreset(_:)``).
        group.post("providers/new") { request, _ in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form([String: String].self, request, limit: 100_000)
                try d.checkCSRF(form["csrf"], session)
                var fields: [String: String] = [:]
                for (key, value) in form where key.hasPrefix("field.") { fields[String(key.dropFirst(6))] = value }
                let created = try await api.createFromPreset(
                    .init(preset: form["preset"] ?? "", name: form["name"], fields: fields))
                return Dashboard.redirect("/providers#provider-\(CampaignPageController.pathComponent(created.id))")
            }
        }
        group.post("providers/{id}/edit") { request, context in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form(ProviderEditForm.self, request, limit: 1_000_000)
                try d.checkCSRF(form.csrf, session)
                let current = try await api.existing(context)
                _ = try await api.patch(current, body: try form.patch(over: current))
                return Dashboard.redirect("/providers#provider-\(CampaignPageController.pathComponent(current.id))")
            }
        }
        group.post("providers/{id}/rotate-secret") { request, context in
            try await d.signedIn(request) { session in
                let form = try await Dashboard.form(RotateForm.self, request, limit: 16_000)
                try d.checkCSRF(form.csrf, session)
                let current = try await api.existing(context)
                let grace = (form.graceSeconds ?? "").trimmingCharacters(in: .whitespaces)
                let body = grace.isEmpty ? ByteBuffer() : ByteBuffer(string: #"{"graceSeconds":\#(Self.jsonScalar(grace))}"#)
                let (rotated, _) = try await api.rotate(current, body: body)
                let object: [String: Any] = [
                    "title": "New callback secret", "id": current.id, "name": current.name, "callbackUrl": rotated.callbackUrl,
                    "secret": rotated.callbackSecret,
                    "previousValidUntil": DisplayFormat.dateTime(rotated.previousSecretValidUntil, timeZone: "UTC"),
                ]
                return d.page("provider_rotated", object, session: session, nav: "providers")
            }
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            group.post("providers/{id}/\(action)") { request, context in
                try await d.signedIn(request) { session in
                    try d.checkCSRF(try await Dashboard.form(CSRFForm.self, request, limit: 16_000).csrf, session)
                    let current = try await api.existing(context)
                    _ = try await api.setDisabled(current, disabled)
                    return Dashboard.redirect("/providers#provider-\(CampaignPageController.pathComponent(current.id))")
                }
            }
        }
    }

    /// A form value as a JSON scalar: the number literal as typed when it is one by the API's
    /// number rule (``JSONBody/number(text:)``), else a JSON string (which the API refuses naming
    /// the field and its range).
    static func jsonScalar(_ text: String) -> String {
        JSONBody.number(text: text)?.literal ?? ProviderEditForm.json(text)
    }

    /// `<option>`s of a `<select>`: each value, the stored one selected.
    static func options(_ values: [String], selected: String) -> [[String: Any]] {
        values.map { ["value": $0, "selected": $0 == selected] }
    }

    func callbackURL(_ p: ProviderConfig) -> String {
        "\(dashboard.config.publicBaseURL)/callbacks/\(p.id)?secret=\(p.callbackSecret)"
    }

    /// A sample callback of the generic contract for a message id no campaign has.
    static func sampleBody(meta: String, ts: Int64) -> String {
        #"[{"event":"delivered","data":[{"meta":"\#(meta)","ts":\#(ts),"description":"test callback from the SMSStats dashboard"}]}]"#
    }

    func sendTest(_ p: ProviderConfig) async -> TestResult {
        let meta = "smsstats-test-" + ShortCode.generate()
        let body = Self.sampleBody(meta: meta, ts: Dashboard.now())
        let url = callbackURL(p)
        var result = TestResult(providerId: p.id, url: url, requestBody: body, status: nil, responseBody: "", error: nil)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "SMSStats-dashboard-test")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let bytes = try await response.body.collect(upTo: 64_000)
            result.status = Int(response.status.code)
            result.responseBody = String(decoding: bytes.readableBytesView, as: UTF8.self)
        } catch {
            result.error = "could not reach \(dashboard.config.publicBaseURL) from this server: \(error)"
        }
        return result
    }

    /// The new-provider picker: every preset, and for the chosen one its fields to fill and what it fills.
    static func presetObject(_ chosen: String?) -> [String: Any] {
        let presets = ProviderPreset.all.map { p -> [String: Any] in ["kind": p.kind, "title": p.title, "selected": p.kind == chosen] }
        guard let chosen, let preset = ProviderPreset.named(chosen) else { return ["presets": presets] }
        let f = preset.provider
        var fills: [[String: String]] = [
            ["label": "Callback dialect", "value": f.kind.rawValue], ["label": "Method", "value": f.method],
            ["label": "URL", "value": f.url], ["label": "Body type", "value": f.bodyType],
            ["label": "Body template", "value": f.bodyTemplate.isEmpty ? "(empty: everything is in the URL)" : f.bodyTemplate],
        ]
        if let a = f.auth { fills.append(["label": "Authentication", "value": a.type.rawValue]) }
        for (name, value) in f.headers.sorted(by: { $0.key < $1.key }) { fills.append(["label": "Header \(name)", "value": value]) }
        if let b = f.batch { fills.append(["label": "Batch", "value": "\(b.size) messages a request under \"\(b.key)\""]) }
        if let m = f.messageIdPath { fills.append(["label": "Message id path", "value": m]) }
        if let m = f.messageIdPattern { fills.append(["label": "Message id pattern", "value": m]) }
        if let c = f.coding { fills.append(["label": "Coding ($$Coding)", "value": c.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(separator: ", ")]) }
        if f.detectsEncoding { fills.append(["label": "Encoding", "value": "chosen by the gateway"]) }
        fills.append(["label": "Delivery callbacks", "value": f.callbacksEnabled ? "on" : "off"])
        let fields = preset.fields.map { field -> [String: Any] in
            ["name": field.name, "title": field.title, "secret": field.secret, "help": field.help,
             "value": field.defaultValue ?? "", "required": field.defaultValue == nil]
        }
        return [
            "presets": presets,
            "preset": ["kind": preset.kind, "title": preset.title, "docs": preset.docs, "note": preset.note,
                       "defaultName": f.name, "fields": fields, "fills": fills] as [String: Any],
        ]
    }

    func render(session: DashboardSession, test: TestResult?, preset: String? = nil) async throws -> Response {
        let providers = try await dashboard.store.providers()
        let rows = providers.map { p -> [String: Any] in
            var row: [String: Any] = [
                "id": p.id, "name": p.name, "kind": p.kind.rawValue, "method": p.method, "url": p.url,
                "callbacksEnabled": p.callbacksEnabled, "callbackUrl": callbackURL(p), "secret": p.callbackSecret,
                "created": DisplayFormat.dateTime(p.createdAt, timeZone: "UTC"), "disabled": p.disabled == true,
                "bodyType": p.bodyType, "bodyTemplate": p.bodyTemplate, "messageIdPath": p.messageIdPath ?? "",
                "messageIdPattern": p.messageIdPattern ?? "", "messageIdHeader": p.messageIdHeader ?? "",
                "ratePerSecond": p.ratePerSecond.map { "\($0)" } ?? "", "maxConcurrency": p.maxConcurrency.map(String.init) ?? "",
                "hasSigningKey": p.webhookSigningKey != nil, "graceDefault": CallbackSecretRotation.defaultGraceSeconds,
                "kinds": Self.options(ProviderKind.allCases.map(\.rawValue), selected: p.kind.rawValue),
                "methods": Self.options(["POST", "GET"], selected: p.method.uppercased()),
                "bodyTypes": Self.options(["json", "form"], selected: p.bodyType.lowercased()),
                "requireSignature": p.requireSignature == true,
                "headersText": ProviderEditForm.headersText(p.headers), "headerLines": max(2, p.headers.count + 1),
                "batchKey": p.batch?.key ?? "", "batchSize": p.batch.map { String($0.size) } ?? "",
                "authTypes": Self.options(ProviderAuth.Kind.allCases.map(\.rawValue), selected: (p.auth?.type ?? .none).rawValue),
                "authUsername": p.auth?.username ?? "", "authTokenUrl": p.auth?.tokenUrl ?? "", "authClientId": p.auth?.clientId ?? "",
                "authScope": p.auth?.scope ?? "",
                "authClientAuthMethods": Self.options(["", "basic", "body"], selected: p.auth?.clientAuthMethod ?? "")
                    .map { o in o.merging(["label": (o["value"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "not set (basic)"]) { a, _ in a } },
                "hasPassword": p.auth?.password != nil, "hasToken": p.auth?.token != nil, "hasClientSecret": p.auth?.clientSecret != nil,
                "codingGSM7": p.coding?[EncodingPlaceholders.name(of: .gsm7)] ?? "", "codingUCS2": p.coding?[EncodingPlaceholders.name(of: .ucs2)] ?? "", "detectsEncoding": p.detectsEncoding == true,
                // The names only: a secret's value is never rendered.
                "secrets": (p.secrets ?? [:]).keys.sorted().map { ["secretName": $0] },
            ]
            if let t = test, t.providerId == p.id {
                row["test"] = [
                    "status": t.status.map(String.init) ?? "no answer", "ok": t.status == 200, "body": t.responseBody,
                    "requestBody": t.requestBody, "error": t.error ?? "", "hasError": t.error != nil,
                ] as [String: Any]
            }
            return row
        }
        return dashboard.page(
            "providers", ["title": "Providers", "providers": rows, "hasProviders": !rows.isEmpty, "new": Self.presetObject(preset)],
            session: session, nav: "providers")
    }
}
