import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A body over a route's limit is a 413 whose message names the limit (Hummingbird's own 413 has
/// an empty body; found by a new-user trial with a 20 MB+ events request).
@Suite("Body limits: 413 with a message")
struct BodyLimitRouteTests {
    @Test("events over 20,000,000 bytes and a provider over 1,000,000 bytes are 413 naming the limit", arguments: [
        ("/api/v1/events", 20_000_000, "events body over 20000000 bytes"),
        ("/api/v1/providers", 1_000_000, "provider body over 1000000 bytes"),
    ])
    func tooLarge(uri: String, limit: Int, message: String) async throws {
        let (app, _, _) = try await makeTestApp()
        try await app.test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: " "), count: limit + 1)
            try await client.execute(uri: uri, method: .post, headers: auth, body: body) { r in
                #expect(r.status == .contentTooLarge)
                #expect(String(buffer: r.body).contains(message), "\(String(buffer: r.body))")
            }
        }
    }
}
