import Foundation

/// A campaign's conversion goal (`docs/DOMAIN.md` §5).
///
/// - `event`: the event name that counts (e.g. `"purchase"`).
/// - `windowMinutes`: the conversion window in **minutes** after the sent time
///   (``InputLimits/goalWindowMinutes``: 1 minute to 10 years; checked when a draft is validated).
/// - `revenueProperty`: the event property holding the event's revenue; summed as integer cents.
/// - `revenueUnit`: how that property is written (**decision**, see ``RevenueUnit``):
///   `major` (default): a decimal amount in major units with at most 2 fraction digits, `49.99` or
///   `"49.99"`, converted to cents exactly (decimal arithmetic); `minor`: an integer count of minor
///   units (cents), `4999` or `"4999"`. Text must be a plain decimal (`-?digits(.digits)?`; `"1e3"`,
///   `" 5"`, `"+7"` are not revenue). More fraction digits than the unit allows (`5.555`, a minor
///   `49.5`) make the event invalid at the events route (``revenueProblem(properties:literal:)``), never
///   rounded without notice.
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
        let window = try c.decodeNumber(.windowMinutes, for: InputLimits.goalWindowMinutes)
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
    /// it is missing, not a number (text that is not a plain decimal, ``DecimalText``), or outside
    /// the unit's range (``InputLimits/revenueMajorUnits``, ``InputLimits/revenueMinorUnits``:
    /// ±10^12 cents). The events route refuses such an event (a present revenue that is not a
    /// valid amount), and one with more fraction digits than the unit allows, with
    /// ``revenueProblem(properties:literal:)`` before it is stored; an event
    /// stored before its goal existed is read as it is: a major amount rounded half away from zero
    /// to cents (`1.005` → 101), a fractional minor amount 0.
    public func revenueCents(properties: [String: JSONValue]) -> Int64 {
        guard let p = revenueProperty, let value = properties[p], let amount = Self.decimal(value), rangeProblem(amount, "", field: p) == nil
        else { return 0 }
        let cents: Decimal
        switch revenueUnit {
        case .major:
            var scaled = amount * 100
            var rounded = Decimal()
            NSDecimalRound(&rounded, &scaled, 0, .plain)  // .plain = half away from zero
            cents = rounded
        case .minor:
            guard Self.isWhole(amount) else { return 0 }
            cents = amount
        }
        guard abs(cents) <= Decimal(Int64(InputLimits.revenueMinorUnits.maximum)) else { return 0 }
        return NSDecimalNumber(decimal: cents).int64Value
    }

    /// The range the revenue property must lie in, by ``revenueUnit``.
    public var revenueRange: InputRange {
        revenueUnit == .major ? InputLimits.revenueMajorUnits : InputLimits.revenueMinorUnits
    }

    /// The most fraction digits a revenue amount may have in ``revenueUnit``: 2 (cents) for
    /// `major`, 0 for `minor`.
    public var revenueFractionDigits: Int { revenueUnit == .major ? 2 : 0 }

    /// Why an event's revenue property is refused, or `nil` when it is absent, JSON `null`, or a
    /// valid amount. One rule (`docs/DOMAIN.md` §5 "revenue"): a revenue property that is present
    /// is an amount or the event is invalid, naming the property and the allowed form:
    /// - not an amount (text that is not a plain decimal by ``DecimalText``, `" 5"`, `"NaN"`,
    ///   `"1e3"`, `""`; a boolean, an array, an object): ``formProblem(property:got:)``,
    ///   `properties.amount must be an amount: a number or a plain decimal text such as 49.99 or
    ///   "49.99", from -10000000000 to 10000000000 major units with at most 2 fraction digits (got ' 5')`;
    /// - outside ``revenueRange``: `properties.amount must be a number from -10000000000 to
    ///   10000000000 major units (got '99999999999999999999.99')`;
    /// - more fraction digits than ``revenueFractionDigits``: `properties.amount must have at most 2
    ///   fraction digits (cents) for revenueUnit major (got '5.555')`, `properties.amount must be a
    ///   whole number of minor units (cents) for revenueUnit minor (got 49.5)`.
    ///
    /// Text is echoed as sent, in quotes (``InputEcho``); a number as written when `literal` gives
    /// it (``JSONNumberLiteral``: `'1e300'`), else in its shortest form.
    /// - Parameter literal: the property's number literal as written, by property name, or `nil`.
    public func revenueProblem(properties: [String: JSONValue], literal: (String) -> String? = { _ in nil }) -> String? {
        guard let p = revenueProperty, let value = properties[p], value != .null else { return nil }
        let shown = Self.echo(value, literal: literal(p))
        let precisionProblem = revenueUnit == .major
            ? "properties.\(p) must have at most \(revenueFractionDigits) fraction digits (cents) for revenueUnit major (got \(shown))"
            : "properties.\(p) must be a whole number of minor units (cents) for revenueUnit minor (got \(shown))"
        guard let amount = Self.decimal(value) else {
            // A number or plain decimal no `Decimal` holds: beyond its exponents (1e300, 200
            // digits) it is out of range; below them (5e-324, 0.000…01) it is finer than a cent.
            let approximate: Double
            switch value {
            case .number(let d): approximate = d
            case .string(let s) where DecimalText.isPlainNumber(s, allowingExponent: false): approximate = Double(s) ?? .infinity
            default: return formProblem(property: p, got: shown)
            }
            return revenueRange.contains(approximate)
                ? precisionProblem : "properties.\(p) must be \(revenueRange.description) (got \(shown))"
        }
        if let problem = rangeProblem(amount, shown, field: p) { return problem }
        if case .string(let text) = value {
            // Text by its digits (a `Decimal` keeps 38): the fraction without trailing zeros.
            let fraction = text.split(separator: ".").dropFirst().first.map { $0.reversed().drop { $0 == "0" }.count } ?? 0
            return fraction <= revenueFractionDigits ? nil : precisionProblem
        }
        var scaled = amount
        for _ in 0..<revenueFractionDigits { scaled *= 10 }
        return Self.isWhole(scaled) ? nil : precisionProblem
    }

    /// The sentence for a revenue property that is not an amount at all, naming the allowed form
    /// of ``revenueUnit``: `properties.amount must be an amount: a number or a plain decimal text
    /// such as 49.99 or "49.99", from -10000000000 to 10000000000 major units with at most 2
    /// fraction digits (got 'NaN')`; for `minor`, `… a whole number or plain integer text such as
    /// 4999 or "4999", from -1000000000000 to 1000000000000 cents (got true)`.
    public func formProblem(property p: String, got shown: String) -> String {
        let span = "from \(InputRange.format(revenueRange.minimum)) to \(InputRange.format(revenueRange.maximum))"
        switch revenueUnit {
        case .major:
            return "properties.\(p) must be an amount: a number or a plain decimal text such as 49.99 or \"49.99\", \(span) major units"
                + " with at most \(revenueFractionDigits) fraction digits (got \(shown))"
        case .minor:
            return "properties.\(p) must be an amount: a whole number or plain integer text such as 4999 or \"4999\", \(span) cents (got \(shown))"
        }
    }

    /// `amount` outside ``revenueRange``, worded with the value as sent (`shown`).
    private func rangeProblem(_ amount: Decimal, _ shown: String, field: String) -> String? {
        let lo = Decimal(revenueRange.minimum), hi = Decimal(revenueRange.maximum)
        guard amount < lo || amount > hi else { return nil }
        return revenueRange.problem(field: "properties.\(field)") + " (got \(shown))"
    }

    /// A revenue value as a message quotes it: text as sent, in quotes (``InputEcho``); a number
    /// as written when `literal` is known (`'1e300'`), else in its shortest decimal form; `true`,
    /// `false`, `an array`, `an object`.
    private static func echo(_ value: JSONValue, literal: String?) -> String {
        switch value {
        case .string(let s): "'\(InputEcho.text(s))'"
        case .number(let d): literal.map { "'\(InputEcho.text($0))'" } ?? InputRange.format(d)
        case .bool(let b): String(b)
        case .array: "an array"
        case .object: "an object"
        case .null: "null"
        }
    }

    private static func isWhole(_ d: Decimal) -> Bool {
        var whole = Decimal()
        var copy = d
        NSDecimalRound(&whole, &copy, 0, .plain)
        return whole == d
    }

    /// A JSON number or numeric string as an exact decimal: a number is taken through its
    /// shortest decimal form (`49.99` stays 49.99, not 49.9899999…); a string only when it is a
    /// plain decimal by the one rule for numeric text (``DecimalText/isPlainNumber(_:allowingExponent:)``
    /// without an exponent: `" 5"`, `"5 "`, `"+7"`, `"0x10"`, `"inf"`, `"1e3"` are not numbers, so
    /// not revenue), on every store.
    static func decimal(_ value: JSONValue) -> Decimal? {
        let text: String
        switch value {
        case .number(let d):
            guard d.isFinite else { return nil }
            text = "\(d)"
        case .string(let s):
            guard DecimalText.isPlainNumber(s, allowingExponent: false) else { return nil }
            text = s
        default: return nil
        }
        guard let d = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !d.isNaN else { return nil }
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

    /// Numerically when both are numbers as written (``JSONValue/exactNumberValue``: `"49.99"`
    /// equals `49.99`), else as text: an order id kept as text beyond ±2^53 equals only itself.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.exactNumberValue, let y = b.exactNumberValue { return x == y }
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
