import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small client for our own HTTP API (real requests over loopback).
struct DemoAPIClient: Sendable {
    let client: HTTPClient
    let baseURL: String
    let token: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends a request and returns status and body. `json` is encoded as the body.
    func call(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json", auth: Bool = true)
        async throws -> (status: Int, body: Data)
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if auth { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 50_000_000)
        return (Int(response.status.code), Data(buffer: bytes))
    }

    func json<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String, body: (any Encodable)? = nil) async throws -> T {
        let data = try body.map { try JSONEncoder().encode($0) }
        let (status, bytes) = try await call(method, path, body: data)
        guard (200..<300).contains(status) else {
            throw Failure(description: "\(method) \(path) → \(status): \(String(decoding: bytes, as: UTF8.self))")
        }
        return try JSONDecoder().decode(type, from: bytes)
    }

    /// A GET or HEAD on a short link without following the redirect.
    func hit(_ url: String, method: HTTPMethod = .GET, userAgent: String) async throws -> (status: Int, location: String?) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "User-Agent", value: userAgent)
        let response = try await client.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1_000_000)
        return (Int(response.status.code), response.headers.first(name: "Location"))
    }
}
