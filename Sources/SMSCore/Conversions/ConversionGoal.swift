import Foundation

/// A campaign's conversion goal (`domain.md` §5).
///
/// - `event`: the event name that counts (e.g. `"purchase"`).
/// - `windowMinutes`: the conversion window in **minutes** after the sent time.
/// - `revenueProperty`: the event property holding revenue as a **decimal amount in major units**
///   (e.g. `49.99`, or the string `"49.99"`); summed as integer cents.
/// - `filters`: all must pass for an event to qualify.
public struct ConversionGoal: Sendable, Equatable, Codable {
    public var event: String
    public var windowMinutes: Int
    public var revenueProperty: String?
    public var filters: [PropertyFilter]

    public init(event: String, windowMinutes: Int, revenueProperty: String? = nil, filters: [PropertyFilter] = []) {
        self.event = event
        self.windowMinutes = windowMinutes
        self.revenueProperty = revenueProperty
        self.filters = filters
    }

    enum CodingKeys: String, CodingKey { case event, windowMinutes, revenueProperty, filters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        event = try c.decode(String.self, forKey: .event)
        windowMinutes = try c.decode(Int.self, forKey: .windowMinutes)
        revenueProperty = try c.decodeIfPresent(String.self, forKey: .revenueProperty)
        filters = try c.decodeIfPresent([PropertyFilter].self, forKey: .filters) ?? []
    }

    /// Whether an event with these properties passes every filter.
    public func matches(properties: [String: JSONValue]) -> Bool {
        filters.allSatisfy { $0.matches(properties[$0.property]) }
    }

    /// The event's revenue in **cents** (rounded to the nearest cent), 0 when there is no revenue
    /// property or it is not a number.
    public func revenueCents(properties: [String: JSONValue]) -> Int64 {
        guard let p = revenueProperty, let amount = properties[p]?.numberValue, amount.isFinite,
            abs(amount) < 9e13
        else { return 0 }
        return Int64((amount * 100).rounded())
    }
}

/// One property condition of a goal.
public struct PropertyFilter: Sendable, Equatable, Codable {
    public enum Operator: String, Sendable, Codable, CaseIterable {
        case equals, notEquals, contains, greaterThan, lessThan
    }
    public var property: String
    public var op: Operator
    public var value: JSONValue

    public init(property: String, op: Operator, value: JSONValue) {
        self.property = property
        self.op = op
        self.value = value
    }

    /// Evaluates the condition; a missing property fails every operator but `notEquals`.
    public func matches(_ actual: JSONValue?) -> Bool {
        guard let actual, actual != .null else { return op == .notEquals }
        switch op {
        case .equals: return Self.equal(actual, value)
        case .notEquals: return !Self.equal(actual, value)
        case .contains:
            guard let a = actual.stringValue, let b = value.stringValue else { return false }
            return a.localizedCaseInsensitiveContains(b)
        case .greaterThan:
            guard let a = actual.numberValue, let b = value.numberValue else { return false }
            return a > b
        case .lessThan:
            guard let a = actual.numberValue, let b = value.numberValue else { return false }
            return a < b
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x == y }
        return a.stringValue == b.stringValue && a.stringValue != nil
    }
}
