/// A campaign's status moves that both stores make (`docs/DOMAIN.md` §1 "Campaign"): each returns
/// the campaign to save, or says the move is refused; the store reads the campaign (locked where it
/// must be), calls one of these, and writes what it returns.
extension Campaign {
    /// The campaign moved to `status` (published at `publishedAt` when given); leaving `paused`
    /// (or never paused) clears the pause's reason and time (``DeadLetterPolicy/endsRun(movingTo:)``).
    public func moved(to status: CampaignStatus, publishedAt: Int64?) -> Campaign {
        var c = self
        c.status = status
        if let publishedAt { c.publishedAt = publishedAt }
        if DeadLetterPolicy.endsRun(movingTo: status) {
            c.pausedReason = nil
            c.pausedAt = nil
        }
        return c
    }

    /// The campaign stopped at `now` (epoch seconds: `stoppedAt`); `nil` when it is stopped
    /// already (stopping again changes nothing). Its queued messages become "campaign stopped"
    /// dispatch errors whatever this returns.
    /// - Throws: ``CampaignTransitionError`` when it is completed.
    public func stopped(at now: Int64) throws -> Campaign? {
        guard status != .completed else { throw CampaignTransitionError(status: status, action: "stopped") }
        guard status != .stopped else { return nil }
        var c = self
        c.status = .stopped
        c.stoppedAt = now
        return c
    }

    /// The campaign scheduled to send at `sendAt` (epoch seconds).
    /// - Throws: ``CampaignTransitionError`` unless it is a draft or already scheduled.
    public func scheduled(at sendAt: Int64) throws -> Campaign {
        guard status == .draft || status == .scheduled else { throw CampaignTransitionError(status: status, action: "scheduled") }
        var c = self
        c.status = .scheduled
        c.sendAt = sendAt
        return c
    }

    /// Whether the campaign completes once nothing is left to send: it is `sending`.
    public var completesWhenSent: Bool { status == .sending }

    /// The campaign completed at `now` (epoch seconds: ``completedAt``, when given), when it is
    /// sending and `left` messages (queued, not reported on by the provider, not dead-lettered)
    /// remain: only at 0; otherwise `nil`.
    public func completed(left: Int, at now: Int64? = nil) -> Campaign? {
        guard completesWhenSent, left == 0 else { return nil }
        var c = self
        c.status = .completed
        c.completedAt = now
        return c
    }
}
