import Foundation

/// The event types an outbound webhook subscription can ask for (issue 17), as written in the API
/// and in each event's `type`.
public enum WebhookEventType: String, Sendable, Hashable, Codable, CaseIterable {
    case messageSent = "message.sent"
    case messageDelivered = "message.delivered"
    case messageFailed = "message.failed"
    case messageClicked = "message.clicked"
    case messageReplied = "message.replied"
    case profileOptedOut = "profile.opted_out"
    case profileOptedIn = "profile.opted_in"
    case conversion = "conversion"
    case campaignCompleted = "campaign.completed"

    /// Every type, comma-separated, for a 400.
    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
