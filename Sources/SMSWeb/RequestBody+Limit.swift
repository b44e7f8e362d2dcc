import Hummingbird
import NIOCore

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
