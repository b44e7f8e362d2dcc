import Foundation

/// A value a request body gives by name from a fixed list (a provider's `kind`, a goal filter's
/// `op`, a goal's `revenueUnit`, a provider's `auth.kind`): one rule for how a name outside the list
/// is refused, naming the allowed names, never Foundation's `Cannot initialize Operator from invalid
/// String value eq` (`docs/DOMAIN.md` §1 "Numbers and keys from outside").
///
/// Decoding throws `DecodingError.dataCorrupted` at the field's path with the sentence
/// `must be one of equals, notEquals, contains, greaterThan, lessThan (got 'eq')`; the web adapter
/// puts the path in front (`goal.filters[0].op must be one of … (got 'eq')`).
public protocol NamedValue: RawRepresentable, CaseIterable, Decodable where RawValue == String {}

extension NamedValue {
    /// The allowed names, in declaration order, comma-separated.
    public static var allowedNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The sentence for a refused name: `must be one of … (got 'eq')` (the name cut by ``InputEcho``).
    public static func problem(got name: String) -> String {
        "must be one of \(allowedNames) (got '\(InputEcho.text(name))')"
    }

    /// Decodes the name; a string outside the list is refused by ``problem(got:)``.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let value = Self(rawValue: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.problem(got: name))
        }
        self = value
    }
}
