import Foundation

/// A provider's 2xx answer to a send request, as far as the message ids are read from it
/// (``ProviderMessageIdReader``).
public struct ProviderAnswer: Sendable, Equatable {
    /// The body (up to 1 MiB is read); `nil` when it could not be read.
    public var body: Data?
    /// The response headers, names as sent, in order.
    public var headers: [(name: String, value: String)]

    public init(body: Data?, headers: [(name: String, value: String)] = []) {
        self.body = body
        self.headers = headers
    }

    /// The first value of the header `name` (compared case-insensitively, RFC 9110 §5.1), or `nil`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public static func == (a: ProviderAnswer, b: ProviderAnswer) -> Bool {
        a.body == b.body && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
    }
}
