import SMSCore

extension PostgresStore {
    /// PostgreSQL records each click directly (concurrent writers): no click journal.
    public var capabilities: StoreCapabilities { StoreCapabilities(engine: "postgresql", clickJournal: nil) }
}
