import Foundation

/// A user profile. `phone` is the E.164 form when the input was valid, else the raw input
/// (kept so the dispatch error can say why); `phoneValid` tells which.
public struct Profile: Sendable, Equatable, Codable {
    public var userId: String
    public var phone: String?
    public var phoneValid: Bool
    public var name: String?
    public var properties: [String: JSONValue]
    /// Opted out (STOP / DND): never sent to.
    public var optedOut: Bool

    public init(
        userId: String, phone: String?, phoneValid: Bool, name: String? = nil,
        properties: [String: JSONValue] = [:], optedOut: Bool = false
    ) {
        self.userId = userId
        self.phone = phone
        self.phoneValid = phoneValid
        self.name = name
        self.properties = properties
        self.optedOut = optedOut
    }
}
