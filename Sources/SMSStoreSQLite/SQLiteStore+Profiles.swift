import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func profiles(afterUserId: String?, limit: Int) async throws -> [Profile] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM profiles WHERE user_id > ? ORDER BY user_id LIMIT ?",
                arguments: [afterUserId ?? "", limit]
            ).map(Self.profile(from:))
        }
    }

    /// Each part of the search is its own indexed `SELECT` (`user_id GLOB` on the primary key,
    /// `phone GLOB` and `phone =` on `profiles_phone`; GLOB is case-sensitive and uses `BINARY`
    /// indexes, where LIKE would need `NOCASE` ones), combined with `UNION`.
    public func profiles(search: ProfileSearch, afterUserId: String?, limit: Int) async throws -> [Profile] {
        var parts = ["SELECT * FROM profiles WHERE user_id > :after AND user_id GLOB :id"]
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "after": afterUserId ?? "", "id": Self.globPrefix(search.userIdPrefix), "limit": limit,
        ]
        if let prefix = search.phonePrefix {
            parts.append("SELECT * FROM profiles WHERE user_id > :after AND phone GLOB :phone")
            arguments["phone"] = Self.globPrefix(prefix)
        }
        for (i, phone) in search.phones.enumerated() {
            parts.append("SELECT * FROM profiles WHERE user_id > :after AND phone = :p\(i)")
            arguments["p\(i)"] = phone
        }
        let sql = parts.joined(separator: " UNION ") + " ORDER BY user_id LIMIT :limit"
        let bound = StatementArguments(arguments)
        return try await db.read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map(Self.profile(from:))
        }
    }

    /// A GLOB pattern matching the texts that start with `prefix`: `*`, `?` and `[` escaped as
    /// one-character classes (`[*]`), then `*`.
    static func globPrefix(_ prefix: String) -> String {
        var out = ""
        for c in prefix {
            switch c {
            case "*", "?", "[": out += "[\(c)]"
            default: out.append(c)
            }
        }
        return out + "*"
    }

    public func updateProfile(userId: String, _ change: @escaping @Sendable (Profile) throws -> Profile) async throws -> Profile? {
        let now = Int64(Date().timeIntervalSince1970)
        return try await db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM profiles WHERE user_id = ?", arguments: [userId]) else { return nil }
            var profile = try change(Self.profile(from: row))
            profile.userId = userId
            let props = try JSONCoding.encode(profile.properties)
            try db.execute(
                sql: """
                    UPDATE profiles SET phone = ?, phone_valid = ?, name = ?, properties = ?, opted_out = ?, updated_at = ?
                    WHERE user_id = ?
                    """,
                arguments: [profile.phone, profile.phoneValid, profile.name, props, profile.optedOut, now, profile.userId])
            return profile
        }
    }

    public func messages(userId: String, limit: Int) async throws -> [ProfileMessage] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: """
                    SELECT \(MessageRow.columns), body, created_at FROM messages WHERE user_id = ?
                    ORDER BY created_at DESC, id DESC LIMIT ?
                    """,
                arguments: [userId, limit]
            ).map { r in
                let m = MessageRow(row: r)
                return ProfileMessage(
                    messageId: m.id, campaignId: m.campaignId, variant: m.variant, body: r["body"], segments: m.segments,
                    createdAt: r["created_at"], state: m.state)
            }
        }
    }

    /// Applies ``ProfileErasure/steps`` in one transaction (the store runs with
    /// `PRAGMA secure_delete = ON`: every byte a delete or update frees is overwritten with zeros,
    /// freelist pages included), then checkpoints the WAL with `TRUNCATE` so no earlier page image
    /// holding the phone stays in the `-wal` file (a reader in the middle of a long read can keep
    /// the checkpoint from completing; a later checkpoint then does it).
    public func eraseProfile(_ erasure: ProfileErasure) async throws -> ErasureOutcome {
        let outcome = try await db.write { db in try Self.erase(db, erasure) }
        if case .erased = outcome, db is DatabasePool {
            try await db.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        return outcome
    }

    /// The SQL condition (and its arguments) a row must meet to be read as one that may name the
    /// person (``PersonMention/literals`` by `instr`, ``PersonMention/likePatterns`` by `LIKE`) in
    /// any of `columns`; a BLOB column holding a NUL byte is read too (`LIKE` stops at a NUL).
    static func mentionFilter(_ mention: PersonMention, columns: [(name: String, blob: Bool)]) throws -> (String, StatementArguments) {
        let literals = try JSONCoding.encode(mention.literals)
        let patterns = try JSONCoding.encode(mention.likePatterns)
        var terms: [String] = []
        var arguments: StatementArguments = []
        for (name, blob) in columns {
            terms.append("EXISTS (SELECT 1 FROM json_each(?) WHERE instr(\(name), value) > 0)")
            terms.append("EXISTS (SELECT 1 FROM json_each(?) WHERE CAST(\(name) AS TEXT) LIKE value ESCAPE '\\')")
            arguments += [literals, patterns]
            if blob { terms.append("instr(\(name), x'00') > 0") }
        }
        return ("(" + terms.joined(separator: " OR ") + ")", arguments)
    }

    static func erase(_ db: Database, _ erasure: ProfileErasure) throws -> ErasureOutcome {
        let user = erasure.userId
        let queued = try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM messages WHERE user_id = ? AND (dispatch = 'queued' OR answer_outcome IS NOT NULL)",
            arguments: [user]) ?? 0
        guard queued == 0 else { return .queuedMessages(queued) }
        let userMessages = "message_id IN (SELECT id FROM messages WHERE user_id = ?)"
        var report = ErasureReport(userId: user, profileDeleted: false, rows: [:])
        let campaignIds = try String.fetchAll(db, sql: "SELECT DISTINCT campaign_id FROM messages WHERE user_id = ?", arguments: [user])
        let goals = try campaignIds.compactMap { try campaign(db, id: $0)?.goal }
        let keys = try Row.fetchAll(db, sql: "SELECT meta, provider_message_id FROM messages WHERE user_id = ?", arguments: [user])
        let mention = erasure.mention(metas: keys.map { $0[0] }, providerMessageIds: keys.compactMap { $0[1] })
        for step in ProfileErasure.steps {
            let (t, c) = (step.table, step.column)
            var changed = 0
            switch (step.action, step.rows) {
            case (.delete, .user):
                try db.execute(sql: "DELETE FROM \(t) WHERE user_id = ?", arguments: [user])
                changed = db.changesCount
                if t == "profiles" { report.profileDeleted = changed > 0 }
            case (.null, .user):
                try db.execute(sql: "UPDATE \(t) SET \(c) = NULL WHERE user_id = ? AND \(c) IS NOT NULL", arguments: [user])
                changed = db.changesCount
            case (.null, .userMessages):
                try db.execute(sql: "UPDATE \(t) SET \(c) = NULL WHERE \(userMessages) AND \(c) IS NOT NULL", arguments: [user])
                changed = db.changesCount
            case (.empty, .user):
                try db.execute(sql: "UPDATE \(t) SET \(c) = '' WHERE user_id = ? AND \(c) <> ''", arguments: [user])
                changed = db.changesCount
            case (.pseudonym, .user):
                try db.execute(sql: "UPDATE \(t) SET \(c) = ? WHERE user_id = ?", arguments: [erasure.pseudonym, user])
                changed = db.changesCount
            case (.scrubEvent, .userMessages):
                for r in try Row.fetchAll(db, sql: "SELECT rowid, \(c) FROM \(t) WHERE \(userMessages)", arguments: [user]) {
                    let text: String = r[1]
                    let scrubbed = (try? JSONCoding.decode(CallbackItem.self, text))
                        .flatMap { try? JSONCoding.encode(erasure.scrub(event: $0)) } ?? erasure.scrub(text)
                    guard scrubbed != text else { continue }
                    try db.execute(sql: "UPDATE \(t) SET \(c) = ? WHERE rowid = ?", arguments: [scrubbed, r[0] as Int64])
                    changed += 1
                }
            case (.retainGoalProperties, .user):
                for r in try Row.fetchAll(db, sql: "SELECT rowid, \(c) FROM \(t) WHERE user_id = ?", arguments: [user]) {
                    let text: String = r[1]
                    let properties = (try? JSONCoding.decode([String: JSONValue].self, text)) ?? [:]
                    let kept = try JSONCoding.encode(ProfileErasure.retainedProperties(properties, goals: goals))
                    guard kept != text else { continue }
                    try db.execute(sql: "UPDATE \(t) SET \(c) = ? WHERE rowid = ?", arguments: [kept, r[0] as Int64])
                    changed += 1
                }
            case (.scrubAudience, .listingUser):
                for r in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, \(c) FROM \(t)
                        WHERE EXISTS (SELECT 1 FROM json_each(\(t).\(c), '$.audience.userIds') WHERE value = ?)
                        """,
                    arguments: [user])
                {
                    var campaign = try JSONCoding.decode(Campaign.self, r[1] as String)
                    let scrubbed = erasure.scrub(audience: campaign.audience)
                    guard scrubbed != campaign.audience else { continue }
                    campaign.audience = scrubbed
                    try db.execute(sql: "UPDATE \(t) SET \(c) = ? WHERE id = ?", arguments: [try JSONCoding.encode(campaign), r[0] as String])
                    changed += 1
                }
            case (.delete, .namingPerson):
                // Only the rows the pre-filter keeps are read (raw as bytes: a TEXT value of an older version reads as its UTF-8).
                let (filter, filterArgs) = try Self.mentionFilter(mention, columns: [("raw", true), ("reason", false)])
                var naming: [Int64] = []
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT id, reason, CAST(\(c) AS BLOB) FROM \(t) WHERE \(filter)", arguments: filterArgs)
                while let r = try rows.next() {
                    let raw: Data = r[2] ?? Data()
                    if mention.names(raw: Array(raw), reason: r[1]) { naming.append(r[0]) }
                }
                for ids in stride(from: 0, to: naming.count, by: 500).map({ Array(naming[$0..<min($0 + 500, naming.count)]) }) {
                    try db.execute(
                        sql: "DELETE FROM \(t) WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                        arguments: StatementArguments(ids))
                    changed += db.changesCount
                }
            case (.scrubPending, .namingPerson):
                let (filter, filterArgs) = try Self.mentionFilter(mention, columns: [(c, false)])
                for r in try Row.fetchAll(db, sql: "SELECT id, \(c) FROM \(t) WHERE \(filter)", arguments: filterArgs) {
                    let text: String = r[1]
                    guard mention.names(raw: Array(text.utf8)) else { continue }
                    let scrubbed = erasure.scrub(pending: text)
                    guard scrubbed != text else { continue }
                    try db.execute(sql: "UPDATE \(t) SET \(c) = ? WHERE id = ?", arguments: [scrubbed, r[0] as Int64])
                    changed += 1
                }
            case (.scrubPhone, let rows):
                // Each distinct text holding the phone (contiguous or separated) rewritten where it stands.
                guard let pattern = mention.phoneLikePattern else { break }
                let scope = rows == .user ? "user_id = ? AND " : rows == .userMessages ? "\(userMessages) AND " : ""
                let scopeArgs: StatementArguments = rows == .holdingPhone ? [] : [user]
                let texts = try String.fetchAll(
                    db, sql: "SELECT DISTINCT \(c) FROM \(t) WHERE \(scope)\(c) LIKE ? ESCAPE '\\'",
                    arguments: scopeArgs + [pattern])
                for text in texts {
                    let scrubbed = erasure.scrub(text)
                    guard scrubbed != text else { continue }
                    try db.execute(
                        sql: "UPDATE \(t) SET \(c) = ? WHERE \(scope)\(c) = ?", arguments: [scrubbed] + scopeArgs + [text])
                    changed += db.changesCount
                }
            default:
                preconditionFailure("erasure step \(step) has no SQLite translation")
            }
            if changed > 0 { report.rows["\(t).\(c)", default: 0] += changed }
        }
        return .erased(report)
    }
}
