import Hummingbird

/// A known path asked with a method it does not take is a 405 with an `Allow` header (RFC 9110
/// §15.5.6), not a 404: `TRACE /api/v1/events` → `405`, `Allow: POST`. The route table is read
/// from the router once every route is added (``RouteMethods/fill(from:)``); paths no route
/// matches pass through (404 as before).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let allowed = table.methods(forPath: request.uri.path), !allowed.contains(request.method.rawValue) {
            throw HTTPError(
                .methodNotAllowed, headers: [.allow: allowed.sorted().joined(separator: ", ")],
                message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        return try await next(request, context)
    }
}

/// Path templates (`/api/v1/campaigns/{id}`) and the methods their routes take.
final class RouteMethods: @unchecked Sendable {
    // Written once by `fill(from:)` before the server starts; read-only afterwards.
    private var templates: [(segments: [Substring], methods: Set<String>)] = []

    /// Reads the router's routes (call after every route is added, before serving).
    func fill<C: RequestContext>(from router: Router<C>) {
        var byPath: [String: Set<String>] = [:]
        for route in router.routes { byPath[route.path.description, default: []].insert(route.method.rawValue) }
        templates = byPath.map { (Self.segments($0.key), $0.value) }
    }

    /// The methods of the most literal templates that match `path` (the union of those with the
    /// fewest parameter segments), or `nil` when none does: `/api/v1/profiles/import` is the
    /// import (POST), not `/api/v1/profiles/{userId}` (so a user id `import` cannot be read,
    /// changed or erased by path).
    func methods(forPath path: String) -> Set<String>? {
        let parts = Self.segments(path)
        var found: Set<String>?
        var fewest = Int.max
        for t in templates where Self.matches(t.segments, parts) {
            let parameters = t.segments.filter { $0.hasPrefix("{") || $0.hasPrefix(":") || $0.hasPrefix("*") }.count
            if parameters < fewest {
                fewest = parameters
                found = t.methods
            } else if parameters == fewest {
                found = (found ?? []).union(t.methods)
            }
        }
        return found
    }

    static func segments(_ path: String) -> [Substring] { path.split(separator: "/", omittingEmptySubsequences: true) }

    /// `{name}` / `:name` / `*` match one segment, `**` the rest; anything else matches itself.
    static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        var i = 0
        for (k, t) in template.enumerated() {
            if t == "**" { return true }
            guard i < path.count else { return false }
            let parameter = t == "*" || t.hasPrefix(":") || (t.hasPrefix("{") && t.hasSuffix("}"))
            if !parameter && t != path[i] { return false }
            i += 1
            if k == template.count - 1 { return i == path.count }
        }
        return template.isEmpty && path.isEmpty
    }
}
