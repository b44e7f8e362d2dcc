import Hummingbird
import NIOCore
import NIOHTTP1

/// After a 413 (a body over its limit, too many items) the connection is closed: the answer
/// carries `Connection: close`, and once it is written the server stops reading the rest of the
/// upload and closes the connection, so a client still sending sees the answer and an end instead
/// of waiting for its own timeout on a connection the server no longer reads. The 413 is the only
/// answer on the wire: the upload cut off mid-body is no malformed request to answer 400
/// (``EndOfUploadAfterTooLarge``).
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
            channel.eventLoop.execute {
                EndOfUploadAfterTooLarge.install(in: channel)
                channel.close(mode: .input).whenFailure { _ in channel.close(promise: nil) }
            }
        }
        return response
    }
}

/// Placed right after the HTTP request decoder once a 413 is written and the input is shut:
/// the decoder then meets the end of input inside the request body (`HTTPParserError
/// .invalidEOFState`), which the HTTP server would answer with a second response, a stray
/// `400 Bad Request` after the 413. The error is dropped here, so the request stream simply
/// ends and the server closes the connection after the 413 alone.
final class EndOfUploadAfterTooLarge: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { return }
        context.fireErrorCaught(error)
    }

    /// Adds the handler after the request decoder of `channel`'s pipeline (on its event loop);
    /// nothing when there is none (a test channel).
    static func install(in channel: any Channel) {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try? pipeline.addHandler(EndOfUploadAfterTooLarge(), position: .after(decoder))
    }
}
