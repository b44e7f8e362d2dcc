import Foundation
import SMSCore

/// Server configuration (flags and environment variables of `smsstats serve`).
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    /// Public base URL of this server, without trailing slash: used in short links and in the
    /// callback URLs shown to users (e.g. `https://sms.example.com`).
    public var publicBaseURL: String
    /// Bearer token of the admin API and the dashboard sign-in.
    public var adminToken: String
    /// Secret salt for hashing click IPs (raw IPs are never stored; ``IPHashSalt``). `nil` (the
    /// default) = the database's salt, generated once and stored (``SettingsStore``), so a
    /// visitor's hash is the same across restarts; `smsstats serve --ip-hash-salt` /
    /// `SMSSTATS_IP_HASH_SALT` set it. Never logged.
    public var ipHashSalt: String?
    /// Short-link lifetime, **seconds**.
    public var linkLifetimeSeconds: Int64
    /// Dispatcher polling interval, **milliseconds**.
    public var dispatchIntervalMs: Int
    /// Retention of raw history (`smsstats serve --retain-raw-days N`, ``RawRetention``): campaigns
    /// finished more than this long ago lose their raw rows, hourly, on one node at a time; `nil`
    /// (the default) keeps everything.
    public var retention: RawRetention?
    /// Maximum callback body, bytes (`docs/DOMAIN.md`: 5 MB).
    public var maxCallbackBytes: Int
    /// Maximum items in one callback request.
    public var maxCallbackItems: Int
    /// Optional dashboard password (`--dashboard-password`): the sign-in form accepts it as well as
    /// the admin token. `nil` = admin token only.
    public var dashboardPassword: String?
    /// Operator additions to the bot user-agent lists: substrings, case-insensitive
    /// (`smsstats serve --bot-user-agent`).
    public var botUserAgentSubstrings: [String] = []
    /// Maximum conversion events in one `POST /api/v1/events` request.
    public var maxEventsPerRequest: Int = 10_000
    /// Frequency cap: at most this many SMS per user per rolling 24 h across campaigns; `nil` = off.
    public var frequencyCap: Int?
    /// Directory of the redirect's click journal (`smsstats serve`: `<database>-clicks` next to a
    /// SQLite database; on PostgreSQL the node's own `--click-journal DIR`): hits are journaled and
    /// answered at once, then applied in batches (``ClickJournal``). `nil` = each redirect waits for
    /// its click's commit.
    public var clickJournalDirectory: String?
    /// How long an HTTP connection may go without a read of a whole request part (the request
    /// head, a piece of the body) while a request is being read, or sit idle between requests,
    /// before the server closes it, **seconds** (`smsstats serve --idle-timeout`, default 30,
    /// ``idleTimeoutRange``). A slow-loris connection (a head that never ends, a body shorter than
    /// its `Content-Length`) is closed after it; a client that keeps sending body data is not.
    /// Responses being computed or written are not cut (Hummingbird's `HTTP1Channel` idle timeout).
    public var idleTimeoutSeconds: Int = 30
    /// The accepted `--idle-timeout`, seconds.
    public static let idleTimeoutRange = 1...3_600
    /// This server's node identity (the holder of its claims' leases; `--node-id` pins the id).
    public var node = NodeIdentity()
    /// How long a claim's lease runs without renewal (`--lease-seconds`, default 30).
    public var leasePolicy = LeasePolicy.standard
    /// The server clock, epoch **seconds**: callback authentication (signature timestamps, a
    /// rotated secret's grace period) and secret rotation read it; tests replace it.
    public var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicBaseURL: String? = nil, adminToken: String,
        ipHashSalt: String? = nil, linkLifetimeSeconds: Int64 = 30 * 86_400, dispatchIntervalMs: Int = 200,
        maxCallbackBytes: Int = 5 * 1024 * 1024, maxCallbackItems: Int = 10_000, dashboardPassword: String? = nil,
        frequencyCap: Int? = nil
    ) {
        self.frequencyCap = frequencyCap
        self.host = host
        self.port = port
        let base = publicBaseURL ?? "http://\(host):\(port)"
        self.publicBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.adminToken = adminToken
        self.ipHashSalt = ipHashSalt
        self.linkLifetimeSeconds = linkLifetimeSeconds
        self.dispatchIntervalMs = dispatchIntervalMs
        self.maxCallbackBytes = maxCallbackBytes
        self.maxCallbackItems = maxCallbackItems
        self.dashboardPassword = dashboardPassword.flatMap { $0.isEmpty ? nil : $0 }
    }
}
