import Foundation

/// A value read or bound by a test's raw SQL (``TestStore/query(_:_:)``): the few types the
/// schema uses, with booleans as 0 / 1 (as SQLite stores them) so assertions read the same for both stores.
public enum ProbeValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    case int(Int64)
    case text(String)
    case null

    public var int: Int64? { if case .int(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let v) = self { v } else { nil } }
    public var isNull: Bool { self == .null }

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .text(let v): "'\(v)'"
        case .null: "NULL"
        }
    }
}

extension ProbeValue: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(_ value: Int64?) { self = value.map { .int($0) } ?? .null }
    public init(_ value: Int) { self = .int(Int64(value)) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// One result row by column name.
public typealias ProbeRow = [String: ProbeValue]
