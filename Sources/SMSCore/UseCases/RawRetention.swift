import Foundation

/// Retention of a campaign's raw history (issue 15; `smsstats purge --older-than`, `serve
/// --retain-raw-days`): what is raw, when a campaign's raw history may go, and the partition cutoff.
///
/// **Raw** (removed): the receipt log `message_events` (receipts, replies with their texts,
/// provider-reported clicks), the redirect hits `clicks` (user agents, IP hashes), and each
/// message's phone number, text and template variables (blanked; the message row stays, so a late
/// callback still matches by its meta, a short link still redirects until it expires, and per-user
/// attribution keeps working). **Kept**: the rollups and every stat read from them, the message
/// states, `campaign_conversions`, delivery error descriptions, short links; also the conversion
/// events (one event is attributed to every campaign that sent to its user, so it belongs to no
/// single campaign: a person's events go by erasure), and the per-provider ingestion errors and
/// pending callbacks (they have their own lists and lifetimes).
///
/// Once purged, a campaign carries ``Campaign/rawPurgedAt``; `reconcile` skips it (there is
/// nothing left to recount).
///
/// **Late arrivals**: receipts, replies and clicks of a purged campaign that arrive afterwards are
/// counted by the usual rules (states, rollups) and their raw rows stored as for any campaign;
/// the store marks the campaign late as such a row is written
/// (``SMSDispatchStore/rawPurgeLateCampaigns()``), and the next retention pass
/// (``RawHistoryPurge``: `serve --retain-raw-days` hourly, each `smsstats purge`) purges the
/// marked campaigns again, so late rows stay at most until the next pass; purged campaigns that
/// are not marked are skipped.
public struct RawRetention: Sendable, Equatable {
    /// How long after a campaign finished its raw history is kept, seconds.
    public var olderThanSeconds: Int64

    public init(olderThanSeconds: Int64) { self.olderThanSeconds = olderThanSeconds }

    /// Rows deleted (or blanked) per transaction: each batch is short, so callbacks and clicks of
    /// live campaigns never wait long behind a purge.
    public static let batchSize = 1_000

    /// The days `serve --retain-raw-days` accepts: 1 to 36500. Not 0: a campaign's raw history
    /// would go at the first hourly pass after it finished, while receipts (hours to days late),
    /// replies and clicks still arrive and an operator may still want to look at them; a one-off
    /// `smsstats purge --older-than 0d` is the way to do that on purpose.
    public static let serveDays: ClosedRange<Int> = 1...36_500

    /// The largest age accepted: 100 years.
    public static let maxAgeSeconds: Int64 = 100 * 365 * 86_400

    /// Reads `<N>d`, `<N>h` or `<N>s` (days, hours, seconds; N a whole number from 0).
    /// - Throws: ``RetentionAgeError`` naming the form and the range.
    public static func parseAge(_ text: String) throws(RetentionAgeError) -> Int64 {
        let unit = text.last
        let digits = text.dropLast()
        let factor: Int64? = switch unit {
        case "d": 86_400
        case "h": 3_600
        case "s": 1
        default: nil
        }
        guard let factor, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12, let n = Int64(digits),
            n <= maxAgeSeconds / factor
        else { throw RetentionAgeError(text: text) }
        return n * factor
    }

    /// When the campaign finished (epoch seconds): a stopped one at ``Campaign/stoppedAt``, a
    /// completed one at ``Campaign/completedAt`` (one completed before that was recorded: at its
    /// ``Campaign/publishedAt``, else its creation); `nil` while it is not finished.
    public static func finishedAt(_ c: Campaign) -> Int64? {
        switch c.status {
        case .stopped: c.stoppedAt ?? c.publishedAt ?? c.createdAt
        case .completed: c.completedAt ?? c.publishedAt ?? c.createdAt
        default: nil
        }
    }

    /// `c` marked purged at `now`, or at its first purge's time when it was purged before (a later
    /// pass removes only late arrivals).
    public static func markedPurged(_ c: Campaign, at now: Int64) -> Campaign {
        var purged = c
        purged.rawPurgedAt = c.rawPurgedAt ?? now
        return purged
    }

    /// Whether `c`'s raw history is due at `now`: finished at least ``olderThanSeconds`` ago and
    /// not purged yet.
    public func isDue(_ c: Campaign, now: Int64) -> Bool {
        guard c.rawPurgedAt == nil, let finished = Self.finishedAt(c) else { return false }
        return finished <= now - olderThanSeconds
    }

    /// The creation-time cutoff for dropping whole partitions
    /// (``RawTablePartitions/dropPartitions(messagesCreatedBefore:)``): every message created
    /// before it belongs to a campaign that is due or purged already, because a campaign's messages
    /// are created at or after the campaign itself. It is the earliest creation time of the other
    /// campaigns, at most `now − olderThanSeconds`.
    public func partitionCutoff(campaigns: [Campaign], now: Int64) -> Int64 {
        let keep = campaigns.filter { $0.rawPurgedAt == nil && !isDue($0, now: now) }.map(\.createdAt)
        return min(keep.min() ?? Int64.max, now - olderThanSeconds)
    }
}

/// An age that is not `<N>d`, `<N>h` or `<N>s`.
public struct RetentionAgeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var text: String
    public init(text: String) { self.text = text }
    public var description: String {
        let most = RawRetention.maxAgeSeconds
        return "--older-than must be <N>d, <N>h or <N>s (N a whole number from 0, at most 100 years: \(most / 86_400)d,"
            + " \(most / 3_600)h or \(most)s), got '\(InputEcho.text(text))'"
    }
}

/// What a purge removed (or, dry, would remove) of one campaign's raw history.
public struct RawPurgeCounts: Sendable, Equatable, Codable {
    /// Rows of the receipt log (receipts, replies, provider clicks).
    public var events: Int
    /// Redirect hits.
    public var clicks: Int
    /// Messages whose phone number, text and template variables were blanked.
    public var messages: Int
    public init(events: Int = 0, clicks: Int = 0, messages: Int = 0) {
        self.events = events
        self.clicks = clicks
        self.messages = messages
    }
}
