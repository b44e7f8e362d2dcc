import Hummingbird
import NIOCore

/// After a 413 (a body over its limit, too many items) the connection is closed: the answer
/// carries `Connection: close`, and once it is written the server stops reading the rest of the
/// upload and closes the connection, so a client still sending sees the answer and an end instead
/// of waiting for its own timeout on a connection the server no longer reads.
struct CloseAfterTooLargeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return try closing(error.response(from: request, context: context), channel: context.channel)
        }
        guard response.status == .contentTooLarge else { return response }
        return closing(response, channel: context.channel)
    }

    /// The response with `Connection: close`, whose body, once written, shuts the connection's input
    /// (the HTTP server then finishes the response and closes the connection).
    func closing(_ response: Response, channel: any Channel) -> Response {
        var response = response
        response.headers[.connection] = "close"
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            try await body.write(writer)
            channel.close(mode: .input).whenFailure { _ in channel.close(promise: nil) }
        }
        return response
    }
}
