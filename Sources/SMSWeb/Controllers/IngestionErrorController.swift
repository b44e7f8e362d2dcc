import Foundation
import Hummingbird
import SMSCore

/// `GET /api/v1/ingestion-errors?limit=N` (1…1000, default 100; anything else is 400): invalid
/// input kept byte for byte with the reason, newest first. Each shows its bytes as
/// ``IngestionError`` encodes them (`raw` text or escape form, `rawUTF8`, `rawBase64` exact,
/// `rawBytes` the whole size); in the list a raw longer than ``listRawBytes`` (64 KiB) is cut to
/// its first 65,536 bytes (back to a character boundary when it is UTF-8) with `"rawTruncated": true`
/// — the only case where it is true — and read whole at `GET /api/v1/ingestion-errors/{id}`.
/// `POST /api/v1/ingestion-errors/{id}/replay`: an error of `POST /api/v1/events` (source
/// `events`) is read again by that route's rules and its events stored, idempotent by `eventId`
/// (``replayEvents(_:override:)``); a callback one: parses a stored callback item again with its
/// provider's dialect (``CallbackDialect/reparse(_:kind:maxItems:)``), from the stored bytes
/// exactly (the same bytes parse as when they were received), e.g. after a status mapping was
/// added, and applies it at its original receive time; an optional JSON body
/// `{"raw": "<corrected item>"}` or `{"rawBase64": "<corrected bytes>"}` replays a correction
/// instead (the stored bytes are kept).
/// Answers 200 `{"applied":N,"duplicates":N,"pending":N,"replayedAt":T}`; 404 unknown id; 409 already
/// replayed; 422 when it is neither a callback nor events error, its provider is gone, or it is
/// still invalid (with the reasons; nothing applied).
struct IngestionErrorController {
    let store: any SMSStore
    let config: AppConfig

    /// Longest raw shown in the list, bytes.
    static let listRawBytes = 65_536

    /// An ingestion error as shown: with `limit`, its raw cut to that many bytes
    /// (``RawBytes/prefix(_:limit:)``); `rawTruncated` says whether it was, `rawBytes` is the whole size.
    struct ListedError: Encodable {
        var error: IngestionError
        var rawTruncated: Bool
        var rawBytes: Int

        init(_ e: IngestionError, limit: Int? = IngestionErrorController.listRawBytes) {
            var e = e
            rawBytes = e.raw.count
            let cut = limit.map { RawBytes.prefix(e.raw, limit: $0) } ?? e.raw
            rawTruncated = cut.count < e.raw.count
            e.raw = cut
            error = e
        }

        func encode(to encoder: any Encoder) throws {
            try error.encode(to: encoder)
            var c = encoder.container(keyedBy: K.self)
            try c.encode(rawTruncated, forKey: .rawTruncated)
            try c.encode(rawBytes, forKey: .rawBytes)
        }
        enum K: String, CodingKey { case rawTruncated, rawBytes }
    }

    struct ReplayInput: Decodable {
        var raw: String?
        var rawBase64: String?
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
            return try JSON.response(try await store.ingestionErrors(limit: limit).map { ListedError($0) })
        }
        group.get("ingestion-errors/{id}") { _, context in
            let id = try Self.id(context)
            guard let error = try await store.ingestionError(id: id) else {
                throw HTTPError(.notFound, message: "no ingestion error \(id)")
            }
            return try JSON.response(ListedError(error, limit: nil))
        }
        group.post("ingestion-errors/{id}/replay") { request, context in
            let id = try Self.id(context)
            let body = try await request.collectBody(upTo: config.maxCallbackBytes, what: "replay")
            let input =
                body.readableBytes == 0
                ? ReplayInput()
                : try JSON.decode(
                    ReplayInput.self, from: body,
                    what: #"replay body (expected an empty body, {"raw": "<the corrected callback body as text>"} or {"rawBase64": "<its bytes>"})"#, refusingNUL: false)
            var override = input.raw.map { Array($0.utf8) }
            if let base64 = input.rawBase64 {
                guard override == nil, let data = Data(base64Encoded: base64) else {
                    throw HTTPError(.badRequest, message: "rawBase64 must be base64 (RFC 4648), and not given together with raw")
                }
                override = Array(data)
            }
            return try await replay(id: id, override: override)
        }
    }

    /// Replays ingestion error `id`: its stored bytes, or `override` (a correction) when given.
    func replay(id: Int64, override: [UInt8]?) async throws -> Response {
        guard let error = try await store.ingestionError(id: id) else {
            throw HTTPError(.notFound, message: "no ingestion error \(id)")
        }
        if let at = error.replayedAt { throw HTTPError(.conflict, message: "ingestion error \(id) was replayed at \(at)") }
        if error.source == "events" { return try await replayEvents(error, override: override) }
        guard error.source == "callback" else {
            throw HTTPError(
                .unprocessableContent, message: "only callback and events ingestion errors can be replayed (this one is '\(error.source)')")
        }
        guard let providerId = error.providerId, let provider = try await store.provider(id: providerId) else {
            throw HTTPError(.unprocessableContent, message: "the provider of ingestion error \(id) no longer exists")
        }
        if override == nil, CallbackMethodPolicy.isRequestRecord(error.raw), error.reason.hasPrefix("callback body over ") {
            throw HTTPError(
                .unprocessableContent,
                message: #"ingestion error \#(id) records a callback refused as too large, whose body was not kept: replay it with {"raw": "<the callback body>"} or {"rawBase64": "<its bytes>"}"#)
        }
        if override == nil, CallbackMethodPolicy.isRequestRecord(error.raw) {
            throw HTTPError(
                .unprocessableContent,
                message: #"ingestion error \#(id) records a request with the wrong method, not a callback body: replay it with {"raw": "<the callback body the provider meant to POST>"}"#)
        }
        let parsed: CallbackParseResult
        do {
            parsed = try CallbackDialect.reparse(
                override ?? error.raw, kind: provider.kind, bodyKind: error.bodyKind, maxItems: config.maxCallbackItems, now: config.now())
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

    /// Replays an ingestion error of `POST /api/v1/events`: its stored bytes (one event as it
    /// arrived, or a refused body) or `override`, read by the events route's own rules
    /// (``EventController/reread(_:now:revenueGoals:)``) and stored like an ingestion at its
    /// original receive time, idempotent by `eventId` (``SMSStore/replayEventIngestionError(id:events:at:)``).
    /// Answers `applied` = events stored, `duplicates` = event ids stored before, `pending` 0.
    /// - Throws: 422 `still invalid: <reasons>` (nothing stored); 409 when replayed meanwhile.
    private func replayEvents(_ error: IngestionError, override: [UInt8]?) async throws -> Response {
        let now = Int64(Date().timeIntervalSince1970)
        let goals = try await store.campaigns().compactMap(\.goal).filter { $0.revenueProperty != nil }
        let events: [ConversionEventInput]
        switch EventController.reread(override ?? error.raw, now: now, revenueGoals: goals) {
        case .success(let e): events = e
        case .failure(let problem): throw HTTPError(.unprocessableContent, message: "still invalid: \(problem.message)")
        }
        let result: ConversionIngestResult
        do {
            result = try await store.replayEventIngestionError(id: error.id, events: events, at: now)
        } catch ReplayError.alreadyReplayed(let at) {
            throw HTTPError(.conflict, message: "ingestion error \(error.id) was replayed at \(at)")
        } catch ReplayError.notFound {
            throw HTTPError(.notFound, message: "no ingestion error \(error.id)")
        }
        return try JSON.response(ReplayResult(applied: result.stored, duplicates: result.duplicates, pending: 0, replayedAt: now))
    }

    /// The `{id}` of the path by the one numeric-text rule (``DecimalText/integer(_:allowingNegative:)``:
    /// ASCII digits only), 1 to `Int64.max`.
    /// - Throws: `HTTPError` 400 `the ingestion error id must be an integer from 1 to 9223372036854775807,
    ///   ASCII digits only (got '+5')` (a 20-digit id too; the value echoed by ``InputEcho``).
    static func id(_ context: AppRequestContext) throws -> Int64 {
        try PathParameter.id(context, entity: "ingestion error")
    }
}
