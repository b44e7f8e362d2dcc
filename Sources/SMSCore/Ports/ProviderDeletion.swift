import Foundation

/// What ``SMSStore/deleteProvider(id:)`` did.
public enum ProviderDeletion: Sendable, Equatable {
    /// The provider was deleted.
    case deleted
    /// No provider has that id.
    case notFound
    /// Campaigns use the provider (any status, archived included), oldest first; nothing was deleted.
    case inUse([CampaignReference])
}

/// A campaign named in an answer: its id and name.
public struct CampaignReference: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}
