import Foundation

@testable import SMSCore

/// The strict JSON reader behind the callback parsers (``JSONSyntax``, `CallbackJSONValue`) and
/// what reads event bodies (`POST /api/v1/events`: ``JSONValue/init(json:)``, then ``JSONSyntax``
/// to say why a body is not JSON). Foundation's `JSONDecoder` read them until this fuzzer found
/// that it refuses the valid number `0e3`.
///
/// Properties:
/// - what the strict reader accepts, Foundation's `JSONSerialization` accepts too (unless it holds a
///   number beyond a double, which the strict reader reads as a value problem of its field); the events
///   route's reader (``JSONValue/init(json:)``) accepts exactly what ``JSONSyntax`` accepts, and
///   refuses with the same reason (the route's 400 names it);
/// - an accepted value's canonical text (how invalid items are stored) reads back to the same value;
/// - a refusal names a byte offset inside the body;
/// - each value problem (``JSONValueProblem``: a number beyond a double or underflowing to 0, a
///   repeated key) has a path that leads to a value in the tree (±`Double.greatestFiniteMagnitude`,
///   0), and
///   ``JSONBody`` reads exactly the bodies ``JSONSyntax`` accepts;
/// - for an array, each element's byte range (``JSONValue/elementRanges(json:)``, how an invalid
///   event is kept as its own bytes) reads back to that element.
enum JSONFuzz {
    /// The value at `path` in `value`, or `nil`.
    static func value(at path: [JSONPathStep], in value: CallbackJSONValue) -> CallbackJSONValue? {
        var current = value
        for step in path {
            switch (step, current) {
            case (.key(let k), .object(let members)): guard let next = members[k] else { return nil }; current = next
            case (.index(let i), .array(let items)): guard items.indices.contains(i) else { return nil }; current = items[i]
            default: return nil
            }
        }
        return current
    }

    static func run(_ bytes: [UInt8]) {
        let body = Data(bytes)
        guard let problem = JSONSyntax.problem(in: body) else {
            let problems: [JSONValueProblem]
            do {
                problems = try CallbackJSONValue.decodeWithSpans(body, levels: 0).problems
            } catch {
                fail("JSONSyntax accepts a body decodeWithSpans refuses: \(error)")
            }
            check((try? JSONBody.read(body)) != nil, "JSONSyntax accepts a body JSONBody refuses")
            if !problems.contains(where: { $0.kind == .numberBeyondDouble }) {
                check((try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil,
                      "the strict reader accepts a body JSONSerialization refuses")
            }
            check((try? JSONValue(json: body)) != nil, "JSONSyntax accepts a body the events route's JSONValue(json:) refuses")
            let value: CallbackJSONValue
            do {
                value = try CallbackJSONValue.decode(body)
            } catch {
                fail("JSONSyntax accepts a body CallbackJSONValue.decode refuses: \(error)")
            }
            for p in problems {
                // A key given twice at or above the number keeps its last value in the tree (found by
                // this fuzzer: `{"tc":60e666…,"tc":0e666…}`): the refused number is then not there.
                if p.kind != .repeatedKey, problems.contains(where: { $0.kind == .repeatedKey && p.path.starts(with: $0.path) }) {
                    continue
                }
                let found = Self.value(at: p.path, in: value)
                switch p.kind {
                case .numberBeyondDouble:
                    check(found == .double(Double.greatestFiniteMagnitude) || found == .double(-Double.greatestFiniteMagnitude),
                          "the number beyond a double at \(p.field()) reads as \(String(describing: found))")
                case .numberBelowDouble:
                    check(found == .double(0), "the number below a double at \(p.field()) reads as \(String(describing: found))")
                case .repeatedKey:
                    check(found != nil && p.path.last == .key(p.text), "the repeated key \(p.text) at \(p.field()) is not in the tree")
                case .invalidUTF8:
                    check(false, "a body read whole (not as a callback batch) gave a string problem: \(p.message(field: p.field()))")
                case .integerBeyondExact, .digitsBeyondDouble:
                    // Found only where a free-form value is decoded (JSONBodyDecoder), never by the reader.
                    check(false, "the reader reported a free-form number problem: \(p.message(field: p.field()))")
                }
            }
            let canonical = value.canonicalJSON
            check((try? CallbackJSONValue.decode(Data(canonical.utf8))) == value,
                  "the canonical text \(canonical) does not read back to the same value")
            // The callback batch reader (items found on the bytes before UTF-8 is checked) reads a
            // valid body exactly as the strict reader does: the same tree, spans and problems.
            let strict = try? CallbackJSONValue.decodeWithSpans(body, levels: 2)
            let batch = try? CallbackJSONValue.decodeWithSpans(body, levels: 2, batch: true)
            check(strict != nil && batch?.value == strict?.value && batch?.span == strict?.span && batch?.problems == strict?.problems,
                  "the batch reader reads a valid body differently from the strict reader")
            let ranges = JSONValue.elementRanges(json: body)
            if case .array(let elements) = value {
                check(ranges?.count == elements.count, "elementRanges gave \(ranges?.count ?? -1) ranges for \(elements.count) elements")
                for (range, element) in zip(ranges ?? [], elements) {
                    check((try? CallbackJSONValue.decode(Data(bytes[range]))) == element,
                          "the bytes \(range) of an array element do not read back to the element")
                }
            } else {
                check(ranges == nil, "elementRanges gave ranges for a body that is not an array")
            }
            return
        }
        do {
            _ = try JSONValue(json: body)
            fail("the events route's JSONValue(json:) reads a body JSONSyntax refuses (\(problem))")
        } catch {
            check(error == .malformedJSON(problem) || (error == .invalidUTF8 && problem == "the body is not valid UTF-8"),
                  "JSONValue(json:) refuses with \(error), JSONSyntax says \(problem)")
        }
        if let range = problem.range(of: " at byte ", options: .backwards) {
            let offset = Int(problem[range.upperBound...])
            check(offset != nil, "the byte offset of \"\(problem)\" is not a number")
            check((offset ?? -1) >= 0 && (offset ?? .max) <= bytes.count,
                  "\"\(problem)\" names a byte outside the \(bytes.count)-byte body")
        } else {
            check(["the body is empty: expected a JSON value", "the body is not valid UTF-8"].contains(problem)
                  || (problem.hasPrefix("the body holds no JSON value, only ") && problem.hasSuffix(" of white space: expected a JSON value")),
                  "\"\(problem)\" names no byte offset")
        }
    }
}
