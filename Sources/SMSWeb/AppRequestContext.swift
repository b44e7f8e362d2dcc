import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the peer address (hashed for clicks) and
/// the connection's channel (closed after a 413, ``CloseAfterTooLargeMiddleware``).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }
}
