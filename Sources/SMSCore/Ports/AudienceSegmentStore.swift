import Foundation

/// Saved audience segments (``AudienceSegment``) in the stores. Times are **epoch seconds**.
public protocol AudienceSegmentStore: Sendable {
    /// Stores a new segment; the store assigns its id.
    func insertSegment(_ definition: AudienceSegment.Definition, at: Int64) async throws -> AudienceSegment
    func segment(id: Int64) async throws -> AudienceSegment?
    /// Every segment, by id.
    func segments() async throws -> [AudienceSegment]
    /// Replaces a segment's definition and `updatedAt`. Returns whether it exists.
    func updateSegment(id: Int64, _ definition: AudienceSegment.Definition, at: Int64) async throws -> Bool
    /// Returns whether it existed.
    func deleteSegment(id: Int64) async throws -> Bool
}
