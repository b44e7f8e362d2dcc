import Foundation
import SMSCore

/// The raw tables' partitions (``RawTablePartitions``, ``PGPartitions``), one transaction each.
extension PostgresStore: RawTablePartitions {
    public func ensurePartitions() async throws -> [String] {
        try await write { tx in
            try await PGPartitions.shortLockWait(tx)
            return try await PGPartitions.ensure(tx)
        }
    }

    public func dropPartitions(messagesCreatedBefore cutoff: Int64) async throws -> [String] {
        try await write { tx in
            try await PGPartitions.shortLockWait(tx)
            return try await PGPartitions.drop(tx, messagesCreatedBefore: cutoff)
        }
    }
}
