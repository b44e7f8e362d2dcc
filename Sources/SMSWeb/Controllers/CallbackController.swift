import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SMSCore

/// `POST /callbacks/{providerId}?secret=…`: the generic callback contract (`domain.md` §3).
///
/// Answers: 200 with the contract's success body; 400 naming invalid items (valid items of the
/// batch are applied, invalid ones stored as ingestion errors); 401 for a bad secret; 404 for an
/// unknown provider; 413 over the size or item limit; 503 when the store fails (providers retry).
struct CallbackController {
    let store: any SMSStore
    let config: AppConfig
    let logger: Logger

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("callbacks/{providerId}") { request, context in
            try await handle(request, context)
        }
    }

    func handle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let providerId = try context.parameters.require("providerId")
        guard let provider = try await store.provider(id: providerId) else {
            throw HTTPError(.notFound, message: "unknown provider '\(providerId)'")
        }
        let secret = request.uri.queryParameters.get("secret") ?? request.headers[HTTPField.Name("X-Callback-Secret")!] ?? ""
        guard AdminAuthMiddleware<AppRequestContext>.constantTimeEquals(secret, provider.callbackSecret) else {
            logger.warning("callback rejected: bad secret", metadata: ["provider": "\(providerId)"])
            throw HTTPError(.unauthorized, message: "bad or missing callback secret")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: config.maxCallbackBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge, message: "callback body over \(config.maxCallbackBytes) bytes")
        }
        let data = Data(buffer: body)
        let now = Int64(Date().timeIntervalSince1970)
        let parsed: CallbackParseResult
        do {
            parsed = try GenericCallbackParser.parse(data, maxItems: config.maxCallbackItems)
        } catch {
            if case .tooManyItems(let n) = error {
                throw HTTPError(.contentTooLarge, message: "\(n) items in one callback; at most \(config.maxCallbackItems)")
            }
            try await store.recordIngestionErrors([
                IngestionErrorInput(
                    source: "callback", providerId: providerId, reason: error.description,
                    raw: String(decoding: data, as: UTF8.self), receivedAt: now)
            ])
            return Self.response(CallbackResponse.malformedBody(error))
        }
        let result = try await store.applyCallbacks(providerId: providerId, items: parsed.items, receivedAt: now)
        if !parsed.invalid.isEmpty {
            try await store.recordIngestionErrors(
                parsed.invalid.map {
                    IngestionErrorInput(source: "callback", providerId: providerId, reason: $0.reason, raw: $0.raw, receivedAt: now)
                })
        }
        CallbackMetrics.record(applied: result.applied, duplicates: result.duplicates, pending: result.pending, invalid: parsed.invalid.count)
        return Self.response(CallbackResponse.make(for: parsed, processedEvents: parsed.items.count, timestamp: now))
    }

    static func response(_ r: CallbackResponse) -> Response {
        JSON.raw(r.bodyData, status: HTTPResponse.Status(code: r.status))
    }
}
