import Foundation

/// The filters of `GET /api/v1/campaigns/{id}/messages` (issue 17), combined with AND; the one
/// rule of which messages a log page shows (stores hand over messages in id order,
/// ``MessageLogStore``).
public struct MessageLogFilter: Sendable, Equatable {
    public var outcome: MessageLogOutcome?
    public var clicked: Bool?
    public var converted: Bool?
    /// The failure code (``MessageLogEntry/errorCode``) or the dispatch reason
    /// (``MessageLogEntry/dispatchReason``), exactly.
    public var errorCode: String?
    public var variant: Int?

    public init(
        outcome: MessageLogOutcome? = nil, clicked: Bool? = nil, converted: Bool? = nil, errorCode: String? = nil,
        variant: Int? = nil
    ) {
        self.outcome = outcome
        self.clicked = clicked
        self.converted = converted
        self.errorCode = errorCode
        self.variant = variant
    }

    public func matches(_ e: MessageLogEntry) -> Bool {
        if let outcome, e.outcome != outcome { return false }
        if let clicked, e.clicked != clicked { return false }
        if let converted, e.converted != converted { return false }
        if let errorCode, e.errorCode != errorCode && e.dispatchReason != errorCode { return false }
        if let variant, e.variant != variant { return false }
        return true
    }

    /// One page: up to `limit` matching entries after `cursor`, reading the store in id order
    /// through `fetch(afterId, count)` (at most `count` entries past that id, in the listing's
    /// order) by ``KeysetPage`` (at most `scanBudget` read; a page may hold fewer than `limit`).
    ///
    /// Keyset on the immutable message id, so rows inserted meanwhile never shift a page: every
    /// message that existed when the listing started is returned exactly once.
    public func page(
        after cursor: MessageLogCursor?, limit: Int, scanBudget: Int = 20_000,
        fetch: (Int64?, Int) async throws -> [MessageLogEntry]
    ) async throws -> (items: [MessageLogEntry], nextCursor: MessageLogCursor?) {
        let page = try await KeysetPage.page(
            after: cursor?.afterId, limit: limit, scanBudget: scanBudget, key: \.id, matches: matches, fetch: fetch)
        return (page.items, page.next.map(MessageLogCursor.init(afterId:)))
    }

    /// Every matching entry after `cursor`, for the streaming export (`GET
    /// /api/v1/campaigns/{id}/messages.csv` / `.ndjson`, issue 17): reads the store in id order
    /// through `fetch(afterId, count)`, `batchSize` entries per read, and hands each read's matches
    /// to `emit` (never an empty batch) before the next read, so memory holds one batch at a time
    /// whatever the campaign's size.
    ///
    /// The same keyset as ``page(after:limit:scanBudget:fetch:)``: every message that existed
    /// when the export started comes exactly once, in id order; each batch is read in its own
    /// read transaction (a state changed meanwhile shows as of its batch's read).
    /// - Returns: how many entries were emitted.
    @discardableResult
    public func stream(
        after cursor: MessageLogCursor?, batchSize: Int, fetch: (Int64?, Int) async throws -> [MessageLogEntry],
        emit: ([MessageLogEntry]) async throws -> Void
    ) async throws -> Int {
        precondition(batchSize > 0, "batchSize must be positive")
        var after = cursor?.afterId
        var emitted = 0
        while true {
            let batch = try await fetch(after, batchSize)
            guard let last = batch.last else { break }
            after = last.id
            let found = batch.filter(matches)
            if !found.isEmpty {
                emitted += found.count
                try await emit(found)
            }
            if batch.count < batchSize { break }
        }
        return emitted
    }
}

/// The opaque `cursor` of the message log: base64url (no padding) of `m1:` and the last message
/// id of the previous page. Clients pass back `nextCursor` as it is; anything else is refused.
public struct MessageLogCursor: Sendable, Equatable {
    public var afterId: Int64

    public init(afterId: Int64) { self.afterId = afterId }

    public var token: String {
        Base64URL.encode(Data("m1:\(afterId)".utf8))
    }

    /// Reads a token of ``token``; `nil` for anything else (the API answers 400 naming `cursor`).
    public init?(token: String) {
        guard token.count <= 64 else { return nil }
        guard let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("m1:"), let id = Int64(text.dropFirst(3)), id >= 0, "m1:\(id)" == text
        else { return nil }
        afterId = id
    }
}
