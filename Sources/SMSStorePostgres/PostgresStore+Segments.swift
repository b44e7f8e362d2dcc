import Foundation
import PostgresNIO
import SMSCore

extension PostgresStore {
    public func insertSegment(_ definition: AudienceSegment.Definition, at: Int64) async throws -> AudienceSegment {
        let json = try JSONCoding.encode(definition).pgSafe
        let id = try await write { tx in
            try await tx.scalar(
                "INSERT INTO audience_segments (json, created_at, updated_at) VALUES (\(json), \(at), \(at)) RETURNING id",
                as: Int64.self) ?? 0
        }
        return AudienceSegment(id: id, definition: definition, createdAt: at, updatedAt: at)
    }

    public func segment(id: Int64) async throws -> AudienceSegment? {
        try await read { tx in try await Self.segment(tx, id: id) }
    }

    static func segment(_ tx: PGTx, id: Int64) async throws -> AudienceSegment? {
        try await tx.one("SELECT * FROM audience_segments WHERE id = \(id)").map(segment(from:))
    }

    static func segment(from row: PGRow) throws -> AudienceSegment {
        AudienceSegment(
            id: try row.get("id"), definition: try JSONCoding.decode(AudienceSegment.Definition.self, try row.get("json")),
            createdAt: try row.get("created_at"), updatedAt: try row.get("updated_at"))
    }

    public func segments() async throws -> [AudienceSegment] {
        try await read { tx in try await tx.rows("SELECT * FROM audience_segments ORDER BY id").map(Self.segment(from:)) }
    }

    public func updateSegment(id: Int64, _ definition: AudienceSegment.Definition, at: Int64) async throws -> Bool {
        let json = try JSONCoding.encode(definition).pgSafe
        return try await write { tx in
            try await !tx.rows("UPDATE audience_segments SET json = \(json), updated_at = \(at) WHERE id = \(id) RETURNING 1").isEmpty
        }
    }

    public func deleteSegment(id: Int64) async throws -> Bool {
        try await write { tx in try await !tx.rows("DELETE FROM audience_segments WHERE id = \(id) RETURNING 1").isEmpty }
    }
}
