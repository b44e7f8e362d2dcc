import Foundation
import GRDB
import SMSCore

/// The read-side half of a callback batch, computed on a read-only snapshot (a WAL reader
/// connection, in parallel with the writer) before the write transaction: each receipt's message
/// (matched by `meta`), its effective time, the message's state after planning the batch's receipts
/// one after the other (``MessagePlanner``, the function every write path calls), and the rollup
/// change of the whole batch.
///
/// Why merging on a snapshot is right: ``MessageState`` is a join-semilattice and the snapshot's
/// state already holds every event logged in it, so merging a logged duplicate changes nothing.
/// The write transaction (``SQLiteStore/applyPlanned(_:providerId:encoded:plan:receivedAt:)``)
/// only logs the events and writes each final state with a compare-and-set on the snapshot's
/// state; a message changed since the snapshot is recomputed there (the slow path).
///
/// Left to the in-transaction path (``SQLiteStore/applyEncoded(_:providerId:encoded:receivedAt:)``),
/// in batch order: `clicked` and `replied` items and every item of a meta that has one (their
/// side effects read and write other tables), and items whose meta matches no message in the
/// snapshot (matched by the provider's message id, or kept as pending).
struct CallbackPlan: Sendable {
    /// One receipt of a group: its position in the batch, its effective time (epoch seconds,
    /// ``EventTime`` with the snapshot's dispatch time), whether its plan changed the state, and
    /// the failure description its plan keeps.
    struct Entry: Sendable {
        var index: Int
        var at: Int64
        var changes: Bool
        var failureDescription: (code: String, description: String)?
    }

    /// The receipts of one message, in batch order.
    struct Group: Sendable {
        var snapshot: MessageRow
        var final: MessageState
        var entries: [Entry]
    }

    var groups: [Group] = []
    /// Batch positions of the items for the in-transaction path, in batch order.
    var rest: [Int] = []
    /// The rollup change of all groups, as if every compare-and-set succeeds.
    var rollups = RollupWriter()

    static func make(_ db: Database, encoded: [(CallbackItem, String, String)], receivedAt: Int64) throws -> CallbackPlan {
        var plan = CallbackPlan()
        plan.groups.reserveCapacity(encoded.count)
        var tainted = Set<String>()
        for (item, _, _) in encoded where !isReceipt(item.kind) { tainted.insert(item.meta) }
        let lookup = try RawStatement(db, sql: "SELECT \(MessageRow.columns) FROM messages WHERE meta = ?")
        var groupOfMeta: [String: Int] = [:]  // -1: no message in the snapshot
        groupOfMeta.reserveCapacity(encoded.count)
        for (index, (item, _, _)) in encoded.enumerated() {
            guard isReceipt(item.kind), tainted.isEmpty || !tainted.contains(item.meta) else {
                plan.rest.append(index)
                continue
            }
            let g: Int
            if let known = groupOfMeta[item.meta] {
                g = known
            } else {
                lookup.bind(1, item.meta)
                if try lookup.step(db) {
                    let row = MessageRow(raw: lookup)
                    plan.groups.append(Group(snapshot: row, final: row.state, entries: []))
                    g = plan.groups.count - 1
                } else {
                    g = -1
                }
                lookup.reset()
                groupOfMeta[item.meta] = g
            }
            guard g >= 0 else {
                plan.rest.append(index)
                continue
            }
            let at = EventTime.effective(
                providerTs: item.ts, sentAt: plan.groups[g].snapshot.state.dispatchedAt, receivedAt: receivedAt)
            let planned = MessagePlanner.plan(
                plan.groups[g].final, segments: plan.groups[g].snapshot.segments,
                fact: .receipt(kind: item.kind, at: at, code: item.code, description: item.description))
            plan.groups[g].final = planned.new
            plan.groups[g].entries.append(
                Entry(index: index, at: at, changes: planned.changesState, failureDescription: planned.failureDescription))
        }
        // Messages of a batch mostly make the same change (same send time, same receipt time
        // bucket): each distinct change is turned into rollup cells once.
        var changes: [Change: Int64] = [:]
        for g in plan.groups where g.final != g.snapshot.state {
            let s = g.snapshot
            changes[Change(campaignId: s.campaignId, variant: s.variant, segments: s.segments, old: s.state, new: g.final), default: 0] += 1
        }
        for (c, times) in changes {
            plan.rollups.addChange(
                from: c.old, to: c.new, segments: c.segments, campaignId: c.campaignId, variant: c.variant, times: times)
        }
        return plan
    }

    /// One message's state change, with what its rollup contribution depends on.
    private struct Change: Hashable {
        var campaignId: String
        var variant: Int
        var segments: Int
        var old: MessageState
        var new: MessageState
    }

    static func isReceipt(_ kind: CallbackEventKind) -> Bool {
        kind == .delivered || kind == .submitted || kind == .failed
    }
}

extension MessageRow {
    /// Reads a row selected with ``columns`` (in that order) from a stepping ``RawStatement``.
    init(raw s: RawStatement) {
        id = s.int64(0)
        campaignId = s.text(1)
        userId = s.text(2)
        variant = Int(s.int64(3))
        segments = Int(s.int64(4))
        var failure: MessageState.Failure?
        if let at = s.int64OrNil(12) {
            failure = .init(code: s.textOrNil(10), description: s.textOrNil(11), at: at)
        }
        state = MessageState(
            dispatch: DispatchStatus(rawValue: s.text(5)) ?? .queued,
            dispatchedAt: s.int64OrNil(6), dispatchErrorReason: s.textOrNil(7),
            submittedAt: s.int64OrNil(8), deliveredAt: s.int64OrNil(9), failure: failure,
            firstHumanClickAt: s.int64OrNil(13), firstEventAt: s.int64OrNil(14))
    }
}
