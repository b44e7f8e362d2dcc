import SMSCore

extension PostgresStore {
    /// PostgreSQL records each click directly (concurrent writers): no click journal; its raw
    /// tables are partitioned (``RawTablePartitions``).
    public var capabilities: StoreCapabilities { StoreCapabilities(engine: "postgresql", clickJournal: nil, partitions: self) }
}
