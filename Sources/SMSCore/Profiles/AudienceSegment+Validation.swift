import Foundation

extension AudienceSegment.Definition {
    /// The most rules a segment may have.
    public static let maxRules = 100

    /// A segment body as sent, `{"name", "match", "rules": [{"field", "op", "value"}]}`, each
    /// value as written: decoded by the strict decoder (``JSONBody/decode(_:)``, which refuses any
    /// other key), then judged by ``read(_:)``, which names every wrong value at once.
    public struct Body: Decodable, Sendable {
        public var name: JSONValue?
        public var match: JSONValue?
        public var rules: [RuleBody]?
    }

    /// A rule as sent (``Body``).
    public struct RuleBody: Decodable, Sendable {
        public var field: JSONValue?
        public var op: JSONValue?
        public var value: JSONValue?
    }

    /// Judges a segment body (``Body``).
    /// - Returns: the definition, or every problem found, each naming its field
    ///   (`rules[1].value must be a number or an ISO 8601 date for gt (got "abc")`; a number
    ///   beyond ±2^53, ``InputLimits/propertyNumber``: `rules[0].value must be a number from
    ///   -9007199254740992 to 9007199254740992 (got 1e+300)`).
    public static func read(_ body: Body) -> Result<Self, ProblemList> {
        var problems: [String] = []
        var name = ""
        switch body.name {
        case .string(let n)?:
            name = n
            if n.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("name is empty") }
            if let p = TextInput.lengthProblem(n, field: "name", limit: InputLimits.nameLength) { problems.append(p) }
        default: problems.append("name must be a non-empty string")
        }
        var match = AudienceSegment.Match.all
        switch body.match {
        case nil, .null?: break
        case .string(let m)? where AudienceSegment.Match(rawValue: m) != nil: match = AudienceSegment.Match(rawValue: m)!
        default: problems.append("match must be \"all\" or \"any\"")
        }
        var rules: [AudienceSegment.Rule] = []
        switch body.rules {
        case let items?:
            if items.count > maxRules { problems.append("rules has \(items.count) rules; at most \(maxRules)") }
            for (i, item) in items.prefix(maxRules).enumerated() {
                switch AudienceSegment.Rule.read(item, at: "rules[\(i)]") {
                case .success(let rule): rules.append(rule)
                case .failure(let p): problems += p.problems
                }
            }
        default: problems.append("rules must be an array of {field, op, value}")
        }
        guard problems.isEmpty else { return .failure(ProblemList(problems)) }
        return .success(Self(name: name, match: match, rules: rules))
    }
}

extension AudienceSegment.Rule {
    /// Reads one rule and checks its value for its field and operator.
    static func read(_ o: AudienceSegment.Definition.RuleBody, at path: String) -> Result<Self, ProblemList> {
        var problems: [String] = []
        guard case .string(let fieldText)? = o.field, let field = AudienceSegment.Field(text: fieldText) else {
            return .failure(ProblemList(problems + ["\(path).field must be \"properties.<name>\", \"country\" or \"optedOut\""]))
        }
        guard case .string(let opText)? = o.op, let op = AudienceSegment.Op(rawValue: opText), field.operators.contains(op) else {
            let ops = field.operators.map(\.rawValue).joined(separator: ", ")
            return .failure(ProblemList(problems + ["\(path).op must be one of \(ops) for \(field.text)"]))
        }
        let value = o.value == .null ? nil : o.value
        let got = value.map { " (got \(Self.shown($0)))" } ?? " (got nothing)"
        let where_ = "\(path).value"
        func scalar(_ v: JSONValue) -> Bool {
            switch field {
            case .country: if case .string(let s) = v { return PhoneNumber.supportedRegion(s) != nil } else { return false }
            case .optedOut: if case .bool = v { return true } else { return false }
            case .property:
                switch v {
                case .string, .number, .bool: return true
                default: return false
                }
            }
        }
        let scalarKind: String
        switch field {
        case .country: scalarKind = "an ISO 3166-1 alpha-2 region in capitals such as DE"
        case .optedOut: scalarKind = "true or false"
        case .property: scalarKind = "a string, number or boolean"
        }
        switch op {
        case .eq, .ne:
            if value.map(scalar) != true { problems.append("\(where_) must be \(scalarKind) for \(op.rawValue)\(got)") }
        case .in:
            if case .array(let items)? = value, !items.isEmpty, items.count <= 1_000, items.allSatisfy(scalar) {
            } else {
                problems.append("\(where_) must be a non-empty array (at most 1000) of \(scalarKind) values for in\(got)")
            }
        case .exists:
            if let value, case .bool = value {} else if value != nil {
                problems.append("\(where_) must be true, false or absent for exists\(got)")
            }
        case .gt, .gte, .lt, .lte:
            switch value {
            case .number?: break
            case .string(let s)? where ISO8601Instant.parse(s) != nil: break
            default: problems.append("\(where_) must be a number or an ISO 8601 date-time (2024-05-01T10:00:00Z, 2024-05-01) for \(op.rawValue)\(got)")
            }
        }
        // A number compared with property numbers: held to their range (±2^53, ``PropertyNumber``).
        if problems.isEmpty, let value, let p = PropertyNumber.problem(in: value, path: where_) { problems.append(p) }
        guard problems.isEmpty else { return .failure(ProblemList(problems)) }
        return .success(Self(field: field, op: op, value: value))
    }

    static func shown(_ v: JSONValue) -> String {
        guard let data = try? JSONEncoder().encode(v), let text = String(data: data, encoding: .utf8) else { return "?" }
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}

/// Problems found in an input, each naming its field.
public struct ProblemList: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "; ") }
}
