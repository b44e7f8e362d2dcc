import Foundation
import GRDB
import SMSCore

extension SQLiteStore {
    public func insertSegment(_ definition: AudienceSegment.Definition, at: Int64) async throws -> AudienceSegment {
        let json = try JSONCoding.encode(definition)
        return try await db.write { db in
            try db.execute(
                sql: "INSERT INTO audience_segments (json, created_at, updated_at) VALUES (?, ?, ?)", arguments: [json, at, at])
            return AudienceSegment(id: db.lastInsertedRowID, definition: definition, createdAt: at, updatedAt: at)
        }
    }

    public func segment(id: Int64) async throws -> AudienceSegment? {
        try await db.read { db in try Self.segment(db, id: id) }
    }

    static func segment(_ db: Database, id: Int64) throws -> AudienceSegment? {
        try Row.fetchOne(db, sql: "SELECT * FROM audience_segments WHERE id = ?", arguments: [id]).map(segment(from:))
    }

    static func segment(from row: Row) throws -> AudienceSegment {
        AudienceSegment(
            id: row["id"], definition: try JSONCoding.decode(AudienceSegment.Definition.self, row["json"]),
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    public func segments() async throws -> [AudienceSegment] {
        try await db.read { db in try Row.fetchAll(db, sql: "SELECT * FROM audience_segments ORDER BY id").map(Self.segment(from:)) }
    }

    public func updateSegment(id: Int64, _ definition: AudienceSegment.Definition, at: Int64) async throws -> Bool {
        let json = try JSONCoding.encode(definition)
        return try await db.write { db in
            try db.execute(sql: "UPDATE audience_segments SET json = ?, updated_at = ? WHERE id = ?", arguments: [json, at, id])
            return db.changesCount > 0
        }
    }

    public func deleteSegment(id: Int64) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM audience_segments WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
