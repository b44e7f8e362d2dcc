import Foundation
import NIOCore
import SMSCore

/// The dashboard's segment form (create, edit, preview before saving): `name`, `match` and rule
/// rows `field<i>`, `op<i>`, `value<i>` (`i` from 0), read into the body the API takes
/// (`{"name", "match", "rules"}`, ``jsonText``), decoded by the API's strict decoder and judged by
/// ``SegmentController/read(_:)`` as the API does (``body()``). A row whose field is blank is no rule; the API's `rules[N]` counts the rules kept.
///
/// A value is read as typed (``value(_:op:)``): JSON when it is JSON (`42`, `true`, `"42"` for the
/// text 42, `["DE","AT"]`), else the text itself (`Berlin`); for `in`, else values separated by
/// commas (`DE, AT`), each read the same way. ``text(_:op:)`` writes a stored value back so that
/// reading it gives the same value.
struct SegmentForm {
    var name: String
    var match: String
    var rows: [Row]

    struct Row: Equatable {
        var field: String
        var op: String
        var value: String
    }

    /// Blank rows a form offers after the segment's rules.
    static let blankRows = 3

    /// Reads the posted fields. Rows are read up to ``AudienceSegment/Definition/maxRules`` + 1, so
    /// a form with too many rules is refused by the API's rule count.
    init(fields: [String: String]) {
        name = fields["name"] ?? ""
        match = fields["match"] ?? AudienceSegment.Match.all.rawValue
        rows = []
        for i in 0...AudienceSegment.Definition.maxRules {
            guard let field = fields["field\(i)"] else { continue }
            rows.append(Row(field: field, op: fields["op\(i)"] ?? "", value: fields["value\(i)"] ?? ""))
        }
    }

    /// The form of a stored definition (or a new, empty one), with ``blankRows`` blank rows.
    init(_ definition: AudienceSegment.Definition?) {
        name = definition?.name ?? ""
        match = (definition?.match ?? .all).rawValue
        rows = (definition?.rules ?? []).map { Row(field: $0.field.text, op: $0.op.rawValue, value: Self.text($0.value, op: $0.op)) }
    }

    /// The API body of the form, decoded as the API decodes a request body.
    /// - Throws: 400 as the API's decoding does.
    func body() throws -> AudienceSegment.Definition.Body {
        try JSON.decode(AudienceSegment.Definition.Body.self, from: ByteBuffer(string: jsonText), what: "segment")
    }

    /// The API body of the form as JSON text (rows with a blank field left out), each value typed as
    /// JSON put in as typed (``valueText(_:op:)``): the API's number rules judge the literal itself
    /// (`9007199254740993`, `123456789012345678901234567890` are refused as the API refuses them,
    /// never first rounded by a double; `docs/DOMAIN.md` §1 "Numbers and keys from outside").
    var jsonText: String {
        var rules: [String] = []
        for row in rows {
            let field = row.field.trimmingCharacters(in: .whitespaces)
            guard !field.isEmpty else { continue }
            var members = [#""field":"# + Self.encoded(.string(field)), #""op":"# + Self.encoded(.string(row.op))]
            if let v = Self.valueText(row.value, op: AudienceSegment.Op(rawValue: row.op)) { members.append(#""value":"# + v) }
            rules.append("{" + members.joined(separator: ",") + "}")
        }
        return #"{"name":"# + Self.encoded(.string(name)) + #","match":"# + Self.encoded(.string(match))
            + #","rules":["# + rules.joined(separator: ",") + "]}"
    }

    /// ``value(_:op:)`` as JSON text: JSON typed as it was typed (trimmed), other text as a string.
    static func valueText(_ text: String, op: AudienceSegment.Op?) -> String? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { return nil }
        if let json = json(t) {
            if op == .in, case .array = json { return t }
            return op == .in ? "[" + t + "]" : t
        }
        guard op == .in else { return encoded(.string(t)) }
        return "[" + t.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let i = item.trimmingCharacters(in: .whitespaces)
            return json(i) == nil ? encoded(.string(i)) : i
        }.joined(separator: ",") + "]"
    }

    /// A typed value: blank = none; JSON when it parses as JSON; for `in`, a single JSON value
    /// becomes a one-item array and other text is split at commas, each item read alone; else
    /// the text (trimmed) as a string.
    static func value(_ text: String, op: AudienceSegment.Op?) -> JSONValue? {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { return nil }
        if let json = json(t) {
            if op == .in, case .array = json { return json }
            return op == .in ? .array([json]) : json
        }
        guard op == .in else { return .string(t) }
        return .array(t.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let i = item.trimmingCharacters(in: .whitespaces)
            return json(i) ?? .string(i)
        })
    }

    /// A stored value as the form shows it: plain text where reading it back gives the same
    /// value (`Berlin`, `42`, `DE, AT`), else JSON (`"42"`, `["a,b"]`).
    static func text(_ value: JSONValue?, op: AudienceSegment.Op) -> String {
        guard let value else { return "" }
        if op == .in, case .array(let items) = value, !items.isEmpty,
            items.allSatisfy({ item in if case .string(let s) = item { return !s.contains(",") && plain(s) } else { return item.isScalar } })
        {
            let joined = items.map { item -> String in if case .string(let s) = item { s } else { encoded(item) } }.joined(separator: ", ")
            if Self.value(joined, op: .in) == value { return joined }
        }
        if case .string(let s) = value, plain(s), op != .in { return s }
        return encoded(value)
    }

    /// Whether a string reads back as itself when shown as it is (not JSON, not padded, not empty).
    static func plain(_ s: String) -> Bool {
        !s.isEmpty && s.trimmingCharacters(in: .whitespacesAndNewlines) == s && json(s) == nil
    }

    /// `text` read by the API's one JSON reader (``JSONBody``), or `nil` when it is no JSON.
    static func json(_ text: String) -> JSONValue? {
        // A byte order mark is skipped by the reader at the start of a body, not inside the form's body.
        guard !text.hasPrefix("\u{FEFF}") else { return nil }
        return (try? JSONBody.read(Data(text.utf8)))?.value
    }

    static func encoded(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

extension JSONValue {
    /// A string, number or boolean.
    fileprivate var isScalar: Bool {
        switch self {
        case .string, .number, .bool: true
        default: false
        }
    }
}
