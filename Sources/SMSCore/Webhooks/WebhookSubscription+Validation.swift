import Foundation

extension WebhookSubscription.Definition {
    /// The longest URL accepted, in UTF-8 bytes.
    public static let maxURLLength = 2_000

    /// A subscription body as sent, each value as written: decoded by the strict decoder
    /// (``JSONBody/decode(_:)``, which refuses any other key), then judged by ``read(_:)``, which
    /// names every wrong value at once.
    public struct Body: Codable, Sendable {
        public var url: JSONValue?
        public var events: JSONValue?
        public var campaignId: JSONValue?
        public var enabled: JSONValue?

        public init(url: JSONValue? = nil, events: JSONValue? = nil, campaignId: JSONValue? = nil, enabled: JSONValue? = nil) {
            self.url = url
            self.events = events
            self.campaignId = campaignId
            self.enabled = enabled
        }
    }

    /// The body a stored definition would have been created with (a PATCH merges into it).
    public var body: Body {
        Body(
            url: .string(url), events: .array(events.map { .string($0.rawValue) }),
            campaignId: campaignId.map(JSONValue.string) ?? .null, enabled: .bool(enabled))
    }

    /// Judges a subscription body (``Body``).
    /// - Returns: the definition, or every problem found, each naming its field
    ///   (`url must be an absolute http or https URL (got "ftp://x")`, `events[1] must be one of …`).
    public static func read(_ body: Body) -> Result<Self, ProblemList> {
        var problems: [String] = []
        var url = ""
        switch body.url {
        case .string(let u)?:
            url = u
            if let p = urlProblem(u) { problems.append(p) }
        default: problems.append("url must be an absolute http or https URL")
        }
        var events: [WebhookEventType] = []
        switch body.events {
        case .array(let items)? where !items.isEmpty:
            for (i, item) in items.enumerated() {
                guard case .string(let s) = item, let type = WebhookEventType(rawValue: s) else {
                    problems.append("events[\(i)] must be one of \(WebhookEventType.allowedList) (got \(AudienceSegment.Rule.shown(item)))")
                    continue
                }
                if !events.contains(type) { events.append(type) }
            }
        default: problems.append("events must be a non-empty array of \(WebhookEventType.allowedList)")
        }
        var campaignId: String?
        switch body.campaignId {
        case nil, .null?: break
        case .string(let c)?:
            if let p = TextInput.problem(c, field: "campaignId", kind: .identifier) { problems.append(p) } else { campaignId = c }
        default: problems.append("campaignId must be a campaign id (a string) or null")
        }
        var enabled = true
        switch body.enabled {
        case nil, .null?: break
        case .bool(let b)?: enabled = b
        default: problems.append("enabled must be true or false")
        }
        guard problems.isEmpty else { return .failure(ProblemList(problems)) }
        return .success(Self(url: url, events: events, campaignId: campaignId, enabled: enabled))
    }

    /// Why `text` is no webhook URL, or `nil`: an absolute `http`/`https` URL with a host, no
    /// fragment, at most ``maxURLLength`` bytes.
    static func urlProblem(_ text: String) -> String? {
        let got = " (got \(AudienceSegment.Rule.shown(.string(text))))"
        if text.utf8.count > maxURLLength { return "url is longer than \(maxURLLength) bytes" }
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = c.host, !host.isEmpty, c.fragment == nil, !text.contains(where: \.isWhitespace)
        else { return "url must be an absolute http or https URL with a host and no fragment\(got)" }
        return nil
    }
}
