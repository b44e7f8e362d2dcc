import Foundation

/// Why a message was not sent (`docs/DOMAIN.md` §2, the Errors tab's dispatch errors). The
/// `description` is the text stored in the rollups and shown to users.
public enum DispatchErrorReason: Sendable, Equatable, CustomStringConvertible {
    case providerHTTPError(status: Int)
    case timeout
    case providerAuthFailed
    case invalidPhoneNumber
    case noPhone
    case optedOut
    case frequencyCapExceeded
    case campaignStopped
    case providerUnreachable
    /// The provider's host refused the TCP connection (nothing listens on the port): `endpoint`
    /// is the request URL's `host:port`, e.g. `"connection refused to 127.0.0.1:9"`.
    case connectionRefused(endpoint: String)
    /// No TCP connection within the connect timeout (a silent host or firewall): `endpoint` is
    /// the request URL's `host:port`.
    case connectTimeout(endpoint: String)
    /// The personalised text is over the size cap or its rendering over the work budget
    /// (`docs/DOMAIN.md §2 "Message size"`): decided at publish, the message is never sent.
    case messageTooLong(MessageRenderError)
    /// The personalised text is the empty string (a body whose sections all render nothing for
    /// this profile, e.g. `{{#vip}}hi{{/vip}}` with `vip: false`): decided at publish, never sent
    /// (issue 12). Decision: only the empty string; a text of spaces is sent as written.
    case messageEmpty

    public var description: String {
        switch self {
        case .providerHTTPError(let s): "provider HTTP error \(s)"
        case .timeout: "timeout"
        case .providerAuthFailed: "provider auth failed"
        case .invalidPhoneNumber: "invalid phone number (not E.164)"
        case .noPhone: "no phone on profile"
        case .optedOut: "user opted out / DND"
        case .frequencyCapExceeded: "frequency cap exceeded"
        case .campaignStopped: "campaign stopped"
        case .providerUnreachable: "provider unreachable"
        case .connectionRefused(let endpoint): "connection refused to \(endpoint)"
        case .connectTimeout(let endpoint): "connect timeout to \(endpoint)"
        case .messageTooLong(let error): error.description
        case .messageEmpty: "message empty after rendering"
        }
    }
}
