import Foundation
import Hummingbird
import SMSCore

/// The request rules every admin route (`/api/v1/…`) shares, judged before its handler from what
/// the API contract (``APIContract``, read from `openapi.json`) says the operation takes
/// (`docs/DOMAIN.md` §1 "Text from outside"):
/// - a query parameter whose percent-decoded name or value is not UTF-8 is a 400 naming it
///   (``QueryParameter/checkUTF8(in:)``), never read with U+FFFD;
/// - a query parameter the operation does not take (`?limt=3`) is a 400 naming it and the ones it
///   takes, never ignored;
/// - a `Content-Encoding` other than `identity` is a 415 (`Content-Encoding gzip is not
///   supported; send the body uncompressed`): bodies are read as sent;
/// - on an operation with a request body, a `Content-Type` the contract does not list for it is a
///   415 naming the expected type (`application/json`, PATCH also `application/merge-patch+json`,
///   the CSV import `text/csv`), and a `charset` other than UTF-8 too. A request WITHOUT a
///   `Content-Type` is read as the expected type (decision: scripts and HTTP libraries that send
///   JSON without the header keep working; `curl -d` sends `application/x-www-form-urlencoded`,
///   which is refused with how to add the header);
/// - a DELETE with a non-empty body is a 400: DELETE takes none, so a body is a client mistake
///   (a filter meant for another route), never silently dropped.
/// Provider callbacks do not pass here: providers add parameters of their own.
struct AdminRequestContractMiddleware<Context: RequestContext>: RouterMiddleware {
    let contract: APIContract

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try QueryParameter.checkUTF8(in: request)
        let method = request.method.rawValue
        guard let operation = contract.operation(method: method, path: request.uri.path) else {
            return try await next(request, context)
        }
        for (name, _) in request.uri.queryParameters where !operation.takes(query: String(name)) {
            throw HTTPError(
                .badRequest,
                message: "unknown query parameter '\(InputEcho.text(String(name)))' for \(method) \(operation.template); "
                    + "its query parameters: \(operation.allowedQueryText)")
        }
        if let refusal = Self.encodingRefusal(request) { throw refusal }
        if let types = operation.bodyTypes, let given = request.headers[.contentType],
            let problem = Self.contentTypeProblem(given, accepted: types, operation: operation)
        {
            throw HTTPError(.unsupportedMediaType, message: problem)
        }
        if request.method == .delete {
            do {
                _ = try await request.body.collect(upTo: 0)
            } catch {
                throw HTTPError(.badRequest, message: "DELETE \(operation.template) takes no request body; send it without one")
            }
        }
        return try await next(request, context)
    }

    /// The 415 for a request with a `Content-Encoding` other than `identity` (admin routes and
    /// callbacks): `Content-Encoding gzip is not supported; send the body uncompressed`; `nil` without one.
    static func encodingRefusal(_ request: Request) -> HTTPError? {
        guard let encoding = request.headers[.contentEncoding], encoding.trimmingCharacters(in: .whitespaces).lowercased() != "identity" else {
            return nil
        }
        return HTTPError(
            .unsupportedMediaType,
            message: "Content-Encoding \(InputEcho.text(encoding.trimmingCharacters(in: .whitespaces))) is not supported; send the body uncompressed")
    }

    /// Why `given` (a `Content-Type` header) is not one of `accepted` (media types without
    /// parameters), or `nil` when it is: its media type must be one of them (case-insensitive) and
    /// a `charset` parameter, when present, `utf-8`.
    static func contentTypeProblem(_ given: String, accepted: [String], operation: APIContract.Operation) -> String? {
        let parts = given.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let media = parts[0].lowercased()
        let expected = accepted.joined(separator: " or ")
        let route = "\(operation.method) \(operation.template)"
        guard accepted.contains(media) else {
            if media == "multipart/form-data", accepted == ["text/csv"] { return ProfileController.multipartMessage }
            let hint =
                accepted.contains("application/json")
                ? " (curl: add -H 'Content-Type: application/json'; -d alone sends application/x-www-form-urlencoded)"
                : accepted.contains("text/csv") ? " (curl: --data-binary @x.csv -H 'Content-Type: text/csv')" : ""
            return "Content-Type \(InputEcho.text(given)) is not accepted by \(route); send \(expected)\(hint)"
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "charset" else { continue }
            let charset = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
            if charset != "utf-8" && charset != "utf8" {
                return "Content-Type \(InputEcho.text(given)) is not accepted by \(route): the body must be UTF-8 (charset=utf-8, or no charset)"
            }
        }
        return nil
    }
}
