import Crypto
import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <admin token>` (401 otherwise). The comparison is constant-time.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Self.constantTimeEquals(String(header.dropFirst(7)), token)
        else {
            throw HTTPError(.unauthorized, message: "missing or wrong admin token (Authorization: Bearer <token>)")
        }
        return try await next(request, context)
    }

    /// Compares two secrets without an early exit on the first differing byte.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8)))
        let y = Array(SHA256.hash(data: Data(b.utf8)))
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
