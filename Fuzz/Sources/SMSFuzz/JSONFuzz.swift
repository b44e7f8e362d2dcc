import Foundation

@testable import SMSCore

/// The strict JSON reader behind the callback parsers (``JSONSyntax``, `CallbackJSONValue`) and
/// what reads event bodies (`POST /api/v1/events`: ``JSONValue/init(json:)``, then ``JSONSyntax``
/// to say why a body is not JSON). Foundation's `JSONDecoder` read them until this fuzzer found
/// that it refuses the valid number `0e3`.
///
/// Properties:
/// - what the strict reader accepts, Foundation's `JSONSerialization` accepts too; the events
///   route's reader (``JSONValue/init(json:)``) accepts exactly what ``JSONSyntax`` accepts, and
///   refuses with the same reason (the route's 400 names it);
/// - an accepted value's canonical text (how invalid items are stored) reads back to the same value;
/// - a refusal names a byte offset inside the body;
/// - for an array, each element's byte range (``JSONValue/elementRanges(json:)``, how an invalid
///   event is kept as its own bytes) reads back to that element.
enum JSONFuzz {
    static func run(_ bytes: [UInt8]) {
        let body = Data(bytes)
        guard let problem = JSONSyntax.problem(in: body) else {
            check((try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])) != nil,
                  "the strict reader accepts a body JSONSerialization refuses")
            check((try? JSONValue(json: body)) != nil, "JSONSyntax accepts a body the events route's JSONValue(json:) refuses")
            let value: CallbackJSONValue
            do {
                value = try CallbackJSONValue.decode(body)
            } catch {
                fail("JSONSyntax accepts a body CallbackJSONValue.decode refuses: \(error)")
            }
            let canonical = value.canonicalJSON
            check((try? CallbackJSONValue.decode(Data(canonical.utf8))) == value,
                  "the canonical text \(canonical) does not read back to the same value")
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
            check(["the body is empty", "the body is not valid UTF-8"].contains(problem),
                  "\"\(problem)\" names no byte offset")
        }
    }
}
