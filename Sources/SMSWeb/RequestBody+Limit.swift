import Hummingbird
import NIOCore

extension RequestBody {
    /// The whole body, at most `maxBytes`; a larger one is a 413 whose message names the limit
    /// (Hummingbird's own 413 has an empty body).
    /// - Parameters:
    ///   - maxBytes: the limit, bytes.
    ///   - what: what the body is, for the message (e.g. `"events"`).
    /// - Throws: `HTTPError(.contentTooLarge)` with the message.
    func collect(upTo maxBytes: Int, what: String) async throws -> ByteBuffer {
        do {
            return try await collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "\(what) body over \(maxBytes) bytes")
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPError(.contentTooLarge, message: "\(what) body over \(maxBytes) bytes")
        }
    }
}
