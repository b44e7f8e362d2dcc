import Hummingbird
import Logging
import SMSCore

/// Logs every request's method and URI like Hummingbird's `LogRequestsMiddleware`, with the value
/// of a `secret` or `token` query parameter replaced by `***`: callback URLs carry the provider's
/// secret (`?secret=…`) or a message's callback token (`?token=…`, ``CallbackToken``) and logs
/// must never contain them.
struct RedactingLogRequestsMiddleware<Context: RequestContext>: RouterMiddleware {
    let level: Logger.Level

    init(_ level: Logger.Level) { self.level = level }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.log(
            level: level, "Request",
            metadata: [
                "hb.request.path": .string(Self.redacted(path: request.uri.path, query: request.uri.query)),
                "hb.request.method": .string(request.method.rawValue),
            ])
        return try await next(request, context)
    }

    /// `path?query` with every `secret=<value>` and `token=<value>` parameter's value replaced by `***`.
    static func redacted(path: String, query: String?) -> String {
        guard let query, !query.isEmpty else { return path }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            let name = part.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return FormFields.credentialNames.contains(name.lowercased()) ? name + "=***" : String(part)
        }
        return path + "?" + parts.joined(separator: "&")
    }
}
