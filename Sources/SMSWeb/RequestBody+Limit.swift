import Hummingbird
import NIOCore
import SMSCore

extension RequestBody {
    /// The whole body, at most `maxBytes`; a larger one is a 413 whose message names the limit
    /// (Hummingbird's own 413 has an empty body). A body that cannot be read (a malformed chunk
    /// size, a connection that ends inside the body) is the client's fault: a 400, never the
    /// 503 "storage unavailable" that would make a provider retry it forever.
    /// - Parameters:
    ///   - maxBytes: the limit, bytes.
    ///   - what: what the body is, for the message (e.g. `"events"`).
    /// - Throws: `HTTPError(.contentTooLarge)` with the message; `HTTPError(.badRequest)` when the
    ///   body's framing is broken; `CancellationError` as it came.
    func collect(upTo maxBytes: Int, what: String) async throws -> ByteBuffer {
        do {
            return try await collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "\(what) body over \(maxBytes) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge, message: "\(what) body over \(maxBytes) bytes")
        } catch let error as any HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HTTPError(
                .badRequest, message: "the \(what) body could not be read: its HTTP framing is broken or it ended early (\(error))")
        }
    }
}

extension Request {
    /// The whole body, at most `maxBytes` (``RequestBody/collect(upTo:what:)``), answered before a
    /// byte of it is read when the request declares a larger `Content-Length`: a 413 naming the
    /// limit and the declared size (`callback body over 5000000 bytes (Content-Length: 6000000);
    /// nothing of it was read`), after which ``CloseAfterTooLargeMiddleware`` closes the connection,
    /// so a client uploading a large body learns at once instead of after sending the limit.
    /// - Throws: as ``RequestBody/collect(upTo:what:)``.
    func collectBody(upTo maxBytes: Int, what: String) async throws -> ByteBuffer {
        if let declared = declaredContentLength, declared > maxBytes {
            throw HTTPError(.contentTooLarge, message: "\(what) body over \(maxBytes) bytes (Content-Length: \(declared)); nothing of it was read")
        }
        return try await body.collect(upTo: maxBytes, what: what)
    }

    /// The `Content-Length` the request declares, or `nil` (absent, or not one decimal number: the
    /// HTTP parser refuses those before a route runs).
    var declaredContentLength: Int64? {
        headers[.contentLength].flatMap { DecimalText.integer($0, allowingNegative: false) }
    }
}
