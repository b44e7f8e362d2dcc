import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/ingestion-errors?limit=N` (1…1000, default 100; anything else is 400): invalid
/// input kept whole with the reason, newest first; a `raw` longer than ``listRawBytes`` is cut in the
/// list (`"rawTruncated": true`) and read whole at `GET /api/v1/ingestion-errors/{id}`.
/// `POST /api/v1/ingestion-errors/{id}/replay`: parses a stored callback item again with its
/// provider's dialect (``CallbackDialect/reparse(_:kind:maxItems:)``), e.g. after a status mapping
/// was added, and applies it at its original receive time; an optional JSON body
/// `{"raw": "<corrected item>"}` replays a corrected text instead (the stored one is kept).
/// Answers 200 `{"applied":N,"duplicates":N,"pending":N,"replayedAt":T}`; 404 unknown id; 409 already
/// replayed; 422 when it is not a callback, its provider is gone, or it is still invalid (with
/// the reasons; nothing applied).
struct IngestionErrorController {
    let store: any SMSStore
    let config: AppConfig

    /// Longest `raw` shown in the list, UTF-8 bytes.
    static let listRawBytes = 65_536

    /// An ingestion error as listed: `raw` cut to ``listRawBytes`` (on a character boundary).
    struct ListedError: Encodable {
        var error: IngestionError
        var rawTruncated: Bool

        init(_ e: IngestionError) {
            var e = e
            rawTruncated = e.raw.utf8.count > IngestionErrorController.listRawBytes
            if rawTruncated {
                var cut = ""
                for ch in e.raw {
                    if cut.utf8.count + ch.utf8.count > IngestionErrorController.listRawBytes { break }
                    cut.append(ch)
                }
                e.raw = cut
            }
            error = e
        }

        func encode(to encoder: any Encoder) throws {
            try error.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(rawTruncated, forKey: .rawTruncated)
        }
        enum K: String, CodingKey { case rawTruncated }
    }

    struct ReplayInput: Decodable {
        var raw: String?
    }

    struct ReplayResult: Encodable {
        var applied: Int
        var duplicates: Int
        var pending: Int
        var replayedAt: Int64
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("ingestion-errors") { request, _ in
            let limit = try ListLimit.httpParse(request)
            return try JSON.response(try await store.ingestionErrors(limit: limit).map(ListedError.init))
        }
        group.get("ingestion-errors/{id}") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else {
                throw HTTPError(.badRequest, message: "the ingestion error id must be an integer")
            }
            guard let error = try await store.ingestionError(id: id) else {
                throw HTTPError(.notFound, message: "no ingestion error \(id)")
            }
            return try JSON.response(error)
        }
        group.post("ingestion-errors/{id}/replay") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else {
                throw HTTPError(.badRequest, message: "the ingestion error id must be an integer")
            }
            let body = try await request.body.collect(upTo: config.maxCallbackBytes, what: "replay")
            let input =
                body.readableBytes == 0
                ? ReplayInput()
                : try JSON.decode(
                    ReplayInput.self, from: body, what: #"replay body (expected an empty body, or {"raw": "<the corrected callback body as text>"})"#)
            return try await replay(id: id, override: input.raw)
        }
    }

    func replay(id: Int64, override: String?) async throws -> Response {
        guard let error = try await store.ingestionError(id: id) else {
            throw HTTPError(.notFound, message: "no ingestion error \(id)")
        }
        if let at = error.replayedAt { throw HTTPError(.conflict, message: "ingestion error \(id) was replayed at \(at)") }
        guard error.source == "callback" else {
            throw HTTPError(.unprocessableContent, message: "only callback ingestion errors can be replayed (this one is '\(error.source)')")
        }
        guard let providerId = error.providerId, let provider = try await store.provider(id: providerId) else {
            throw HTTPError(.unprocessableContent, message: "the provider of ingestion error \(id) no longer exists")
        }
        if override == nil, CallbackMethodPolicy.isRequestRecord(error.raw) {
            throw HTTPError(
                .unprocessableContent,
                message: #"ingestion error \#(id) records a request with the wrong method, not a callback body: replay it with {"raw": "<the callback body the provider meant to POST>"}"#)
        }
        let parsed: CallbackParseResult
        do {
            parsed = try CallbackDialect.reparse(override ?? error.raw, kind: provider.kind, maxItems: config.maxCallbackItems)
        } catch {
            throw HTTPError(.unprocessableContent, message: "still invalid: \(error.description)")
        }
        guard parsed.invalid.isEmpty else {
            throw HTTPError(
                .unprocessableContent, message: "still invalid: " + parsed.invalid.map(\.reason).joined(separator: "; "))
        }
        let items = parsed.items.map { ProviderMessageId.normalize($0, kind: provider.kind) }
        let now = Int64(Date().timeIntervalSince1970)
        let result: CallbackIngestResult
        do {
            result = try await store.replayIngestionError(id: id, providerId: providerId, items: items, at: now)
        } catch ReplayError.alreadyReplayed(let at) {
            throw HTTPError(.conflict, message: "ingestion error \(id) was replayed at \(at)")
        } catch ReplayError.notFound {
            throw HTTPError(.notFound, message: "no ingestion error \(id)")
        }
        return try JSON.response(
            ReplayResult(applied: result.applied, duplicates: result.duplicates, pending: result.pending, replayedAt: now))
    }
}
