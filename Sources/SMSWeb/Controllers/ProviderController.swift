import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SMSCore
import SMSGatewayHTTP

/// `POST /api/v1/providers`, `GET /api/v1/providers`, `GET|PATCH|DELETE /api/v1/providers/{id}`,
/// `POST /api/v1/providers/{id}/rotate-secret|disable|enable`, `GET|PUT /api/v1/providers/{id}/prices`
/// (``PriceTable``: 400 naming the field and its range, 404 for an unknown provider or, on `GET`, no table).
///
/// Creation and PATCH share one validation (``validate(_:keeping:)``): a PATCH merges its fields
/// into the provider's current ones and validates the result as a creation would; a 400 names
/// the field and its allowed range, and nothing is written. A secret field holding the mask
/// that views show (`********`) is refused by name, never stored as the secret
/// (``ProviderConfig/fieldsHoldingMask``). Every write is made from the version read
/// (``ProviderConfig/version``, the `ETag`): a PATCH sending `If-Match` with another version is a
/// 412, and a change made meanwhile by another request is a 409 (412 with `If-Match`).
struct ProviderController {
    let store: any SMSStore
    let config: AppConfig

    /// The provider request body of the API (`docs/DOMAIN.md` §2).
    struct Input: Decodable {
        var name: String
        var kind: ProviderKind?
        var method: String?
        var url: String
        var bodyType: String?
        var bodyTemplate: String
        var headers: [String: String]?
        var batch: BatchConfig?
        var callbacksEnabled: Bool?
        var messageIdPath: String?
        var messageIdPattern: String?
        var messageIdHeader: String?
        var ratePerSecond: Double?
        var webhookSigningKey: String?
        var requireSignature: Bool?
        var auth: ProviderAuth?
        var maxConcurrency: Int?
        var coding: [String: String]?
        var detectsEncoding: Bool?
        var secrets: [String: String]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, kind, method, url, bodyType, bodyTemplate, headers, batch, callbacksEnabled, messageIdPath,
                messageIdPattern, messageIdHeader, ratePerSecond, webhookSigningKey, requireSignature, auth, maxConcurrency, coding,
                detectsEncoding, secrets
        }

        /// Numbers are range-checked here (``InputLimits``): a 400 naming the field, never "malformed JSON".
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            kind = try c.decodeIfPresent(ProviderKind.self, forKey: .kind)
            method = try c.decodeIfPresent(String.self, forKey: .method)
            url = try c.decode(String.self, forKey: .url)
            bodyType = try c.decodeIfPresent(String.self, forKey: .bodyType)
            bodyTemplate = try c.decode(String.self, forKey: .bodyTemplate)
            headers = try c.decodeIfPresent([String: String].self, forKey: .headers)
            batch = try c.decodeIfPresent(BatchConfig.self, forKey: .batch)
            callbacksEnabled = try c.decodeIfPresent(Bool.self, forKey: .callbacksEnabled)
            messageIdPath = try c.decodeIfPresent(String.self, forKey: .messageIdPath)
            messageIdPattern = try c.decodeIfPresent(String.self, forKey: .messageIdPattern)
            messageIdHeader = try c.decodeIfPresent(String.self, forKey: .messageIdHeader)
            ratePerSecond = try c.decodeIfPresent(.ratePerSecond, in: InputLimits.ratePerSecond)
            webhookSigningKey = try c.decodeIfPresent(String.self, forKey: .webhookSigningKey)
            requireSignature = try c.decodeIfPresent(Bool.self, forKey: .requireSignature)
            auth = try c.decodeIfPresent(ProviderAuth.self, forKey: .auth)
            maxConcurrency = try c.decodeIntIfPresent(.maxConcurrency, in: InputLimits.maxConcurrency)
            coding = try c.decodeIfPresent([String: String].self, forKey: .coding)
            detectsEncoding = try c.decodeIfPresent(Bool.self, forKey: .detectsEncoding)
            secrets = try c.decodeIfPresent([String: String].self, forKey: .secrets)
        }

        /// A body built in code (a preset's provider, ``ProviderPreset/filled(name:values:)``).
        init(_ filled: ProviderPreset.Filled) {
            name = filled.name
            kind = filled.kind
            method = filled.method
            url = filled.url
            bodyType = filled.bodyType
            bodyTemplate = filled.bodyTemplate
            headers = filled.headers.isEmpty ? nil : filled.headers
            batch = filled.batch
            callbacksEnabled = filled.callbacksEnabled
            messageIdPath = filled.messageIdPath
            messageIdPattern = filled.messageIdPattern
            webhookSigningKey = filled.webhookSigningKey
            auth = filled.auth
            coding = filled.coding
            detectsEncoding = filled.detectsEncoding ? true : nil
            secrets = filled.secrets.isEmpty ? nil : filled.secrets
        }
    }

    /// A provider as the API shows it: the config plus the callback URL to paste into the provider.
    struct View: Encodable {
        var provider: ProviderConfig
        var callbackUrl: String

        /// Secrets (auth, signing key, credential headers) are masked: they are never shown back
        /// (``ProviderConfig/redacted``).
        func encode(to encoder: any Encoder) throws {
            try provider.redacted.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(callbackUrl, forKey: .callbackUrl)
        }
        enum K: String, CodingKey { case callbackUrl }
    }

    func view(_ p: ProviderConfig) -> View {
        View(provider: p, callbackUrl: "\(config.publicBaseURL)/callbacks/\(p.id)?secret=\(p.callbackSecret)")
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("providers") { request, context in
            let body = try await request.collectBody(upTo: 1_000_000, what: "provider")
            let provider = try await create(body: body)
            return try JSON.response(view(provider), status: .created)
        }
        group.get("provider-presets") { _, _ in
            try JSON.response(ProviderPreset.all)
        }
        group.get("providers") { _, _ in
            try JSON.response(try await store.providers().map(view))
        }
        group.get("providers/{id}") { _, context in
            let provider = try await existing(context)
            return Self.tagged(try JSON.response(view(provider)), provider)
        }
        group.patch("providers/{id}") { request, context in
            let current = try await existing(context)
            let precondition = try Self.precondition(request, current: current)
            let body = try await request.collectBody(upTo: 1_000_000, what: "provider")
            let written = try await patch(current, body: body, preconditioned: precondition != nil)
            return Self.tagged(try JSON.response(view(written)), written)
        }
        group.post("providers/{id}/rotate-secret") { request, context in
            let current = try await existing(context)
            let precondition = try Self.precondition(request, current: current)
            let body = try await request.collectBody(upTo: 10_000, what: "rotation")
            let (rotation, written) = try await rotate(current, body: body, preconditioned: precondition != nil)
            return Self.tagged(try JSON.response(rotation), written)
        }
        for (action, disabled) in [("disable", true), ("enable", false)] {
            group.post("providers/{id}/\(action)") { request, context in
                let current = try await existing(context)
                let precondition = try Self.precondition(request, current: current)
                try await JSON.refuseFields(request, what: "\(action) request")
                let written = try await setDisabled(current, disabled, preconditioned: precondition != nil)
                return Self.tagged(try JSON.response(view(written)), written)
            }
        }
        group.get("providers/{id}/prices") { _, context in
            let provider = try await existing(context)
            guard let prices = try await store.priceTable(providerId: provider.id) else {
                throw HTTPError(.notFound, message: "provider '\(InputEcho.text(provider.id))' has no price table")
            }
            return try JSON.response(prices)
        }
        group.put("providers/{id}/prices") { request, context in
            let provider = try await existing(context)
            let body = try await request.collectBody(upTo: 100_000, what: "price table")
            let prices = try JSON.decode(PriceTable.self, from: body, what: "price table")
            guard try await store.setPriceTable(prices, providerId: provider.id) else {
                throw HTTPError(.notFound, message: "unknown provider '\(InputEcho.text(provider.id))'")
            }
            return try JSON.response(prices)
        }
        group.delete("providers/{id}") { _, context in
            let id = try PathParameter.text(context, "id")
            switch try await store.deleteProvider(id: id) {
            case .deleted: return Response(status: .noContent)
            case .notFound: throw HTTPError(.notFound, message: "unknown provider '\(InputEcho.text(id))'")
            case .inUse(let campaigns):
                return try JSON.response(
                    InUseView(
                        error: .init(message: "provider '\(InputEcho.text(id))' is used by \(campaigns.count) campaign(s): "
                            + campaigns.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")),
                        campaigns: campaigns),
                    status: .conflict)
            }
        }
    }

    /// Creation (API): a body with `"preset"` is a ``PresetInput`` (``createFromPreset(_:)``), any
    /// other a full ``Input``. - Throws: 400 naming the fields.
    func create(body: ByteBuffer) async throws -> ProviderConfig {
        let json: JSONBody
        do {
            json = try JSONBody.read(Data(buffer: body))
        } catch {
            throw HTTPError(.badRequest, message: "invalid provider: \(error.message)")
        }
        if case .object(let object) = json.value, object["preset"] != nil {
            return try await createFromPreset(try JSON.decode(PresetInput.self, from: json, what: "provider"))
        }
        let provider = try validate(try JSON.decode(Input.self, from: body, what: "provider"))
        try await store.insertProvider(provider)
        return provider
    }

    /// Creation from a preset (API and dashboard): the preset's provider with the user's fields
    /// (``ProviderPreset/filled(name:values:)``), validated as any creation, stored.
    /// - Throws: 400 naming an unknown preset (and listing the presets), the fields missing or
    ///   unknown, or what the validation refuses.
    func createFromPreset(_ input: PresetInput) async throws -> ProviderConfig {
        guard let preset = ProviderPreset.named(input.preset) else {
            throw HTTPError(
                .badRequest,
                message: "invalid provider: unknown preset '\(InputEcho.text(input.preset))': the presets are "
                    + ProviderPreset.all.map(\.kind).joined(separator: ", "))
        }
        let filled: ProviderPreset.Filled
        do {
            filled = try preset.filled(name: input.name, values: input.fields ?? [:])
        } catch {
            throw HTTPError(.badRequest, message: "invalid provider: \(error.description)")
        }
        var body = Input(filled)
        body.ratePerSecond = input.ratePerSecond
        body.maxConcurrency = input.maxConcurrency
        let provider = try validate(body)
        try await store.insertProvider(provider)
        return provider
    }

    /// The body of a creation from a preset: `{"preset": "<kind>", "name"?, "fields": {…},
    /// "ratePerSecond"?, "maxConcurrency"?}` (`GET /api/v1/provider-presets` lists the kinds and
    /// each one's fields).
    struct PresetInput: Decodable {
        var preset: String
        var name: String?
        var fields: [String: String]?
        var ratePerSecond: Double?
        var maxConcurrency: Int?

        enum CodingKeys: String, CodingKey { case preset, name, fields, ratePerSecond, maxConcurrency }

        init(preset: String, name: String?, fields: [String: String]?) {
            self.preset = preset
            self.name = name
            self.fields = fields
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            preset = try c.decode(String.self, forKey: .preset)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            fields = try c.decodeIfPresent([String: String].self, forKey: .fields)
            ratePerSecond = try c.decodeIfPresent(.ratePerSecond, in: InputLimits.ratePerSecond)
            maxConcurrency = try c.decodeIntIfPresent(.maxConcurrency, in: InputLimits.maxConcurrency)
        }
    }

    /// PATCH (API and dashboard): `body` (a JSON merge patch, ``ProviderPatch``) merged into
    /// `current`, validated as a creation, written. `"kind": null` removes the kind, which makes it
    /// `generic` (as a creation without `kind`).
    /// - Throws: 400 naming the field; 409 naming the campaigns when the kind changes while a
    ///   campaign that is scheduled, sending or paused, or finished less than 24 h ago, uses the
    ///   provider (``ProviderKindChange``);
    ///   404/409/412 of ``write(_:over:preconditioned:)``.
    func patch(_ current: ProviderConfig, body: ByteBuffer, preconditioned: Bool = false) async throws -> ProviderConfig {
        let updated = try validate(try ProviderPatch.merged(current, patch: body), keeping: current)
        if updated.kind != current.kind {
            let blocking = ProviderKindChange.blockingCampaigns(
                current: current, updated: updated, campaigns: try await store.campaigns(), now: config.now())
            if !blocking.isEmpty {
                throw HTTPError(.conflict, message: ProviderKindChange.refusal(current: current, updated: updated, blocking: blocking))
            }
        }
        return try await write(updated, over: current, preconditioned: preconditioned)
    }

    /// Rotation of the callback secret (API and dashboard): `body` is empty or ``RotationInput``
    /// (`graceSeconds` default ``CallbackSecretRotation/defaultGraceSeconds``).
    /// - Throws: 400 naming `graceSeconds` out of ``InputLimits/graceSeconds``; 404/409 of ``write(_:over:preconditioned:)``.
    /// - Parameter preconditioned: the request sent `If-Match` (a change made meanwhile is then a 412).
    /// - Returns: the answer and the provider as stored (its new version, the `ETag`).
    func rotate(_ current: ProviderConfig, body: ByteBuffer, preconditioned: Bool = false) async throws -> (RotationView, ProviderConfig) {
        let grace = body.readableBytes == 0
            ? CallbackSecretRotation.defaultGraceSeconds
            : Int64(try JSON.decode(RotationInput.self, from: body, what: "rotation").graceSeconds ?? Int(CallbackSecretRotation.defaultGraceSeconds))
        let rotated = CallbackSecretRotation.rotate(current, newSecret: Self.newSecret(), now: config.now(), graceSeconds: grace)
        let written = try await write(rotated, over: current, preconditioned: preconditioned)
        let view = RotationView(
            callbackUrl: view(written).callbackUrl, callbackSecret: written.callbackSecret,
            previousSecretValidUntil: written.previousSecretValidUntil ?? config.now())
        return (view, written)
    }

    /// Disable (no new sends; callbacks still accepted) or enable (API and dashboard).
    func setDisabled(_ current: ProviderConfig, _ disabled: Bool, preconditioned: Bool = false) async throws -> ProviderConfig {
        var provider = current
        provider.disabled = disabled ? true : nil
        return try await write(provider, over: current, preconditioned: preconditioned)
    }

    /// The `If-Match` of a write to a provider (PATCH, rotate-secret, disable, enable: every
    /// conditional write the same way, ``EntityTag``), checked against `current`.
    /// - Returns: the precondition, or `nil` when the request has no `If-Match`.
    /// - Throws: 400 for a header that is not `*` or entity tags; 412 `provider 'p' is at version 4
    ///   (ETag "4"); If-Match named "3": read it again and retry` when it names another version.
    static func precondition(_ request: Request, current: ProviderConfig) throws -> EntityTag? {
        let precondition = try EntityTag.ifMatch(request.headers[.ifMatch], of: "provider", form: "a version in quotes, e.g. \"3\"")
        if let precondition, !precondition.matches(EntityTag.provider(current)) {
            throw HTTPError(
                .preconditionFailed,
                message: "provider '\(current.id)' is at version \(current.version ?? 0) (ETag \(EntityTag.provider(current))); "
                    + "If-Match named \(precondition.description): read it again and retry")
        }
        return precondition
    }

    /// The provider named by the path's `{id}`. - Throws: 404 `unknown provider '<id>'`.
    func existing(_ context: AppRequestContext) async throws -> ProviderConfig {
        let id = try PathParameter.text(context, "id")
        guard let p = try await store.provider(id: id) else {
            throw HTTPError(.notFound, message: "unknown provider '\(InputEcho.text(id))'")
        }
        return p
    }

    /// Writes `provider` in place of `current` if nobody changed it since it was read
    /// (``SMSStore/updateProvider(_:ifVersion:)``). - Returns: the stored provider (new version).
    /// - Throws: 404 when it was deleted meanwhile; when it changed meanwhile, 412 for a request
    ///   that sent `If-Match` (`preconditioned`), else 409 (read it again and retry).
    func write(_ provider: ProviderConfig, over current: ProviderConfig, preconditioned: Bool = false) async throws -> ProviderConfig {
        switch try await store.updateProvider(provider, ifVersion: current.version ?? 0) {
        case .updated(let written): return written
        case .notFound: throw HTTPError(.notFound, message: "unknown provider '\(current.id)'")
        case .versionMismatch(let now):
            throw HTTPError(
                preconditioned ? .preconditionFailed : .conflict,
                message: "provider '\(current.id)' changed while this request ran (version \(current.version ?? 0) → \(now)): read it again and retry")
        }
    }

    /// `response` with the provider's `ETag` (``EntityTag/provider(_:)``).
    static func tagged(_ response: Response, _ provider: ProviderConfig) -> Response {
        var r = response
        r.headers[.eTag] = EntityTag.provider(provider)
        return r
    }

    /// A new callback secret: 30 base62 characters (~178 bits).
    static func newSecret() -> String { ShortCode.generate() + ShortCode.generate() + ShortCode.generate() }

    /// The optional body of `rotate-secret`: `graceSeconds` within ``InputLimits/graceSeconds``.
    struct RotationInput: Decodable {
        var graceSeconds: Int?
        enum CodingKeys: String, CodingKey { case graceSeconds }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            graceSeconds = try c.decodeIntIfPresent(.graceSeconds, in: InputLimits.graceSeconds)
        }
    }

    /// The answer of `rotate-secret`: the new callback URL and secret, and when the previous
    /// secret stops being accepted (epoch seconds).
    struct RotationView: Encodable {
        var callbackUrl: String
        var callbackSecret: String
        var previousSecretValidUntil: Int64
    }

    /// The 409 of a DELETE of a provider in use: the usual error object plus the campaigns.
    struct InUseView: Encodable {
        struct Message: Encodable { var message: String }
        var error: Message
        var campaigns: [CampaignReference]
    }

    /// Checks a provider's fields (creation, and a PATCH merged into the current provider) and
    /// builds the configuration. - Parameter current: for a PATCH, the provider whose id, callback
    /// secrets, creation time and disabled flag are kept; `nil` = a new provider.
    /// - Throws: 400 `invalid provider: …` naming every field that is wrong.
    func validate(_ input: Input, keeping current: ProviderConfig? = nil) throws -> ProviderConfig {
        var problems: [String] = []
        let method = (input.method ?? "POST").uppercased()
        if method != "POST" && method != "GET" { problems.append("method must be POST or GET") }
        let bodyType = (input.bodyType ?? "json").lowercased()
        if bodyType != "json" && bodyType != "form" { problems.append("bodyType must be json or form") }
        if let p = TextInput.problem(input.url, field: "url", kind: .identifier) { problems.append(p) }
        for (name, value) in (input.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let p = TextInput.problem(name, field: "a name of headers", kind: .identifier) { problems.append(p) }
            if let p = TextInput.problem(value, field: "headers.\(name)", kind: .identifier) { problems.append(p) }
        }
        if let u = URL(string: input.url), let s = u.scheme?.lowercased(), s == "http" || s == "https", u.host != nil {
        } else {
            problems.append("url must be an absolute http(s) URL")
        }
        if input.name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("name is empty") }
        if let p = TextInput.lengthProblem(input.name, field: "name", limit: InputLimits.nameLength) { problems.append(p) }
        do {
            try ProviderTemplate.validate(template: input.url + " " + input.bodyTemplate, allowed: Set((input.secrets ?? [:]).keys))
        } catch {
            // An unknown placeholder is named in the field that holds it.
            if case .unknownPlaceholder(let name) = error, ProviderTemplate.placeholders(in: input.url).contains(name),
               !ProviderTemplate.placeholders(in: input.bodyTemplate).contains(name) {
                problems.append("url: \(error)")
            } else {
                problems.append("bodyTemplate: \(error)")
            }
        }
        if let problem = ProviderTemplate.urlPlaceholderProblem(input.url) { problems.append(problem) }
        for (key, value) in (input.coding ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let p = TextInput.problem(value, field: "coding.\(key)", kind: .identifier) { problems.append(p) }
        }
        for name in (input.secrets ?? [:]).keys.sorted() where !ProviderTemplate.isCustomName(name) {
            problems.append("secrets has the name '\(InputEcho.text(name))': a secret's name is a placeholder name ([A-Za-z][A-Za-z0-9_]*) that is not a standard placeholder")
        }
        for (name, value) in (input.secrets ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let p = TextInput.problem(value, field: "secrets.\(name)", kind: .text) { problems.append(p) }
        }
        problems += EncodingPlaceholders.problems(
            coding: input.coding, placeholders: ProviderTemplate.placeholders(in: input.url + " " + input.bodyTemplate))
        if input.batch != nil, bodyType != "json" || method != "POST" {
            problems.append("batching needs method POST and bodyType json")
        }
        if let auth = input.auth { problems += auth.problems }
        problems += Self.messageIdProblems(input)
        guard problems.isEmpty else { throw HTTPError(.badRequest, message: "invalid provider: " + problems.joined(separator: "; ")) }
        var provider = ProviderConfig(
            id: current?.id ?? "prv_" + ShortCode.generate(), name: input.name, kind: input.kind ?? .generic, method: method,
            url: input.url, bodyType: bodyType, bodyTemplate: input.bodyTemplate, headers: input.headers ?? [:],
            batch: input.batch, callbacksEnabled: input.callbacksEnabled ?? true,
            callbackSecret: current?.callbackSecret ?? Self.newSecret(),
            messageIdPath: input.messageIdPath, ratePerSecond: input.ratePerSecond, createdAt: current?.createdAt ?? config.now(),
            webhookSigningKey: input.webhookSigningKey, requireSignature: input.requireSignature,
            auth: input.auth?.type == ProviderAuth.Kind.none ? nil : input.auth, maxConcurrency: input.maxConcurrency)
        provider.messageIdPattern = Self.nonEmpty(input.messageIdPattern)
        provider.messageIdHeader = Self.nonEmpty(input.messageIdHeader)
        provider.previousCallbackSecret = current?.previousCallbackSecret
        provider.previousSecretValidUntil = current?.previousSecretValidUntil
        provider.disabled = current?.disabled
        provider.version = current?.version
        provider.coding = input.coding
        provider.detectsEncoding = input.detectsEncoding
        provider.secrets = input.secrets
        let masked = provider.fieldsHoldingMask
        guard masked.isEmpty else {
            throw HTTPError(
                .badRequest,
                message: "invalid provider: " + masked.map { "\($0) holds '\(ProviderAuth.mask)', the mask views show in place of a secret" }
                    .joined(separator: "; ") + "; send the secret itself, or leave the field out of a PATCH to keep it")
        }
        if let problem = trialRequestProblem(provider) {
            throw HTTPError(.badRequest, message: "invalid provider: " + problem)
        }
        return provider
    }

    /// Where the provider's message id is read from (``ProviderMessageIdReader``):
    /// `messageIdPattern` compiles with exactly one capture group (``MessageIdPattern``),
    /// `messageIdHeader` is an HTTP field name (RFC 9110 §5.1 token, at most 256 characters), and
    /// `messageIdPath` (a JSON body) goes with neither. An empty string means "none".
    /// - Returns: one problem per wrong field (empty: all fine).
    static func messageIdProblems(_ input: Input) -> [String] {
        var problems: [String] = []
        let path = nonEmpty(input.messageIdPath), pattern = nonEmpty(input.messageIdPattern), header = nonEmpty(input.messageIdHeader)
        if let pattern {
            do { _ = try MessageIdPattern(pattern) } catch { problems.append(error.description) }
        }
        if let header, header.count > InputLimits.identifierLength || HTTPField.Name(header) == nil {
            problems.append("messageIdHeader must be an HTTP header name (letters, digits and !#$%&'*+-.^_`|~, 1 to \(InputLimits.identifierLength) characters)")
        }
        if path != nil, pattern != nil || header != nil {
            problems.append("messageIdPath reads a JSON answer and cannot be combined with \(pattern != nil ? "messageIdPattern" : "messageIdHeader"): set one of them")
        }
        return problems
    }

    static func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

    /// Builds the request of a sample message with every placeholder filled, as the dispatcher
    /// would, so a template that can never be sent (a batch key missing from the JSON template, a
    /// JSON body that is not JSON once filled) is refused now rather than failing every message of
    /// a campaign at send time. - Returns: what is wrong, or `nil`.
    func trialRequestProblem(_ provider: ProviderConfig) -> String? {
        let sample = OutboundMessage(messageId: 1, campaignId: "cmp_sample", userId: "u", to: "+4915112345678", body: "Hello", meta: "m1")
        var values: [String: String] = [:]
        for name in ProviderTemplate.placeholders(in: provider.bodyTemplate + provider.url) { values[name] = "x" }
        let built: [(request: ProviderRequest, messageIds: [Int64])]
        do {
            built = try ProviderRequestBuilder.requests(
                for: [sample], provider: provider, customValues: values, publicBaseURL: config.publicBaseURL)
        } catch {
            return "bodyTemplate: \(error)"
        }
        if provider.method.uppercased() == "POST", provider.bodyType.lowercased() == "json", let body = built.first?.request.body,
            (try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])) == nil
        {
            return "bodyTemplate is not valid JSON once its placeholders are filled: \(body.prefix(200))"
        }
        return nil
    }

}
