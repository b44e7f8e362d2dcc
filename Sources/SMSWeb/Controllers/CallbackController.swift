import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SMSCore

/// `POST|GET /callbacks/{providerId}` (and every other method, to answer it): delivery callbacks in the provider's dialect, chosen by the
/// provider's `kind` (``CallbackDialect``): the generic contract of `docs/DOMAIN.md` §3 (JSON array of
/// groups), Vonage, Sinch and Gupshup JSON, Twilio, Plivo and Jasmin form fields, Kannel's
/// `dlr-url` query.
///
/// Answers:
/// - 200 with the contract's success body; Jasmin gets the text `ACK/Jasmin` (anything else makes
///   it resend), also when its DLR was kept as an ingestion error, since a resend cannot fix it;
/// - 400 naming the invalid items (the valid ones of the batch are applied; the invalid ones are
///   stored whole as ingestion errors, replayable; an item whose time is more than 24 h after the
///   server clock is one, ``EventTimeWindow``) or saying why the body is unreadable (stored too),
///   a form or query field that is not UTF-8 included (`the callback field 'answer' is not valid
///   UTF-8 (…)`, the fields stored as received; the `text:` part of Kannel's `answer` and the
///   Jasmin fields its dialect does not read, `text` among them, are not checked,
///   ``CallbackDialect/utf8CheckedPart(_:)``); a JSON body's leading UTF-8 BOM is skipped;
/// - 400 for a form or query field given more than once (`type=16&type=1`): the callback is one
///   invalid item naming the field (`the callback field 'type' appears 2 times: …`), kept as received;
/// - 415 for a `Content-Encoding` other than `identity`, a `multipart/…` body, or a JSON body to a
///   form dialect (which reads `application/x-www-form-urlencoded`, ``CallbackMethodPolicy/contentTypeRefusal(_:kind:bodyIsEmpty:)``),
///   the body stored as received;
/// - 401 for a missing or wrong secret, token or signature (``CallbackAuthenticator``; the
///   provider's own signature when it has a `webhookSigningKey`: ``NativeCallbackSignature``,
///   stale or replayed ones included: a valid signature's nonce is recorded in the database before
///   the request is accepted, so a replay is refused by every server, ``SignatureNonceStore``, and
///   forgotten again when the request then fails with a 5xx, so the provider's retry is taken), or for an
///   item on another message than the one the URL's token is for (``CallbackToken/bind(_:toMeta:)``,
///   nothing applied), logged with the provider id and the reason, never the secret;
/// - 404 for an unknown provider; 405 with an `Allow` header for a method the dialect does not
///   take (``CallbackMethodPolicy``: a GET to a JSON-only dialect, any PUT, PATCH, DELETE, HEAD or
///   OPTIONS); when authenticated like a POST it is also kept as an ingestion error (method, path,
///   query without the secret) so a misconfigured provider is seen, never silently lost;
///   413 for a body over `maxCallbackBytes` (5 MB; a larger declared `Content-Length` is answered
///   before the body is read, and an authenticated one is kept as an ingestion error without its
///   body, ``keepTooLarge(_:provider:credentials:reason:)``) or more than `maxCallbackItems` (10,000) items;
/// - 503 when the store fails (``StoreErrorMiddleware``), so the provider retries.
struct CallbackController {
    let store: any SMSStore
    let config: AppConfig
    let logger: Logger
    var metrics: AppMetrics = .shared
    /// Where the nonces of valid native signatures are recorded (``NativeCallbackSignature``,
    /// ``SignatureReplay``): the database, shared by every server, so a replay is refused on any.
    let nonces: any SignatureNonceStore

    static let secretHeader = HTTPField.Name("X-Callback-Secret")!
    static let timestampHeader = HTTPField.Name(CallbackAuthenticator.timestampHeader)!
    static let signatureHeader = HTTPField.Name(CallbackAuthenticator.signatureHeader)!
    static let twilioHeader = HTTPField.Name(CallbackAuthenticator.twilioHeader)!

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("callbacks/{providerId}") { request, context in try await handle(request, context) }
        router.get("callbacks/{providerId}") { request, context in try await handle(request, context) }
        for method in [HTTPRequest.Method.put, .patch, .delete, .head, .options] {
            router.on("callbacks/{providerId}", method: method) { request, context in try await handle(request, context) }
        }
    }

    func handle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let providerId = try PathParameter.text(context, "providerId")
        guard let provider = try await store.provider(id: providerId) else {
            throw HTTPError(.notFound, message: "unknown provider '\(InputEcho.text(providerId))'")
        }
        // Our own `secret` or `token` once (a 400 naming it otherwise); the dialect's fields are read below.
        let queryPairs = FormFields.pairs(request.uri.query ?? "")
        func one(_ name: String) throws -> String? { try QueryParameter.single(name, values: queryPairs.filter { $0.0 == name }.map(\.1)) }
        let token = try one(CallbackToken.parameter)
        let credentials = CallbackAuthenticator.Credentials(
            urlSecret: try one("secret") ?? request.headers[Self.secretHeader],
            timestamp: request.headers[Self.timestampHeader], signature: request.headers[Self.signatureHeader],
            twilioSignature: request.headers[Self.twilioHeader],
            token: token, tokenMeta: try token.flatMap { _ in try one("meta") })
        do {
            try CallbackAuthenticator.checkWithoutBody(credentials, provider: provider, now: config.now())
        } catch {
            throw unauthorized(error, providerId: providerId)
        }

        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: config.maxCallbackBytes, what: "callback")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            try await keepTooLarge(request, provider: provider, credentials: credentials, reason: error.body ?? "callback body too large")
            throw error
        }
        let body = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isForm = contentType.hasPrefix("application/x-www-form-urlencoded")
        let bodyIsJSON = !isForm && !body.isEmpty
        let readsFields = CallbackDialect.readsFields(provider.kind, bodyIsJSON: bodyIsJSON)
        let readsForm = (isForm || (readsFields && !contentType.contains("json"))) && !body.isEmpty
        // Every field as received, repeats included: Twilio signs all values of a repeated field.
        let formFields = readsForm ? FormFields.pairs(String(decoding: body, as: UTF8.self)) : []
        let now = config.now()
        // The URL providers sign: the configured public URL, the path and query as received.
        let signedURL = config.publicBaseURL + request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let native: NativeCallbackSignature.Signed?
        do {
            try CallbackAuthenticator.checkBody(
                credentials, provider: provider, body: body, now: now,
                twilioURL: signedURL,
                formFields: formFields)
            native = try NativeCallbackSignature.check(
                .init(
                    method: request.method.rawValue, url: signedURL, headers: request.headers, body: body,
                    formFields: formFields),
                provider: provider, now: now)
        } catch {
            throw unauthorized(error, providerId: providerId)
        }
        guard let signed = native else { return try await accept(request, provider: provider, credentials: credentials, body: body, now: now) }
        // A valid native signature is accepted once on any server: its nonce is recorded first
        // (one atomic insert-if-absent in the database), a nonce recorded already is a replay.
        guard try await nonces.recordSignatureNonce(signed.nonce, now: now) else {
            throw unauthorized(NativeCallbackSignature.replayFailure(signed.scheme), providerId: providerId)
        }
        do {
            return try await accept(request, provider: provider, credentials: credentials, body: body, now: now)
        } catch {
            // Not accepted (the store failed: 503, the provider retries the same signed request):
            // the nonce is forgotten, so the retry is not a replay. A 4xx keeps it (a resend changes nothing).
            if let http = error as? HTTPError, http.status.code < 500 { throw error }
            do {
                try await nonces.releaseSignatureNonce(signed.nonce)
            } catch {
                logger.error(
                    "a signed callback failed and its nonce could not be released: the provider's retry within the window is refused as a replay",
                    metadata: ["provider": "\(providerId)", "error": "\(error)"])
            }
            throw error
        }
    }

    /// The rest of ``handle(_:_:)`` for an authenticated request (its signature's nonce recorded):
    /// the method and content type, the dialect's parse, the items applied and the errors kept.
    func accept(
        _ request: Request, provider: ProviderConfig, credentials: CallbackAuthenticator.Credentials, body: [UInt8], now: Int64
    ) async throws -> Response {
        let providerId = provider.id
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isForm = contentType.hasPrefix("application/x-www-form-urlencoded")
        let bodyIsJSON = !isForm && !body.isEmpty
        let readsFields = CallbackDialect.readsFields(provider.kind, bodyIsJSON: bodyIsJSON)
        let readsForm = (isForm || (readsFields && !contentType.contains("json"))) && !body.isEmpty
        if !CallbackMethodPolicy.allowed(provider.kind).contains(request.method) {
            throw try await wrongMethod(request, provider: provider, body: body, now: now)
        }

        // What arrived, byte for byte, whatever the content type: kept as the raw of an invalid item
        // (CallbackDialect.storedRaw), so a body refused for its content type can be replayed.
        let query = FormFields.removingCredentials(from: request.uri.query ?? "")
        let fieldText = FormFields.received(form: body, query: query)
        if let refusal = AdminRequestContractMiddleware<AppRequestContext>.encodingRefusal(request)
            ?? CallbackMethodPolicy.contentTypeRefusal(request.headers[.contentType], kind: provider.kind, bodyIsEmpty: body.isEmpty)
        {
            // Kept as received (compressed, multipart), like any other refused body, so the operator sees it.
            try await store.recordIngestionErrors([
                IngestionErrorInput(
                    source: "callback", providerId: providerId, reason: refusal.body ?? "", raw: readsFields ? fieldText : body,
                    receivedAt: now, bodyKind: readsFields ? .fields : .json)
            ])
            metrics.ingestionErrorsRecorded(1, source: .callback)
            metrics.recordCallback(applied: 0, duplicates: 0, pending: 0, invalid: 1)
            throw refusal
        }
        // What the fields are read from: the body only when it is read as a form.
        let fieldBytes = readsForm ? fieldText : Array(query.utf8)
        let parsed: CallbackParseResult
        do throws(CallbackParseError) {
            // A field that is not UTF-8 is refused naming it, never read with U+FFFD; the request's
            // fields are kept as received (percent-encoded: exact and replayable).
            // Kannel's receipt `text:` and Jasmin's `text` (the message's own bytes, UCS-2 ones too)
            // are not read, so not checked; nor is any other field Jasmin's dialect does not read.
            if readsFields,
                case .failure(let invalid) = FormFields.strictPairs(
                    bytes: fieldBytes, checkedPart: CallbackDialect.utf8CheckedPart(provider.kind))
            {
                throw CallbackParseError.invalidUTF8Fields(invalid.message(noun: "callback field"))
            }
            // A field named twice is an invalid item naming it (CallbackDialect decodes the pairs).
            parsed = try CallbackDialect.parse(
                kind: provider.kind, body: Data(body), fieldText: fieldBytes, bodyIsJSON: bodyIsJSON,
                maxItems: config.maxCallbackItems, now: now)
        } catch {
            if case .tooManyItems(let n) = error {
                throw HTTPError(.contentTooLarge, message: "\(n) items in one callback; at most \(config.maxCallbackItems)")
            }
            try await store.recordIngestionErrors([
                IngestionErrorInput(
                    source: "callback", providerId: providerId, reason: error.description, raw: readsFields ? fieldText : body,
                    receivedAt: now, bodyKind: readsFields ? .fields : .json)
            ])
            metrics.ingestionErrorsRecorded(1, source: .callback)
            metrics.recordCallback(applied: 0, duplicates: 0, pending: 0, invalid: 1)
            // Jasmin resends anything but its acknowledgement, and a resend cannot fix the DLR.
            if provider.kind == .jasmin { return Self.jasminAcknowledgement }
            return Self.response(CallbackResponse.malformedBody(error))
        }
        var items = parsed.items
        if credentials.token != nil, let meta = credentials.tokenMeta {
            // A message's token reports on that message only (checked above against the URL's meta);
            // bound before the provider ids are normalised (a provider-id-only item has meta == id as parsed).
            switch CallbackToken.bind(items, toMeta: meta) {
            case .success(let bound): items = bound
            case .failure(let refusal): throw unauthorized(CallbackAuthenticator.Failure(reason: refusal.reason), providerId: providerId)
            }
        }
        items = items.map { ProviderMessageId.normalize($0, kind: provider.kind) }
        let result = try await store.applyCallbacks(providerId: providerId, items: items, receivedAt: now)
        if !parsed.invalid.isEmpty {
            try await store.recordIngestionErrors(
                parsed.invalid.map {
                    IngestionErrorInput(
                        source: "callback", providerId: providerId, reason: $0.reason,
                        raw: CallbackDialect.storedRaw($0, kind: provider.kind, fields: readsFields ? fieldText : nil),
                        receivedAt: now, bodyKind: readsFields ? .fields : .json)
                })
            metrics.ingestionErrorsRecorded(parsed.invalid.count, source: .callback)
        }
        metrics.recordCallback(
            applied: result.applied, duplicates: result.duplicates, pending: result.pending, invalid: parsed.invalid.count)
        if provider.kind == .jasmin { return Self.jasminAcknowledgement }
        return Self.response(CallbackResponse.make(for: parsed, processedEvents: parsed.items.count, timestamp: now))
    }

    /// Keeps a callback refused as too large (413: its declared `Content-Length` or its bytes over
    /// `maxCallbackBytes`) as an ingestion error, so the operator sees it: the reason (the 413's
    /// words, with the limit and the declared size) and the request as a request record
    /// (``CallbackMethodPolicy/raw(method:path:query:body:)``: method, path, query without the
    /// secret). **Decision:** nothing of the body is kept — it was not read (declared too large) or
    /// is cut at the limit, and a cut body is no byte-for-byte copy; the record is replayed with
    /// the body as a correction (`raw` / `rawBase64`). Only for a request whose URL secret (or
    /// `X-Callback-Secret`) was valid: a signature alone covers the body, which was not checked.
    func keepTooLarge(_ request: Request, provider: ProviderConfig, credentials: CallbackAuthenticator.Credentials, reason: String) async throws {
        // A token was checked against the URL's meta already (checkWithoutBody).
        guard credentials.urlSecret != nil || credentials.token != nil else { return }
        try await store.recordIngestionErrors([
            IngestionErrorInput(
                source: "callback", providerId: provider.id, reason: reason,
                raw: CallbackMethodPolicy.raw(method: request.method, path: request.uri.path, query: request.uri.query, body: []),
                receivedAt: config.now())
        ])
        metrics.ingestionErrorsRecorded(1, source: .callback)
        metrics.recordCallback(applied: 0, duplicates: 0, pending: 0, invalid: 1)
    }

    /// Keeps an authenticated request with a method the dialect does not take as an ingestion
    /// error, and returns the 405 (with `Allow`) to throw.
    func wrongMethod(_ request: Request, provider: ProviderConfig, body: [UInt8], now: Int64) async throws -> HTTPError {
        let reason = CallbackMethodPolicy.reason(method: request.method, kind: provider.kind)
        try await store.recordIngestionErrors([
            IngestionErrorInput(
                source: "callback", providerId: provider.id, reason: reason,
                raw: CallbackMethodPolicy.raw(method: request.method, path: request.uri.path, query: request.uri.query, body: body),
                receivedAt: now)
        ])
        metrics.ingestionErrorsRecorded(1, source: .callback)
        metrics.recordCallback(applied: 0, duplicates: 0, pending: 0, invalid: 1)
        logger.warning("callback with a method the provider's dialect does not take", metadata: ["provider": "\(provider.id)", "method": "\(request.method.rawValue)"])
        return HTTPError(.methodNotAllowed, headers: [.allow: CallbackMethodPolicy.allowHeader(provider.kind)], message: reason)
    }

    /// The 401 error; logs the provider and the reason (never a secret: reasons are fixed sentences).
    func unauthorized(_ error: CallbackAuthenticator.Failure, providerId: String) -> HTTPError {
        logger.warning("callback rejected", metadata: ["provider": "\(providerId)", "reason": "\(error.reason)"])
        return HTTPError(.unauthorized, message: "callback not authenticated: \(error.reason)")
    }

    /// Jasmin's `ACK/Jasmin` (text/plain, 200).
    static var jasminAcknowledgement: Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: JasminCallback.acknowledgement)))
    }

    static func response(_ r: CallbackResponse) -> Response {
        JSON.raw(r.bodyData, status: HTTPResponse.Status(code: r.status))
    }
}
