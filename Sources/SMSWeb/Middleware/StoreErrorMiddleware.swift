import Foundation
import Hummingbird
import Logging
import SMSCore

/// Maps errors that are not HTTP answers yet (`docs/DOMAIN.md` §3: "500/503 on server trouble"; style
/// notes: foreign errors are mapped in one middleware):
/// - ``StoreError/notFound(_:)`` → 404, ``StoreError/duplicate(_:)`` → 409, with their message;
/// - anything else (a storage driver error: disk full, database locked past the busy timeout,
///   I/O error) → 503 `storage unavailable` with `Retry-After: 60`, logged at error level with the
///   request's method and path (no query: it may carry a callback secret). Providers retry a 5xx,
///   and every callback is idempotent, so nothing is lost.
/// Bad input never reaches this point: handlers answer it with a 4xx themselves.
struct StoreErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as StoreError {
            switch error {
            case .notFound: throw HTTPError(.notFound, message: error.description)
            case .duplicate: throw HTTPError(.conflict, message: error.description)
            }
        } catch is CancellationError {
            throw HTTPError(.serviceUnavailable, message: "request cancelled")
        } catch {
            logger.error(
                "storage failure", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)"])
            throw HTTPError(
                .serviceUnavailable, headers: [.retryAfter: "60"], message: "storage unavailable; retry later")
        }
    }
}
