import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    // MARK: Providers

    public func insertProvider(_ provider: ProviderConfig) async throws {
        let json = try JSONCoding.encode(provider)
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO providers (id, json, created_at) VALUES (?, ?, ?)",
                arguments: [provider.id, json, provider.createdAt])
        }
    }

    public func provider(id: String) async throws -> ProviderConfig? {
        let json = try await db.read { db in
            try String.fetchOne(db, sql: "SELECT json FROM providers WHERE id = ?", arguments: [id])
        }
        return try json.map { try JSONCoding.decode(ProviderConfig.self, $0) }
    }

    public func providers() async throws -> [ProviderConfig] {
        let rows = try await db.read { db in
            try String.fetchAll(db, sql: "SELECT json FROM providers ORDER BY created_at, id")
        }
        return try rows.map { try JSONCoding.decode(ProviderConfig.self, $0) }
    }

    public func updateProvider(_ provider: ProviderConfig, ifVersion expected: Int) async throws -> ProviderUpdate {
        try await db.write { db in
            let stored = try String.fetchOne(db, sql: "SELECT json FROM providers WHERE id = ?", arguments: [provider.id])
                .map { try JSONCoding.decode(ProviderConfig.self, $0) }
            let outcome = ProviderUpdate.decide(stored: stored, new: provider, expected: expected)
            if case .updated(let written) = outcome {
                try db.execute(sql: "UPDATE providers SET json = ? WHERE id = ?", arguments: [try JSONCoding.encode(written), provider.id])
            }
            return outcome
        }
    }

    public func deleteProvider(id: String) async throws -> ProviderDeletion {
        try await db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM providers WHERE id = ?", arguments: [id]) != nil else { return .notFound }
            let users = try String.fetchAll(db, sql: "SELECT json FROM campaigns ORDER BY created_at, id")
                .map { try JSONCoding.decode(Campaign.self, $0) }
                .filter { $0.providerId == id }
            guard users.isEmpty else { return .inUse(users.map { CampaignReference(id: $0.id, name: $0.name) }) }
            try db.execute(sql: "DELETE FROM providers WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM provider_prices WHERE provider_id = ?", arguments: [id])
            return .deleted
        }
    }

    // MARK: Profiles

    /// One transaction, one prepared statement run per row (SQLite runs a prepared statement in
    /// process: a multi-row `VALUES` list saves nothing here, unlike a round trip to a server). A
    /// user id in `clearingOptOut` takes the row's `optedOut` as given (the request cleared it);
    /// any other keeps a stored opt-out (`MAX`).
    public func upsertProfiles(_ profiles: [Profile], clearingOptOut: Set<String>) async throws {
        let now = Int64(Date().timeIntervalSince1970)
        let encoded = try profiles.map { ($0, try JSONCoding.encode($0.properties)) }
        try await db.write { db in
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO profiles (user_id, phone, phone_valid, name, properties, opted_out, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, phone_valid = excluded.phone_valid,
                  name = excluded.name, properties = excluded.properties,
                  opted_out = CASE WHEN ?8 THEN excluded.opted_out ELSE MAX(opted_out, excluded.opted_out) END,
                  updated_at = excluded.updated_at
                """)
            for (p, props) in encoded {
                try stmt.execute(arguments: [p.userId, p.phone, p.phoneValid, p.name, props, p.optedOut, now, clearingOptOut.contains(p.userId)])
            }
        }
    }

    public func profile(userId: String) async throws -> Profile? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM profiles WHERE user_id = ?", arguments: [userId])
                .map(Self.profile(from:))
        }
    }

    public func profileCount() async throws -> Int {
        try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM profiles") ?? 0 }
    }

    @discardableResult
    public func setOptOut(userId: String, optedOut: Bool) async throws -> Bool {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE profiles SET opted_out = ? WHERE user_id = ?", arguments: [optedOut, userId])
            return db.changesCount > 0
        }
    }

    static func profile(from row: Row) throws -> Profile {
        let props: String = row["properties"]
        return Profile(
            userId: row["user_id"], phone: row["phone"], phoneValid: row["phone_valid"], name: row["name"],
            properties: (try? JSONCoding.decode([String: JSONValue].self, props)) ?? [:],
            optedOut: row["opted_out"])
    }

    // MARK: Campaigns

    public func insertCampaign(_ campaign: Campaign) async throws {
        let json = try JSONCoding.encode(campaign)
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO campaigns (id, json, status, created_at, published_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [campaign.id, json, campaign.status.rawValue, campaign.createdAt, campaign.publishedAt])
        }
    }

    public func campaign(id: String) async throws -> Campaign? {
        try await db.read { db in try Self.campaign(db, id: id) }
    }

    static func campaign(_ db: Database, id: String) throws -> Campaign? {
        guard let json = try String.fetchOne(db, sql: "SELECT json FROM campaigns WHERE id = ?", arguments: [id])
        else { return nil }
        return try JSONCoding.decode(Campaign.self, json)
    }

    /// Rewrites a campaign's JSON and its status / published-at columns.
    static func saveCampaign(_ db: Database, _ c: Campaign) throws {
        try db.execute(
            sql: "UPDATE campaigns SET json = ?, status = ?, published_at = ? WHERE id = ?",
            arguments: [try JSONCoding.encode(c), c.status.rawValue, c.publishedAt, c.id])
    }

    public func campaigns() async throws -> [Campaign] {
        let rows = try await db.read { db in
            try String.fetchAll(db, sql: "SELECT json FROM campaigns ORDER BY created_at DESC, id")
        }
        return try rows.map { try JSONCoding.decode(Campaign.self, $0) }
    }

    public func campaigns(limit: Int, archived: ArchivedFilter) async throws -> [Campaign] {
        let filter = switch archived {
        case .hidden: "WHERE json_extract(json, '$.archivedAt') IS NULL"
        case .only: "WHERE json_extract(json, '$.archivedAt') IS NOT NULL"
        case .included: ""
        }
        let rows = try await db.read { db in
            try String.fetchAll(db, sql: "SELECT json FROM campaigns \(filter) ORDER BY created_at DESC, id LIMIT ?", arguments: [limit])
        }
        return try rows.map { try JSONCoding.decode(Campaign.self, $0) }
    }

    public func setCampaignStatus(id: String, status: CampaignStatus, publishedAt: Int64?) async throws {
        try await db.write { db in
            guard var c = try Self.campaign(db, id: id) else { throw StoreError.notFound("campaign \(id)") }
            c.status = status
            if let publishedAt { c.publishedAt = publishedAt }
            try Self.saveCampaign(db, c)
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
        return try await db.read { db in
            switch audience {
            case .all:
                return (try Row.fetchAll(db, sql: "SELECT * FROM profiles ORDER BY user_id").map(Self.profile(from:)), [])
            case .userIds(let ids):
                var found: [Profile] = []
                var missing: [String] = []
                var seen = Set<String>()
                let stmt = try db.cachedStatement(sql: "SELECT * FROM profiles WHERE user_id = ?")
                for id in ids where seen.insert(id).inserted {
                    if let row = try Row.fetchOne(stmt, arguments: [id]) {
                        found.append(try Self.profile(from: row))
                    } else {
                        missing.append(id)
                    }
                }
                return (found, missing)
            case .segment:
                preconditionFailure("read above")
            }
        }
    }

    // MARK: Ingestion errors

    public func recordIngestionErrors(_ errors: [IngestionErrorInput]) async throws {
        guard !errors.isEmpty else { return }
        try await db.write { db in
            for e in errors {
                try db.execute(
                    sql: "INSERT INTO ingestion_errors (source, provider_id, reason, raw, received_at, body_kind) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [e.source, e.providerId, StoredText.withoutNUL(e.reason), Data(e.raw), e.receivedAt, e.bodyKind?.rawValue])
            }
        }
    }

    public func ingestionErrors(limit: Int) async throws -> [IngestionError] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ingestion_errors ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map(Self.ingestionError(from:))
        }
    }
}
