import Foundation
import NIOCore
import PostgresNIO
import SMSCore

extension PostgresStore {
    // MARK: Providers

    public func insertProvider(_ provider: ProviderConfig) async throws {
        let json = try JSONCoding.encode(provider)
        try await write { tx in
            try await tx.exec(
                "INSERT INTO providers (id, json, created_at) VALUES (\(provider.id), \(json), \(provider.createdAt))")
        }
    }

    public func provider(id: String) async throws -> ProviderConfig? {
        let json = try await read { tx in try await tx.scalar("SELECT json FROM providers WHERE id = \(id)", as: String.self) }
        return try json.map { try JSONCoding.decode(ProviderConfig.self, $0) }
    }

    public func providers() async throws -> [ProviderConfig] {
        let rows = try await read { tx in
            try await tx.rows("SELECT json FROM providers ORDER BY created_at, id").map { try $0.at(0, String.self) }
        }
        return try rows.map { try JSONCoding.decode(ProviderConfig.self, $0) }
    }

    public func updateProvider(_ provider: ProviderConfig, ifVersion expected: Int) async throws -> ProviderUpdate {
        try await write { tx in
            let stored = try await tx.scalar("SELECT json FROM providers WHERE id = \(provider.id) FOR UPDATE", as: String.self)
                .map { try JSONCoding.decode(ProviderConfig.self, $0) }
            let outcome = ProviderUpdate.decide(stored: stored, new: provider, expected: expected)
            if case .updated(let written) = outcome {
                let json = try JSONCoding.encode(written)
                try await tx.exec("UPDATE providers SET json = \(json) WHERE id = \(provider.id)")
            }
            return outcome
        }
    }

    /// Locks the provider's row, then reads the campaigns: a campaign inserted meanwhile by another
    /// node is the only race left (its creation checks the provider exists before this commits).
    public func deleteProvider(id: String) async throws -> ProviderDeletion {
        try await write { tx in
            guard try await tx.scalar("SELECT id FROM providers WHERE id = \(id) FOR UPDATE", as: String.self) != nil else {
                return .notFound
            }
            let users = try await tx.rows("SELECT json FROM campaigns ORDER BY created_at, id").map { try $0.at(0, String.self) }
                .map { try JSONCoding.decode(Campaign.self, $0) }
                .filter { $0.providerId == id }
            guard users.isEmpty else { return .inUse(users.map { CampaignReference(id: $0.id, name: $0.name) }) }
            try await tx.exec("DELETE FROM providers WHERE id = \(id)")
            try await tx.exec("DELETE FROM provider_prices WHERE provider_id = \(id)")
            return .deleted
        }
    }

    // MARK: Profiles

    /// One transaction: one multi-row `INSERT … SELECT FROM unnest(<arrays>) ON CONFLICT` (bound
    /// arrays) per 1,000 rows, then one `UPDATE … WHERE user_id = ANY(…)` clearing the opt-outs of
    /// `clearingOptOut` (no round trip per row).
    public func upsertProfiles(_ profiles: [Profile], clearingOptOut: Set<String>) async throws {
        guard !profiles.isEmpty else { return }
        let now = Int64(Date().timeIntervalSince1970)
        // The last occurrence of a user id wins (as row-by-row upserts would); one statement per 1,000.
        // An opt-out in any occurrence sticks (as `MAX(opted_out, excluded.opted_out)` row by row).
        var latest: [String: Int] = [:]
        var optedOut = Set<String>()
        for (i, p) in profiles.enumerated() {
            latest[p.userId] = i
            if p.optedOut { optedOut.insert(p.userId) }
        }
        let unique = latest.values.sorted().map { i -> Profile in
            var p = profiles[i]
            p.optedOut = optedOut.contains(p.userId)
            return p
        }
        let encoded = try unique.map { ($0, try JSONCoding.encode($0.properties)) }
        try await write { tx in
            for start in stride(from: 0, to: encoded.count, by: 1_000) {
                let part = encoded[start..<min(start + 1_000, encoded.count)].sorted {
                    $0.0.userId.utf8.lexicographicallyPrecedes($1.0.userId.utf8)
                }
                let ids = part.map { $0.0.userId.pgSafe }
                let phones = part.map { $0.0.phone?.pgSafe ?? "" }
                let hasPhone = part.map { $0.0.phone != nil }
                let valid = part.map { $0.0.phoneValid }
                let names = part.map { $0.0.name?.pgSafe ?? "" }
                let hasName = part.map { $0.0.name != nil }
                let props = part.map { $0.1 }
                let opted = part.map { $0.0.optedOut }
                try await tx.exec("""
                    INSERT INTO profiles (user_id, phone, phone_valid, name, properties, opted_out, updated_at)
                    SELECT u, CASE WHEN hp THEN p END, v, CASE WHEN hn THEN n END, pr, o, \(now)
                    FROM unnest(\(ids)::text[], \(phones)::text[], \(hasPhone)::boolean[], \(valid)::boolean[],
                      \(names)::text[], \(hasName)::boolean[], \(props)::text[], \(opted)::boolean[])
                      WITH ORDINALITY AS t(u, p, hp, v, n, hn, pr, o, i)
                    ORDER BY i
                    ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, phone_valid = excluded.phone_valid,
                      name = excluded.name, properties = excluded.properties,
                      opted_out = profiles.opted_out OR excluded.opted_out, updated_at = excluded.updated_at
                    """)
            }
            // The request's last `optedOut` for these users was `false`: cleared, whatever was stored.
            let cleared = clearingOptOut.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map(\.pgSafe)
            if !cleared.isEmpty {
                try await tx.exec("UPDATE profiles SET opted_out = false WHERE user_id = ANY(\(cleared)::text[]) AND opted_out")
            }
        }
    }

    public func profile(userId: String) async throws -> Profile? {
        try await read { tx in
            try await tx.one("SELECT * FROM profiles WHERE user_id = \(userId)").map(Self.profile(from:))
        }
    }

    public func profileCount() async throws -> Int {
        try await read { tx in try await tx.scalar("SELECT COUNT(*) FROM profiles", as: Int.self) ?? 0 }
    }

    @discardableResult
    public func setOptOut(userId: String, optedOut: Bool) async throws -> Bool {
        try await write { tx in
            try await !tx.rows("UPDATE profiles SET opted_out = \(optedOut) WHERE user_id = \(userId) RETURNING 1").isEmpty
        }
    }

    static func profile(from row: PGRow) throws -> Profile {
        let props: String = try row.get("properties")
        return Profile(
            userId: try row.get("user_id"), phone: try row.get("phone"), phoneValid: try row.get("phone_valid"),
            name: try row.get("name"),
            properties: (try? JSONCoding.decode([String: JSONValue].self, props)) ?? [:],
            optedOut: try row.get("opted_out"))
    }

    // MARK: Campaigns

    public func insertCampaign(_ campaign: Campaign) async throws {
        let json = try JSONCoding.encode(campaign)
        try await write { tx in
            try await tx.exec("""
                INSERT INTO campaigns (id, json, status, created_at, published_at)
                VALUES (\(campaign.id), \(json), \(campaign.status.rawValue), \(campaign.createdAt), \(campaign.publishedAt))
                """)
        }
    }

    public func campaign(id: String) async throws -> Campaign? {
        try await read { tx in try await Self.campaign(tx, id: id) }
    }

    /// The campaign; with `forUpdate`, its row stays locked until the transaction ends (status changes).
    static func campaign(_ tx: PGTx, id: String, forUpdate: Bool = false) async throws -> Campaign? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        guard let json = try await tx.scalar("SELECT json FROM campaigns WHERE id = \(id)\(unescaped: lock)", as: String.self)
        else { return nil }
        return try JSONCoding.decode(Campaign.self, json)
    }

    /// Rewrites a campaign's JSON and its status / published-at columns.
    static func saveCampaign(_ tx: PGTx, _ c: Campaign) async throws {
        try await tx.exec("""
            UPDATE campaigns SET json = \(try JSONCoding.encode(c)), status = \(c.status.rawValue),
              published_at = \(c.publishedAt) WHERE id = \(c.id)
            """)
    }

    public func campaigns() async throws -> [Campaign] {
        let rows = try await read { tx in
            try await tx.rows("SELECT json FROM campaigns ORDER BY created_at DESC, id").map { try $0.at(0, String.self) }
        }
        return try rows.map { try JSONCoding.decode(Campaign.self, $0) }
    }

    public func campaigns(limit: Int, archived: ArchivedFilter) async throws -> [Campaign] {
        let filter = switch archived {
        case .hidden: "WHERE (json::jsonb ->> 'archivedAt') IS NULL"
        case .only: "WHERE (json::jsonb ->> 'archivedAt') IS NOT NULL"
        case .included: ""
        }
        let rows = try await read { tx in
            try await tx.rows("SELECT json FROM campaigns \(unescaped: filter) ORDER BY created_at DESC, id LIMIT \(limit)")
                .map { try $0.at(0, String.self) }
        }
        return try rows.map { try JSONCoding.decode(Campaign.self, $0) }
    }

    public func setCampaignStatus(id: String, status: CampaignStatus, publishedAt: Int64?) async throws {
        try await write { tx in
            guard var c = try await Self.campaign(tx, id: id, forUpdate: true) else { throw StoreError.notFound("campaign \(id)") }
            c.status = status
            if let publishedAt { c.publishedAt = publishedAt }
            try await Self.saveCampaign(tx, c)
        }
    }

    public func audienceProfiles(_ audience: Audience) async throws -> (profiles: [Profile], missing: [String]) {
        if case .segment(let id) = audience {
            // Page by page (``AudienceSegment/Definition/forEachMatch(fetch:_:)``): only the matches are kept.
            guard let segment = try await segment(id: id) else { throw StoreError.notFound("segment \(id)") }
            var matched: [Profile] = []
            try await segment.definition.forEachMatch(fetch: { try await self.profiles(afterUserId: $0, limit: $1) }) { matched.append($0) }
            return (matched, [])
        }
        let result: ProfilesAndMissing = try await read { tx in
            switch audience {
            case .all:
                return ProfilesAndMissing(
                    profiles: try await tx.rows("SELECT * FROM profiles ORDER BY user_id").map(Self.profile(from:)), missing: [])
            case .userIds(let ids):
                var seen = Set<String>()
                let unique = ids.filter { seen.insert($0).inserted }
                var byId: [String: Profile] = [:]
                for start in stride(from: 0, to: unique.count, by: 5_000) {
                    let part = Array(unique[start..<min(start + 5_000, unique.count)])
                    for row in try await tx.rows("SELECT * FROM profiles WHERE user_id = ANY(\(part)::text[])") {
                        let p = try Self.profile(from: row)
                        byId[p.userId] = p
                    }
                }
                var out = ProfilesAndMissing(profiles: [], missing: [])
                for id in unique {
                    if let p = byId[id] { out.profiles.append(p) } else { out.missing.append(id) }
                }
                return out
            case .segment:
                preconditionFailure("read above")
            }
        }
        return (result.profiles, result.missing)
    }

    struct ProfilesAndMissing: Sendable {
        var profiles: [Profile]
        var missing: [String]
    }

    // MARK: Ingestion errors

    public func recordIngestionErrors(_ errors: [IngestionErrorInput]) async throws {
        guard !errors.isEmpty else { return }
        try await write { tx in
            for e in errors {
                try await tx.exec("""
                    INSERT INTO ingestion_errors (source, provider_id, reason, raw, received_at, body_kind)
                    VALUES (\(e.source.pgSafe), \(e.providerId?.pgSafe), \(e.reason.pgSafe), \(ByteBuffer(bytes: e.raw)),
                      \(e.receivedAt), \(e.bodyKind?.rawValue))
                    """)
            }
        }
    }

    public func ingestionErrors(limit: Int) async throws -> [IngestionError] {
        try await read { tx in
            try await tx.rows("SELECT * FROM ingestion_errors ORDER BY id DESC LIMIT \(limit)").map(Self.ingestionError(from:))
        }
    }

    public func ingestionError(id: Int64) async throws -> IngestionError? {
        try await read { tx in
            try await tx.one("SELECT * FROM ingestion_errors WHERE id = \(id)").map(Self.ingestionError(from:))
        }
    }

    static func ingestionError(from row: PGRow) throws -> IngestionError {
        IngestionError(
            id: try row.get("id"), source: try row.get("source"), providerId: try row.get("provider_id"),
            reason: try row.get("reason"), raw: Array(try row.get("raw", ByteBuffer.self).readableBytesView),
            receivedAt: try row.get("received_at"), replayedAt: try row.get("replayed_at"),
            bodyKind: (try row.get("body_kind", String?.self)).flatMap(CallbackBodyKind.init(rawValue:)))
    }
}
