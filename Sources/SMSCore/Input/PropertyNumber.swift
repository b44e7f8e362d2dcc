import Foundation

/// The numbers of a free-form value the product stores and compares (a profile's `properties`, a
/// segment rule's `value`) held to ``InputLimits/propertyNumber`` (±2^53; `docs/DOMAIN.md` §1
/// "Numbers and keys from outside"). Checked where the value enters (the profile upsert, import
/// and PATCH; a segment's creation and PATCH), after the strict decoder refused the literals a
/// `Double` does not hold as written (``JSONValueProblem/Kind/integerBeyondExact``).
public enum PropertyNumber {
    /// The first number in `value` (object keys in order, then array elements) outside
    /// ``InputLimits/propertyNumber``, as a sentence naming its path under `path`:
    /// `properties.score must be a number from -9007199254740992 to 9007199254740992 (got 1e+300)`,
    /// `properties.a.b[2] …`; `nil` when every number is in range.
    public static func problem(in value: JSONValue, path: String) -> String? {
        switch value {
        case .number(let d):
            return InputLimits.propertyNumber.contains(d) ? nil : InputLimits.propertyNumber.problem(field: path, got: d)
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let p = problem(in: item, path: "\(path)[\(i)]") { return p }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if let member = members[key], let p = problem(in: member, path: path.isEmpty ? key : "\(path).\(key)") { return p }
            }
            return nil
        case .string, .bool, .null:
            return nil
        }
    }
}
