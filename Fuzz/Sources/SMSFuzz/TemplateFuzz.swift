import Foundation
import SMSCore
import SMSTemplating

/// The Mustache engine (``MustacheTemplateEngine``): the input as a message body, then as
/// profile fields.
///
/// Properties:
/// - compiling and rendering never trap, and rendering twice gives the same text (or the same
///   refusal: over ``MessageSizeLimit/renderWorkBudget``), never longer than the budget;
/// - a body without `{{` (no tag can start) compiles and renders unchanged, whatever it holds
///   (`smile :-{`, `}}`, a lone `{`);
/// - a profile field renders exactly as stored, not HTML-escaped (`{{name}}`, `{{first_name}}`,
///   `{{properties.city}}`); an empty one takes the campaign's default.
enum TemplateFuzz {
    static let engine = MustacheTemplateEngine()
    static let profile = Profile(
        userId: "u1", phone: nil, phoneValid: false, name: "Ada",
        properties: [
            "first_name": .string("Ada"), "vip": .bool(true), "points": .number(42), "address": .object(["city": .string("Paris")]),
            // Sections over it multiply: nested five deep they would render 30⁵ passes without the budget.
            "items": .array((0..<30).map { .string("item \($0)") }),
        ])
    static let fieldsBody = "Hi {{name}}, {{first_name}} from {{properties.city}}!"
    static let fieldsTemplate = try! engine.compile(fieldsBody)

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let hasTag = text.contains("{{")
        do {
            let compiled = try engine.compile(text)
            do {
                let out = try compiled.render(profile: profile, defaults: ["city": "Paris"])
                check((try? compiled.render(profile: profile, defaults: ["city": "Paris"])) == out, "rendering twice gave different texts")
                check(
                    out.utf8.count <= MessageSizeLimit.renderWorkBudget,
                    "a render of \(out.utf8.count) bytes is past the work budget of \(MessageSizeLimit.renderWorkBudget)")
                // A context never prints itself (`{{.}}` at the top is refused; a nested one prints "").
                check(
                    !out.contains("Context(") || text.contains("Context("),
                    "a render printed a render context: \(text.debugDescription) → \(out.debugDescription)")
                if !hasTag {
                    check(out == text, "a body without tags renders changed: \(text.debugDescription) → \(out.debugDescription)")
                }
            } catch {
                check(hasTag, "a body without tags is over the work budget: \(text.debugDescription)")
                check((try? compiled.render(profile: profile, defaults: ["city": "Paris"])) == nil, "rendering twice gave different answers")
            }
        } catch {
            check(hasTag, "a body without tags is refused: \(text.debugDescription): \(error)")
        }

        let withFields = Profile(
            userId: "u2", phone: nil, phoneValid: false, name: text,
            properties: ["first_name": .string(text), "city": .string(text)])
        let value = text.isEmpty ? "there" : text
        let rendered = try? fieldsTemplate.render(profile: withFields, defaults: ["name": "there", "first_name": "there", "city": "there"])
        let expected = "Hi \(value), \(value) from \(value)!"
        check(rendered == expected, "profile fields render as \(rendered.debugDescription), expected \(expected.debugDescription)")
    }
}
