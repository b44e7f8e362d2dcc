import Foundation

/// A campaign's conversion goal (`docs/DOMAIN.md` §5).
///
/// - `event`: the event name that counts (e.g. `"purchase"`).
/// - `windowMinutes`: the conversion window in **minutes** after the sent time
///   (``InputLimits/goalWindowMinutes``: 1 minute to 10 years; checked when a draft is validated).
/// - `revenueProperty`: the event property holding the event's revenue; summed as integer cents.
/// - `revenueUnit`: how that property is written (**decision**, see ``RevenueUnit``):
///   `major` (default): a decimal amount in major units, `49.99` or `"49.99"`, converted to cents
///   exactly (decimal arithmetic) and rounded half away from zero (`1.005` → 101, `-1.005` → -101);
///   `minor`: an integer count of minor units (cents), `4999` or `"4999"`; a fractional value is
///   not revenue (0).
/// - `filters`: all must pass for an event to qualify.
public struct ConversionGoal: Sendable, Equatable, Codable {
    public var event: String
    public var windowMinutes: Int
    public var revenueProperty: String?
    public var revenueUnit: RevenueUnit
    public var filters: [PropertyFilter]

    /// How a revenue property is written.
    public enum RevenueUnit: String, Sendable, Equatable, Codable, CaseIterable, NamedValue {
        /// Decimal amount in major units (`49.99` = 4,999 cents).
        case major
        /// Integer minor units, cents (`4999` = 4,999 cents).
        case minor
    }

    public init(
        event: String, windowMinutes: Int, revenueProperty: String? = nil, revenueUnit: RevenueUnit = .major,
        filters: [PropertyFilter] = []
    ) {
        self.event = event
        self.windowMinutes = windowMinutes
        self.revenueProperty = revenueProperty
        self.revenueUnit = revenueUnit
        self.filters = filters
    }

    enum CodingKeys: String, CodingKey { case event, windowMinutes, revenueProperty, revenueUnit, filters }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        event = try c.decode(String.self, forKey: .event)
        // Any whole number an `Int` holds decodes (a goal stored before the range existed still
        // reads back); ``CampaignDraft/validated(id:context:)`` refuses what is outside the range.
        // A number no `Int` holds (1e19) cannot be carried to that check and is refused here.
        let window = try c.decode(Double.self, forKey: .windowMinutes)
        guard window.rounded(.towardZero) == window, let minutes = Int(exactly: window) else {
            throw InputRangeError(field: FieldPath.text(c.codingPath + [CodingKeys.windowMinutes]), range: InputLimits.goalWindowMinutes, got: window)
        }
        windowMinutes = minutes
        revenueProperty = try c.decodeIfPresent(String.self, forKey: .revenueProperty)
        revenueUnit = try c.decodeIfPresent(RevenueUnit.self, forKey: .revenueUnit) ?? .major
        filters = try c.decodeIfPresent([PropertyFilter].self, forKey: .filters) ?? []
    }

    /// Whether an event with these properties passes every filter.
    public func matches(properties: [String: JSONValue]) -> Bool {
        filters.allSatisfy { $0.matches(properties[$0.property]) }
    }

    /// The event's revenue in **cents** per ``revenueUnit``; 0 when there is no revenue property,
    /// it is missing, not a number, a fractional `minor` value, or outside the unit's range
    /// (``InputLimits/revenueMajorUnits``, ``InputLimits/revenueMinorUnits``: ±10^12 cents; the
    /// events route refuses such an event with ``revenueProblem(properties:)`` before it is stored).
    public func revenueCents(properties: [String: JSONValue]) -> Int64 {
        guard let p = revenueProperty, let value = properties[p], revenueProblem(properties: properties) == nil,
            let amount = Self.decimal(value)
        else { return 0 }
        let cents: Decimal
        switch revenueUnit {
        case .major:
            var scaled = amount * 100
            var rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)  // .plain = half away from zero
            cents = rounded
        case .minor:
            var whole = Decimal()
            var copy = amount
            NSDecimalRound(&whole, &copy, 0, .plain)
            guard whole == amount else { return 0 }
            cents = amount
        }
        guard abs(cents) <= Decimal(Int64(InputLimits.revenueMinorUnits.maximum)) else { return 0 }
        return NSDecimalNumber(decimal: cents).int64Value
    }

    /// The range the revenue property must lie in, by ``revenueUnit``.
    public var revenueRange: InputRange {
        revenueUnit == .major ? InputLimits.revenueMajorUnits : InputLimits.revenueMinorUnits
    }

    /// Why an event's revenue property is refused (`properties.amount must be a number from
    /// -10000000000 to 10000000000 major units (got 1e+300)`), or `nil`: only a number or numeric
    /// string outside ``revenueRange`` is a problem (a missing or non-numeric value is simply no revenue).
    public func revenueProblem(properties: [String: JSONValue]) -> String? {
        guard let p = revenueProperty, let value = properties[p] else { return nil }
        let amount: Double
        switch value {
        case .number(let d): amount = d
        case .string(let text):
            guard DecimalText.isPlainNumber(text), let d = Double(text) else { return nil }
            amount = d
        default: return nil
        }
        guard !revenueRange.contains(amount) else { return nil }
        return revenueRange.problem(field: "properties.\(p)", got: amount)
    }

    /// A JSON number or numeric string as an exact decimal: a number is taken through its
    /// shortest decimal form (`49.99` stays 49.99, not 49.9899999…); a string only when it is a
    /// plain number by the one rule for numeric text (``DecimalText/isPlainNumber(_:)``: `" 5"`,
    /// `"5 "`, `"+7"`, `"0x10"`, `"inf"` are not numbers, so not revenue), on every store.
    static func decimal(_ value: JSONValue) -> Decimal? {
        let text: String
        switch value {
        case .number(let d):
            guard d.isFinite else { return nil }
            text = "\(d)"
        case .string(let s):
            guard DecimalText.isPlainNumber(s) else { return nil }
            text = s
        default: return nil
        }
        guard Double(text) != nil, let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            return nil
        }
        return d
    }
}

/// One property condition of a goal.
public struct PropertyFilter: Sendable, Equatable, Codable {
    public enum Operator: String, Sendable, Codable, CaseIterable, NamedValue {
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

extension ConversionGoal {
    /// What is wrong with the goal's filters, one sentence each (empty when valid):
    /// an empty property name, `greaterThan` / `lessThan` without a numeric value, `contains`
    /// without a text value, `equals` / `notEquals` with an array or object.
    public func filterProblems() -> [String] {
        filters.enumerated().compactMap { i, f in
            let at = "goal.filters[\(i)]"
            if f.property.isEmpty { return "\(at).property is empty" }
            switch f.op {
            case .greaterThan, .lessThan:
                return f.value.numberValue == nil ? "\(at): \(f.op.rawValue) needs a number value" : nil
            case .contains:
                if case .string = f.value { return nil }
                return "\(at): contains needs a string value"
            case .equals, .notEquals:
                return f.value.stringValue == nil ? "\(at): \(f.op.rawValue) needs a string, number or boolean value" : nil
            }
        }
    }
}
