import Foundation
import NIOCore
import PostgresNIO
import SMSCore

extension PostgresStore {
    public func profiles(afterUserId: String?, limit: Int) async throws -> [Profile] {
        let after = (afterUserId ?? "").pgSafe
        return try await read { tx in
            try await tx.rows("SELECT * FROM profiles WHERE user_id > \(after) ORDER BY user_id LIMIT \(limit)")
                .map(Self.profile(from:))
        }
    }

    /// Each part of the search is its own indexed `SELECT` (`user_id LIKE` on the primary key,
    /// whose `COLLATE "C"` serves prefixes; `phone LIKE` and `phone = ANY` on `profiles_phone`,
    /// `text_pattern_ops`), combined with `UNION`.
    public func profiles(search: ProfileSearch, afterUserId: String?, limit: Int) async throws -> [Profile] {
        let after = (afterUserId ?? "").pgSafe
        let id = Self.likePrefix(search.userIdPrefix.pgSafe)
        let phone = search.phonePrefix.map { Self.likePrefix($0.pgSafe) }
        let phones = search.phones.map(\.pgSafe)
        return try await read { tx in
            try await tx.rows("""
                SELECT * FROM profiles WHERE user_id > \(after) AND user_id LIKE \(id) ESCAPE '\\'
                UNION SELECT * FROM profiles WHERE user_id > \(after) AND phone LIKE \(phone) ESCAPE '\\'
                UNION SELECT * FROM profiles WHERE user_id > \(after) AND phone = ANY(\(phones)::text[])
                ORDER BY user_id LIMIT \(limit)
                """
            ).map(Self.profile(from:))
        }
    }

    /// A LIKE pattern (with `ESCAPE '\'`) matching the texts that start with `prefix`: `\`, `%`
    /// and `_` escaped, then `%`.
    static func likePrefix(_ prefix: String) -> String {
        var out = ""
        for c in prefix {
            if c == "\\" || c == "%" || c == "_" { out.append("\\") }
            out.append(c)
        }
        return out + "%"
    }

    public func updateProfile(userId: String, _ change: @escaping @Sendable (Profile) throws -> Profile) async throws -> Profile? {
        let now = Int64(Date().timeIntervalSince1970)
        return try await write { tx in
            guard let row = try await tx.rows("SELECT * FROM profiles WHERE user_id = \(userId.pgSafe) FOR UPDATE").first else { return nil }
            var profile = try change(try Self.profile(from: row))
            profile.userId = userId
            let props = try JSONCoding.encode(profile.properties).pgSafe
            _ = try await tx.rows("""
                UPDATE profiles SET phone = \(profile.phone?.pgSafe), phone_valid = \(profile.phoneValid),
                  name = \(profile.name?.pgSafe), properties = \(props), opted_out = \(profile.optedOut), updated_at = \(now)
                WHERE user_id = \(profile.userId.pgSafe) RETURNING 1
                """)
            return profile
        }
    }

    public func messages(userId: String, limit: Int) async throws -> [ProfileMessage] {
        try await read { tx in
            try await tx.rows("""
                SELECT \(unescaped: PGMessageRow.columns), body, created_at FROM messages WHERE user_id = \(userId.pgSafe)
                ORDER BY created_at DESC, id DESC LIMIT \(limit)
                """
            ).map { r in
                let m = try PGMessageRow(r)
                return ProfileMessage(
                    messageId: m.id, campaignId: m.campaignId, variant: m.variant, body: try r.get("body"),
                    segments: m.segments, createdAt: try r.get("created_at"), state: m.state)
            }
        }
    }

    /// Applies ``ProfileErasure/steps`` in one transaction, then `VACUUM`s the tables it changed
    /// so the old row versions (dead tuples, which still hold the phone) are removed from the
    /// tables and their indexes. `VACUUM` marks their space free for reuse; until it is reused
    /// the bytes may remain in the data files, and WAL archives and base backups keep what they
    /// recorded (`VACUUM FULL` rewrites a table, under an exclusive lock: the operator's choice).
    public func eraseProfile(_ erasure: ProfileErasure) async throws -> ErasureOutcome {
        let outcome = try await write { tx in try await Self.erase(tx, erasure) }
        if case .erased(let report) = outcome {
            let tables = Set(report.rows.keys.compactMap { $0.split(separator: ".").first.map(String.init) })
            for table in tables.sorted() where ProfileErasure.steps.contains(where: { $0.table == table }) {
                try await client.withConnection { conn in
                    try await PGTx(conn: conn, logger: logger).exec("VACUUM \(unescaped: table)")
                }
            }
        }
        return outcome
    }

    static func erase(_ tx: PGTx, _ erasure: ProfileErasure) async throws -> ErasureOutcome {
        let user = erasure.userId.pgSafe
        let queued = try await tx.scalar(
            """
            SELECT COUNT(*) FROM messages WHERE user_id = \(user) AND (dispatch = 'queued' OR answer_outcome IS NOT NULL)
            """, as: Int.self) ?? 0
        guard queued == 0 else { return .queuedMessages(queued) }
        // Lock the user's messages: a receipt arriving meanwhile waits for the erasure.
        let messageIds = try await tx.rows("SELECT id FROM messages WHERE user_id = \(user) ORDER BY id FOR UPDATE")
            .map { try $0.at(0, Int64.self) }
        var report = ErasureReport(userId: erasure.userId, profileDeleted: false, rows: [:])
        var goals: [ConversionGoal] = []
        for id in try await tx.rows("SELECT DISTINCT campaign_id FROM messages WHERE user_id = \(user)").map({ try $0.at(0, String.self) }) {
            if let goal = try await campaign(tx, id: id)?.goal { goals.append(goal) }
        }
        let keys = try await tx.rows("SELECT meta, provider_message_id FROM messages WHERE user_id = \(user)")
        let mention = erasure.mention(
            metas: try keys.map { try $0.at(0, String.self) }, providerMessageIds: try keys.compactMap { try $0.at(1, String?.self) })
        // The pre-filter (PersonMention.literals by position, .likePatterns by LIKE; bytea compared as bytes).
        let literals = mention.literals.map(\.pgSafe)
        let patterns = mention.likePatterns.map(\.pgSafe)
        for step in ProfileErasure.steps {
            let (t, c) = (step.table, step.column)
            var changed = 0
            switch (step.action, step.rows) {
            case (.delete, .user):
                changed = try await tx.rows("DELETE FROM \(unescaped: t) WHERE user_id = \(user) RETURNING 1").count
                if t == "profiles" { report.profileDeleted = changed > 0 }
            case (.null, .user):
                changed = try await tx.rows(
                    "UPDATE \(unescaped: t) SET \(unescaped: c) = NULL WHERE user_id = \(user) AND \(unescaped: c) IS NOT NULL RETURNING 1"
                ).count
            case (.null, .userMessages):
                changed = try await tx.rows("""
                    UPDATE \(unescaped: t) SET \(unescaped: c) = NULL
                    WHERE message_id = ANY(\(messageIds)::bigint[]) AND \(unescaped: c) IS NOT NULL RETURNING 1
                    """).count
            case (.empty, .user):
                changed = try await tx.rows(
                    "UPDATE \(unescaped: t) SET \(unescaped: c) = '' WHERE user_id = \(user) AND \(unescaped: c) <> '' RETURNING 1"
                ).count
            case (.pseudonym, .user):
                changed = try await tx.rows(
                    "UPDATE \(unescaped: t) SET \(unescaped: c) = \(erasure.pseudonym) WHERE user_id = \(user) RETURNING 1"
                ).count
            case (.scrubEvent, .userMessages):
                for r in try await tx.rows(
                    "SELECT id, message_id, \(unescaped: c) FROM \(unescaped: t) WHERE message_id = ANY(\(messageIds)::bigint[])")
                {
                    let text = try r.at(2, String.self)
                    let scrubbed = ((try? JSONCoding.decode(CallbackItem.self, text))
                        .flatMap { try? JSONCoding.encode(erasure.scrub(event: $0)) } ?? erasure.scrub(text)).pgSafe
                    guard scrubbed != text else { continue }
                    try await tx.exec("""
                        UPDATE \(unescaped: t) SET \(unescaped: c) = \(scrubbed)
                        WHERE id = \(try r.at(0, Int64.self)) AND message_id = \(try r.at(1, Int64.self))
                        """)
                    changed += 1
                }
            case (.retainGoalProperties, .user):
                for r in try await tx.rows("SELECT event_id, \(unescaped: c) FROM \(unescaped: t) WHERE user_id = \(user)") {
                    let text = try r.at(1, String.self)
                    let properties = (try? JSONCoding.decode([String: JSONValue].self, text)) ?? [:]
                    let kept = try JSONCoding.encode(ProfileErasure.retainedProperties(properties, goals: goals)).pgSafe
                    guard kept != text else { continue }
                    try await tx.exec("UPDATE \(unescaped: t) SET \(unescaped: c) = \(kept) WHERE event_id = \(try r.at(0, String.self))")
                    changed += 1
                }
            case (.scrubAudience, .listingUser):
                for r in try await tx.rows("""
                    SELECT id, \(unescaped: c) FROM \(unescaped: t)
                    WHERE (\(unescaped: c)::jsonb #> '{audience,userIds}') @> jsonb_build_array(\(user)::text) ORDER BY id FOR UPDATE
                    """)
                {
                    var campaign = try JSONCoding.decode(Campaign.self, try r.at(1, String.self))
                    let scrubbed = erasure.scrub(audience: campaign.audience)
                    guard scrubbed != campaign.audience else { continue }
                    campaign.audience = scrubbed
                    try await tx.exec(
                        "UPDATE \(unescaped: t) SET \(unescaped: c) = \(try JSONCoding.encode(campaign)) WHERE id = \(try r.at(0, String.self))")
                    changed += 1
                }
            case (.delete, .namingPerson):
                // Only the rows the pre-filter keeps are read, locked against a replay meanwhile.
                var naming: [Int64] = []
                for r in try await tx.rows("""
                    SELECT id, reason, \(unescaped: c) FROM \(unescaped: t)
                    WHERE EXISTS (SELECT 1 FROM unnest(\(literals)::text[]) k
                                  WHERE position(convert_to(k, 'UTF8') IN \(unescaped: c)) > 0 OR strpos(reason, k) > 0)
                       OR EXISTS (SELECT 1 FROM unnest(\(patterns)::text[]) p
                                  WHERE \(unescaped: c) LIKE convert_to(p, 'UTF8') OR reason LIKE p)
                    ORDER BY id FOR UPDATE
                    """)
                {
                    let raw = Array(try r.at(2, ByteBuffer.self).readableBytesView)
                    if mention.names(raw: raw, reason: try r.at(1, String.self)) { naming.append(try r.at(0, Int64.self)) }
                }
                if !naming.isEmpty {
                    changed = try await tx.rows("DELETE FROM \(unescaped: t) WHERE id = ANY(\(naming)::bigint[]) RETURNING 1").count
                }
            case (.scrubPending, .namingPerson):
                for r in try await tx.rows("""
                    SELECT id, \(unescaped: c) FROM \(unescaped: t)
                    WHERE EXISTS (SELECT 1 FROM unnest(\(literals)::text[]) k WHERE strpos(\(unescaped: c), k) > 0)
                       OR EXISTS (SELECT 1 FROM unnest(\(patterns)::text[]) p WHERE \(unescaped: c) LIKE p)
                    ORDER BY id FOR UPDATE
                    """)
                {
                    let text = try r.at(1, String.self)
                    guard mention.names(raw: Array(text.utf8)) else { continue }
                    let scrubbed = erasure.scrub(pending: text).pgSafe
                    guard scrubbed != text else { continue }
                    try await tx.exec("UPDATE \(unescaped: t) SET \(unescaped: c) = \(scrubbed) WHERE id = \(try r.at(0, Int64.self))")
                    changed += 1
                }
            case (.scrubPhone, let rows):
                // Each distinct text holding the phone (contiguous or separated) rewritten where it stands.
                guard let pattern = mention.phoneLikePattern?.pgSafe else { break }
                let texts: [String]
                switch rows {
                case .user:
                    texts = try await tx.rows(
                        "SELECT DISTINCT \(unescaped: c) FROM \(unescaped: t) WHERE user_id = \(user) AND \(unescaped: c) LIKE \(pattern)"
                    ).map { try $0.at(0, String.self) }
                case .userMessages:
                    texts = try await tx.rows("""
                        SELECT DISTINCT \(unescaped: c) FROM \(unescaped: t)
                        WHERE message_id = ANY(\(messageIds)::bigint[]) AND \(unescaped: c) LIKE \(pattern)
                        """).map { try $0.at(0, String.self) }
                case .holdingPhone:
                    texts = try await tx.rows("SELECT DISTINCT \(unescaped: c) FROM \(unescaped: t) WHERE \(unescaped: c) LIKE \(pattern)")
                        .map { try $0.at(0, String.self) }
                case .listingUser, .namingPerson:
                    preconditionFailure("erasure step \(step) has no PostgreSQL translation")
                }
                for text in texts {
                    let scrubbed = erasure.scrub(text).pgSafe
                    guard scrubbed != text else { continue }
                    switch rows {
                    case .user:
                        changed += try await tx.rows("""
                            UPDATE \(unescaped: t) SET \(unescaped: c) = \(scrubbed) WHERE user_id = \(user) AND \(unescaped: c) = \(text) RETURNING 1
                            """).count
                    case .userMessages:
                        changed += try await tx.rows("""
                            UPDATE \(unescaped: t) SET \(unescaped: c) = \(scrubbed)
                            WHERE message_id = ANY(\(messageIds)::bigint[]) AND \(unescaped: c) = \(text) RETURNING 1
                            """).count
                    default:
                        changed += try await tx.rows(
                            "UPDATE \(unescaped: t) SET \(unescaped: c) = \(scrubbed) WHERE \(unescaped: c) = \(text) RETURNING 1"
                        ).count
                    }
                }
            default:
                preconditionFailure("erasure step \(step) has no PostgreSQL translation")
            }
            if changed > 0 { report.rows["\(t).\(c)", default: 0] += changed }
        }
        return .erased(report)
    }
}
