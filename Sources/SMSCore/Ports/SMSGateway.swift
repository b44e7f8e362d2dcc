import Foundation

/// The outbound provider port: hands messages to an SMS provider.
public protocol SMSGateway: Sendable {
    /// Sends `messages` through `provider`, applying the provider's batching and the retry policy.
    /// - Returns: one ``DispatchResult`` per message (never throws: failures are results).
    func send(_ messages: [OutboundMessage], via provider: ProviderConfig, customValues: [String: String]) async
        -> [DispatchResult]
}
