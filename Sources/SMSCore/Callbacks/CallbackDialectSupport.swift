import Foundation

/// Shared helpers of the provider dialect adapters (internal).
enum CallbackDialectSupport {
    /// The parameters as a canonical JSON object of strings (sorted keys): how a form/query callback
    /// is stored whole when it is invalid.
    static func rawJSON(_ params: [String: String]) -> String {
        CallbackJSONValue.object(params.mapValues { .string($0) }).canonicalJSON
    }

    /// `value` trimmed of surrounding whitespace, or `nil` when absent or blank.
    static func text(_ value: String?) -> String? {
        guard let value else { return nil }
        let t = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty ? nil : t
    }

    /// Names of the required parameters that are absent or blank, in the given order.
    static func missing(_ names: [String], in params: [String: String]) -> [String] {
        names.filter { text(params[$0]) == nil }
    }

    /// The invalid-item record for missing required fields.
    static func missingFields(_ missing: [String], raw: String, event: String?, index: Int? = nil) -> InvalidCallbackItem {
        InvalidCallbackItem(
            raw: raw, event: event, reason: "missing required fields: " + missing.joined(separator: ", "),
            missingFields: missing, group: nil, index: index)
    }

    /// The invalid-item record for a status word the dialect table does not list
    /// (`docs/DOMAIN.md` §3: "Unknown statuses are stored, not guessed").
    static func unknownStatus(_ status: String, raw: String, index: Int? = nil) -> InvalidCallbackItem {
        InvalidCallbackItem(
            raw: raw, event: status, reason: "unknown status '\(status)'", missingFields: [], group: nil, index: index)
    }

    /// A JSON object's scalar members as strings (numbers in decimal, booleans as `true`/`false`);
    /// `null`, arrays and objects are left out. Lets JSON dialects share the form-field logic.
    static func flatten(_ object: [String: CallbackJSONValue]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let s): out[key] = s
            case .integer(let i): out[key] = String(i)
            case .double(let d): out[key] = Int64(exactly: d).map { String($0) } ?? "\(d)"
            case .bool(let b): out[key] = b ? "true" : "false"
            case .null, .array, .object: break
            }
        }
        return out
    }

    /// Decodes a body that must be one JSON object.
    /// - Throws: ``CallbackParseError/invalidUTF8``, ``CallbackParseError/malformedJSON(_:)``,
    ///   ``CallbackParseError/notAnObject``.
    static func decodeObject(_ body: Data) throws(CallbackParseError) -> [String: CallbackJSONValue] {
        guard case .object(let object) = try CallbackJSONValue.decode(body) else { throw .notAnObject }
        return object
    }

    /// A decimal integer (optionally signed), or `nil`.
    static func int(_ value: String?) -> Int? {
        text(value).flatMap { Int($0) }
    }
}
