import Foundation

/// Who holds a claim: the node (`smsstats serve` process) id and the process's start token.
///
/// The node id names the server in logs (generated at start, or pinned with `--node-id`); the
/// start token is new for every process, so a node restarted under a pinned id never renews the
/// claims its dead predecessor left (they expire and are queued again like any dead node's).
public struct NodeIdentity: Sendable, Equatable, CustomStringConvertible {
    /// The node id, e.g. `"web-1"` or a generated `"node-3f9a2c1d"`.
    public let id: String
    /// Random per process start.
    public let startToken: String
    /// Whether the operator pinned the id (`--node-id`): then it names one live process at a time,
    /// and a claim of the same id with another start token is its dead predecessor's.
    public let pinned: Bool

    /// - Parameter id: the pinned node id (unique among live nodes), or `nil` to generate one
    ///   (`node-` and 8 hex digits).
    public init(id: String? = nil, startToken: String? = nil) {
        self.id = id ?? "node-" + Self.hex(8)
        self.startToken = startToken ?? Self.hex(8)
        self.pinned = id != nil
    }

    /// What a claim records as its holder: `"<id>@<startToken>"`.
    public var holder: String { id + "@" + startToken }

    /// What the holders of this node's earlier processes start with (`"<id>@"`): a node restarted
    /// under a pinned id re-queues their claims at start-up without waiting for their lease
    /// (``SMSDispatchStore/recoverClaims(policy:now:predecessorsOf:)``).
    public var holderPrefix: String { id + "@" }

    /// Whether a claim's `holder` is a dead predecessor of this (pinned) node.
    public func isPredecessor(_ holder: String) -> Bool {
        pinned && holder.hasPrefix(holderPrefix) && holder != self.holder
    }

    public var description: String { holder }

    /// A node id as an operator may pin it: 1 to 64 of `A-Z a-z 0-9 . _ -`.
    public static func isValidId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
            }
    }

    static func hex(_ digits: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<digits).map { _ in "0123456789abcdef".randomElement(using: &g)! })
    }
}

/// The lease rule of a claim (issue 14, `docs/ARCHITECTURE.md` "Several servers"): a claim is held
/// by a node until its lease expires; the live node renews the leases of its claims every
/// ``renewIntervalSeconds``; any node queues again a claim whose lease has expired (its node is
/// dead or cut off: the provider may or may not have received the messages), never a claim whose
/// lease is still running. So the at-least-once window is exactly the dead node's unexpired
/// claims at its death (at most `concurrencyLimit × messagesPerRequest` per provider and node),
/// and they are re-sent at most ``leaseSeconds`` + one renew interval after it died.
///
/// Times are epoch **seconds** (the stores' clock). A lease written at `now` runs through
/// `now + leaseSeconds` inclusive and is expired from the next second on (``isExpired(expiresAt:now:)``),
/// so it lasts at least `leaseSeconds` of real time whatever the sub-second moment of writing.
/// Nodes' clocks must agree to well within `leaseSeconds` (NTP).
public struct LeasePolicy: Sendable, Equatable {
    /// How long a claim stays leased without a renewal, seconds (≥ 2; default 30).
    public let leaseSeconds: Int64

    /// - Parameter leaseSeconds: at least 2 (a one-second lease could expire between two renewals).
    public init(leaseSeconds: Int64 = 30) {
        precondition(leaseSeconds >= Self.minimumLeaseSeconds, "a lease lasts at least \(Self.minimumLeaseSeconds) seconds")
        self.leaseSeconds = leaseSeconds
    }

    /// The shortest lease, seconds.
    public static let minimumLeaseSeconds: Int64 = 2
    /// The default lease, seconds.
    public static let standard = LeasePolicy()

    /// Seconds between two renewals: a quarter of the lease (below a third, so a renewal that is
    /// late by one interval, plus the one-second clock granularity, still comes in time).
    public var renewIntervalSeconds: Double { Double(leaseSeconds) / 4 }

    /// The expiry of a lease taken or renewed at `now` (epoch seconds).
    public func expiry(now: Int64) -> Int64 { now + leaseSeconds }

    /// Whether a lease expiring at `expiresAt` has expired at `now`; a claim without a lease
    /// (`nil`: made before leases existed) is expired.
    public static func isExpired(expiresAt: Int64?, now: Int64) -> Bool {
        guard let expiresAt else { return true }
        return expiresAt < now
    }

    /// The stores' form of ``isExpired(expiresAt:now:)``: a lease is expired at `now` when its
    /// expiry is below this bound (`lease_expires_at IS NULL OR lease_expires_at < bound`).
    public static func expiredBelow(now: Int64) -> Int64 { now }
}

/// The lease a claim is made with: its holder (``NodeIdentity/holder``) and expiry (epoch seconds).
public struct ClaimLease: Sendable, Equatable {
    public var holder: String
    public var expiresAt: Int64
    public init(holder: String, expiresAt: Int64) {
        self.holder = holder
        self.expiresAt = expiresAt
    }
}
