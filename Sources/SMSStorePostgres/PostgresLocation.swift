import Foundation

/// Where a PostgreSQL database is, parsed from a URL
/// `postgres://user:password@host:port/database[?search_path=schema][&sslmode=mode]`
/// (`postgresql://` too). User and password are percent-decoded; the port defaults to 5432.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    /// The schema tables live in (`search_path` for every connection; created when missing); `nil` =
    /// the server's default. Lower-case letters, digits and `_` only.
    public var schema: String?
    /// TLS, as libpq's `sslmode`: `disable`; `prefer` (the default: TLS when the server offers
    /// it, certificate not verified); `require` (TLS or fail, certificate not verified);
    /// `verify-full` (TLS, certificate chain and host name verified against the system's roots).
    public var sslMode: SSLMode = .prefer

    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String?, schema: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
    }

    /// A malformed PostgreSQL URL.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether `database` names PostgreSQL (`postgres://` or `postgresql://`); anything else is
    /// a SQLite file path.
    public static func isPostgresURL(_ database: String) -> Bool {
        let lower = database.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// - Throws: ``ParseError`` when it is not a `postgres://` URL with a host and a user.
    public init(url: String) throws {
        guard Self.isPostgresURL(url), let c = URLComponents(string: url) else {
            throw ParseError(description: "not a postgres:// URL: \(Self.redacted(url))")
        }
        guard let host = c.host, !host.isEmpty else {
            throw ParseError(description: "no host in \(Self.redacted(url))")
        }
        guard let user = c.user, !user.isEmpty else {
            throw ParseError(description: "no user in \(Self.redacted(url)) (postgres://user:password@host:port/database)")
        }
        self.host = host
        self.port = c.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = c.password.map { $0.removingPercentEncoding ?? $0 }
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        self.database = path.isEmpty ? nil : path
        let schema = c.queryItems?.first { $0.name == "search_path" || $0.name == "schema" }?.value
        if let schema, !Self.isPlainIdentifier(schema) {
            throw ParseError(description: "search_path '\(schema)' must be a lower-case name (a-z, 0-9, _; not starting with a digit)")
        }
        self.schema = schema?.isEmpty == false ? schema : nil
        if let mode = c.queryItems?.first(where: { $0.name == "sslmode" })?.value {
            guard let parsed = SSLMode(rawValue: mode) else {
                throw ParseError(
                    description: "sslmode '\(mode)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.sslMode = parsed
        }
    }

    /// `[a-z_][a-z0-9_]*`, at most 63 bytes: a schema name PostgreSQL reads the same quoted or not.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// The URL with its password replaced by `***` (for logs and error messages).
    public static func redacted(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.password != nil else { return url }
        c.password = "***"
        return c.string ?? url
    }
}
