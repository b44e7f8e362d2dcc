import Foundation

/// Reading the message log (issue 17): messages with their merged state, the human clicks per
/// link and the attributed conversion. Read-only; each call one read transaction.
public protocol MessageLogStore: Sendable {
    /// A campaign's messages with an id greater than `afterId` (all when `nil`), ascending by id,
    /// at most `limit`. ``MessageLogFilter/page(after:limit:scanBudget:fetch:)`` filters them.
    func messageLog(campaignId: String, afterId: Int64?, limit: Int) async throws -> [MessageLogEntry]
    /// The messages `lookup` finds, in every campaign, with an id smaller than `beforeId` (all
    /// when `nil`), newest (greatest id) first, at most `limit`.
    func messageLog(lookup: MessageLogLookup, beforeId: Int64?, limit: Int) async throws -> [MessageLogEntry]
    /// One message by its `meta`, with its history (``MessageLogEvent``, in store order; the
    /// caller orders it, ``MessageLogEvent/ordered(_:)``); `nil` when no message has that meta.
    func messageLogEntry(meta: String) async throws -> (entry: MessageLogEntry, events: [MessageLogEvent])?
    /// The log items (without history) of the messages with these ids, in one read, in no
    /// particular order; ids of no message are left out. At most 1,000 ids (the list limit).
    func messageLogEntries(messageIds: [Int64]) async throws -> [MessageLogEntry]
}

/// Which messages a support lookup (`GET /api/v1/messages?…`, the dashboard's message log search;
/// issue 17) finds, across campaigns.
public enum MessageLogLookup: Sendable, Equatable {
    /// Any of these stored provider message ids (``ProviderMessageId/storedForms(_:)``).
    case providerMessageIds([String])
    /// This E.164 phone, as stored (``PhoneNumber/normalize(_:)``).
    case phone(String)
    /// This user id, exactly (the dashboard's message log search).
    case userId(String)
}
