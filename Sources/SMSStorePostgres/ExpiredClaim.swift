import PostgresNIO

/// The SQL condition of a claim any node may re-queue, with its values bound: its lease expired
/// before `bound` (``LeasePolicy/expiredBelow(now:)``; no lease: a claim from before leases), or its
/// holder is a predecessor of this node (`prefix`: ``NodeIdentity/holderPrefix``, a holder other
/// than `own`). Interpolated into a query as `\(expired)`.
struct ExpiredClaim {
    let bound: Int64
    let prefix: String
    let own: String
}

extension PostgresQuery.StringInterpolation {
    mutating func appendInterpolation(_ claim: ExpiredClaim) {
        appendLiteral("(lease_expires_at IS NULL OR lease_expires_at < ")
        appendInterpolation(claim.bound)
        appendLiteral(" OR (left(claim_node, length(")
        appendInterpolation(claim.prefix)
        appendLiteral(")) = ")
        appendInterpolation(claim.prefix)
        appendLiteral(" AND claim_node <> ")
        appendInterpolation(claim.own)
        appendLiteral("))")
    }
}
