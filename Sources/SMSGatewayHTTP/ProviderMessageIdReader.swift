import Foundation
import SMSCore

/// Reads the provider's own message ids out of its answer: a JSON path into the body
/// (`ProviderConfig.messageIdPath`, below), or a regular expression over the body's text
/// (`messageIdPattern`, ``MessageIdPattern``), or a response header (`messageIdHeader`: its whole
/// value, or the pattern searched in it); ``ids(in:provider:count:)`` picks by the provider.
///
/// The path is dotted: each component is an object key, an array index (`0`, `1`, …) or `*`.
/// `*` stands for "the position of the record in this request": for the i-th message of a batched
/// request (0-based) it takes element i of that array, so `messages.*.id` maps the answer's
/// `messages[i].id` to the i-th message sent; an unbatched request is position 0. A fixed index
/// (`messages.0.id`) gives every message of the request the same id.
/// Strings are taken as they are, numbers as text (integers without ".0"; JSON numbers are
/// doubles, so a numeric id above 2^53 loses digits: providers send such ids as strings); anything else (missing
/// key, index out of range, object, array, bool, null, a body that is not JSON) gives `nil`:
/// the message is still sent, only without a provider id.
public enum ProviderMessageIdReader {
    /// The ids of the `count` messages of one request, read as `provider` says: header first (its
    /// value trimmed; every message of the request gets it, unless a pattern picks the i-th match
    /// for the i-th message), else the pattern over the body decoded as UTF-8 (invalid bytes
    /// replaced), else the JSON path; none configured, or no answer: all `nil`. A pattern that does
    /// not compile (refused at creation, so only a stored row from before) reads nothing.
    /// - Parameters:
    ///   - answer: the 2xx answer's body (`nil`: unread) and headers.
    ///   - provider: the provider's `messageIdPath`, `messageIdPattern`, `messageIdHeader`.
    ///   - count: how many messages the request carried.
    public static func ids(in answer: ProviderAnswer, provider: ProviderConfig, count: Int) -> [String?] {
        let none = [String?](repeating: nil, count: count)
        let pattern = provider.messageIdPattern.flatMap { $0.isEmpty ? nil : try? MessageIdPattern($0) }
        if let header = provider.messageIdHeader, !header.isEmpty {
            guard let value = answer.header(header) else { return none }
            if let pattern { return pattern.ids(in: value, count: count) }
            let id = value.trimmingCharacters(in: .whitespaces)
            return Array(repeating: id.isEmpty ? nil : id, count: count)
        }
        if let pattern {
            guard let body = answer.body else { return none }
            return pattern.ids(in: String(decoding: body, as: UTF8.self), count: count)
        }
        if let path = provider.messageIdPath, !path.isEmpty, let body = answer.body {
            return ids(in: body, path: path, count: count)
        }
        return none
    }

    /// - Parameters:
    ///   - body: the provider's answer body.
    ///   - path: the dotted path, e.g. `messages.*.id`.
    ///   - count: how many messages the request carried.
    /// - Returns: `count` ids, one per message position, `nil` where none was found.
    public static func ids(in body: Data, path: String, count: Int) -> [String?] {
        guard count > 0 else { return [] }
        guard !path.isEmpty, let root = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            return Array(repeating: nil, count: count)
        }
        let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return (0..<count).map { position in
            value(at: components, in: root, position: position)
        }
    }

    static func value(at components: [String], in root: JSONValue, position: Int) -> String? {
        var current = root
        for component in components {
            switch current {
            case .object(let object):
                guard let next = object[component] else { return nil }
                current = next
            case .array(let array):
                let index = component == "*" ? position : Int(component)
                guard let index, array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        switch current {
        case .string, .number: return current.stringValue
        default: return nil
        }
    }
}
