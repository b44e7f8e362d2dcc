import Foundation
import Mustache
import SMSCore

/// The work left to one render (``MessageSizeLimit/renderWorkBudget``, `docs/DOMAIN.md §2 "Message
/// size"`), shared by the values of one profile's context. Charged in UTF-8 bytes: a pass of a
/// section over an array element costs the body's length, an inserted value its length. Once spent,
/// arrays yield no more elements and values render empty, so swift-mustache finishes the passes it
/// is in and stops: the text is never built past the budget, and the render is refused.
///
/// Used on one thread during one render (swift-mustache renders synchronously).
final class RenderBudget: @unchecked Sendable {
    private(set) var remaining: Int
    /// Charged per section pass over an array element: the body's length in UTF-8 bytes (at least 1).
    let passCost: Int
    private(set) var exceeded = false

    init(total: Int = MessageSizeLimit.renderWorkBudget, passCost: Int) {
        remaining = total
        self.passCost = max(passCost, 1)
    }

    /// Takes `cost` from the budget; `false` (and from then on always `false`) when it does not fit.
    func charge(_ cost: Int) -> Bool {
        if exceeded { return false }
        if cost > remaining {
            exceeded = true
            remaining = 0
            return false
        }
        remaining -= cost
        return true
    }
}

/// A profile value as text (a string, or a number written as ``JSONValue/stringValue``): renders as
/// itself while the budget lasts, charged by its UTF-8 length; has no children (like a `String`,
/// whose lookups go on up the context stack); takes the string transforms (`{{uppercased(x)}}`).
struct BudgetedText: MustacheCustomRenderable, MustacheParent, MustacheTransformable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    let text: String
    let budget: RenderBudget

    var renderText: String { budget.charge(text.utf8.count) ? text : "" }
    var isNull: Bool { false }
    var description: String { text }
    /// As a `String` (quoted) inside an array's description: `["a", "2", true]`.
    var debugDescription: String { text.debugDescription }
    func child(named: String) -> Any? { nil }
    func transform(_ name: String) -> Any? {
        guard let result = text.transform(name) else { return nil }
        if let string = result as? String { return BudgetedText(text: string, budget: budget) }
        return result
    }
}

/// A profile array: its elements are converted one at a time as a section walks them, each pass
/// charged ``RenderBudget/passCost``; once the budget is spent it yields no more. Rendered as a
/// variable (`{{tags}}`) it is Swift's description of its elements (`["a", "b"]`), as a plain array
/// was, charged by its length.
struct BudgetedSequence: MustacheSequence, MustacheCustomRenderable, MustacheTransformable, CustomStringConvertible {
    let items: [JSONValue]
    let path: String
    let defaults: [String: String]
    let budget: RenderBudget

    struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[JSONValue]>
        let sequence: BudgetedSequence
        mutating func next() -> Any? {
            while let item = base.next() {
                guard sequence.budget.charge(sequence.budget.passCost) else { return nil }
                // As `compactMap` did: null and "" elements are skipped.
                if let value = ProfileContext.mustacheValue(item, path: sequence.path, defaults: sequence.defaults, budget: sequence.budget) {
                    return value
                }
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(base: items.makeIterator(), sequence: self) }

    /// The elements that render (null and "" left out), converted without walking into them.
    private var shown: [Any] {
        items.compactMap { ProfileContext.mustacheValue($0, path: path, defaults: defaults, budget: budget) }
    }

    var renderText: String {
        // Charged for the walk before it is done, then for the text.
        guard budget.charge(items.count) else { return "" }
        let text = String(describing: shown)
        return budget.charge(text.utf8.count) ? text : ""
    }
    var isNull: Bool { false }
    var description: String { String(describing: shown) }

    func transform(_ name: String) -> Any? {
        switch name {
        case "reversed": return BudgetedSequence(items: items.reversed(), path: path, defaults: defaults, budget: budget)
        case "count": return shown.count
        case "empty": return shown.isEmpty
        case "first": return shown.first
        case "last": return shown.last
        default: return nil
        }
    }
}
