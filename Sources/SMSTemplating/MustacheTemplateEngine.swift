import Foundation
import Mustache
import SMSCore

/// Personalisation with Mustache (swift-mustache): `{{first_name}}`, `{{name}}`, `{{user_id}}`,
/// `{{properties.city}}`, sections `{{#vip}}…{{/vip}}` and inverted sections `{{^vip}}…{{/vip}}`.
/// Field names resolve as ``ProfileFields`` says; a missing, null or empty field takes the
/// campaign's default (`defaults: {"first_name": "there"}`), else renders empty.
///
/// SMS is plain text: the template is compiled with the `TEXT` content type, so `{{x}}` is **not**
/// HTML-escaped (`&`, `<`, quotes stay as they are). Partials (`{{> x}}`) are refused: there is no
/// partial library for SMS bodies.
public struct MustacheTemplateEngine: MessageTemplateEngine {
    public init() {}

    public var tagOpener: String? { "{{" }

    /// `{{#…}}`, `{{^…}}`, `{{/…}}` and `{{!…}}` (spaces allowed after `{{`).
    public func isStructuralTag(_ text: Substring) -> Bool {
        guard text.hasPrefix("{{") else { return false }
        let rest = text.dropFirst(2).drop { $0 == " " }
        return rest.first.map { "#^/!".contains($0) } ?? false
    }

    /// - Throws: ``MessageTemplateError`` for a Mustache syntax error or a partial.
    public func compile(_ text: String) throws -> any CompiledMessageTemplate {
        let template: MustacheTemplate
        // Two swift-mustache slips at the end of a body, both found by the template fuzzer: it
        // looks at two characters when it meets a `{` and fails ("overflow") when that `{` is the
        // body's last character (`smile :-{`); and it drops a final line of only spaces or tabs
        // (`"Hi\n  "` rendered `"Hi\n"`). A newline after such a last line is plain text on a
        // line that is not a standalone tag, so the body is compiled with one and rendered
        // without it again.
        let lastLine = text.reversed().prefix { !$0.isNewline }
        let addsNewline = text.last == "{" || (!lastLine.isEmpty && lastLine.allSatisfy { $0 == " " || $0 == "\t" })
        let depth = Self.sectionDepth(text)
        if depth > Self.maximumSectionDepth {
            throw MessageTemplateError(
                "sections {{#…}} / {{^…}} nest \(depth) levels deep; at most \(Self.maximumSectionDepth) are allowed")
        }
        do {
            // On its own line the pragma is a standalone tag: it and its newline vanish, so the
            // body keeps its first character (even a leading newline).
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}\n" + text + (addsNewline ? "\n" : ""))
        } catch {
            throw MessageTemplateError("Mustache syntax error: " + Self.describe(error, text: text))
        }
        let names = Self.referencedNames(template)
        if names.partials { throw MessageTemplateError("partials ({{> name}}) are not supported in SMS bodies") }
        // `{{.}}` or an empty tag `{{ }}` outside any section names the whole profile, not a
        // field: refused here, never rendered (a context renders as "" in any case).
        var whole = template.render(WholeContextProbe())
        if addsNewline, whole.last == "\n" { whole.removeLast() }
        if whole.contains(WholeContextProbe.marker) {
            throw MessageTemplateError(
                "{{.}} or an empty tag {{ }} outside a section names the whole profile, not a field; name one, such as {{name}} or {{properties.city}}")
        }
        if !text.isEmpty, names.names.isEmpty, whole.isEmpty {
            throw MessageTemplateError("the body renders no text (only tags that print nothing, such as a lone {{ or a delimiter change)")
        }
        return Compiled(
            template: template, referencedNames: names.names, topLevelValueNames: Self.topLevelValueNames(text),
            dropsFinalNewline: addsNewline, bodyBytes: text.utf8.count)
    }

    /// The deepest nesting of sections a body may have. Decision: swift-mustache parses and renders
    /// sections recursively, and a body of 800 or more nested `{{#a}}` hung or overflowed the stack
    /// of the request's thread; an SMS body needs a few levels at most.
    public static let maximumSectionDepth = 32

    /// How deep sections (`#` and `^` tags) nest in `text`, following set-delimiter tags
    /// (`{{=<% %>=}}`) as the parser does; unclosed sections count as still open.
    ///
    /// Scans the UTF-8 bytes: Foundation's `range(of:)` on a `Substring` returned a range past the
    /// substring's end for a delimiter holding a NUL (`{{=>\0 $>=}}`), found by the template fuzzer.
    public static func sectionDepth(_ text: String) -> Int {
        var depth = 0, deepest = 0
        scanTags(text) { tag, _ in
            switch tag.first(where: { $0 != UInt8(ascii: " ") }) {
            case UInt8(ascii: "#"), UInt8(ascii: "^"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "/"):
                depth = max(depth - 1, 0)
            default:
                break
            }
        }
        return deepest
    }

    /// The names of the value tags outside every section (`{{x}}`, `{{{x}}}`, `{{&x}}` at section
    /// depth 0; section, comment, partial and delimiter tags are not values): the names that
    /// render for the profile itself, not for a section's value (`{{#vip}}{{points}}{{/vip}}`
    /// looks `points` up in `vip` first). `nil` when the body changes its delimiters (the check
    /// that uses these names, ``ProfileFields/isResolvable(_:propertyPaths:defaults:)``, is then
    /// not made).
    public static func topLevelValueNames(_ text: String) -> Set<String>? {
        var names: Set<String> = []
        var depth = 0
        var changesDelimiters = false
        scanTags(text) { tag, triple in
            let trimmed = tag.drop { $0 == UInt8(ascii: " ") }
            switch trimmed.first {
            case UInt8(ascii: "#"), UInt8(ascii: "^"): depth += 1
            case UInt8(ascii: "/"): depth = max(depth - 1, 0)
            case UInt8(ascii: "!"), UInt8(ascii: ">"), UInt8(ascii: "%"): break
            case UInt8(ascii: "="): changesDelimiters = true
            default:
                guard depth == 0 else { break }
                var name = String(decoding: trimmed, as: UTF8.self)
                if triple { name = String(name.dropFirst()) } else if name.hasPrefix("&") { name = String(name.dropFirst()) }
                name = name.trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { names.insert(name) }
            }
        }
        return changesDelimiters ? nil : names
    }

    /// Calls `body` with each tag's inner bytes (between the delimiters, leading spaces kept) and
    /// whether it is a triple mustache (`{{{x}}}`: the inner bytes start with its `{`), following
    /// set-delimiter tags (`{{=<% %>=}}`) as the parser does.
    ///
    /// Scans the UTF-8 bytes: Foundation's `range(of:)` on a `Substring` returned a range past the
    /// substring's end for a delimiter holding a NUL (`{{=>\0 $>=}}`), found by the template fuzzer.
    static func scanTags(_ text: String, _ body: (ArraySlice<UInt8>, Bool) -> Void) {
        let bytes = Array(text.utf8)
        let space = UInt8(ascii: " "), equals = UInt8(ascii: "=")
        let brace = UInt8(ascii: "{"), closingBrace = UInt8(ascii: "}")
        var open: [UInt8] = [brace, brace], close: [UInt8] = [closingBrace, closingBrace]
        var position = 0
        while let start = firstIndex(of: open, in: bytes, from: position) {
            let tagStart = start + open.count
            guard let end = firstIndex(of: close, in: bytes, from: tagStart) else { break }
            let tag = bytes[tagStart..<end]
            position = end + close.count
            // A triple mustache `{{{x}}}`: its third `}` follows the closing `}}`.
            if open == [brace, brace], tag.first == brace, position < bytes.count, bytes[position] == closingBrace {
                position += 1
                body(tag, true)
                continue
            }
            let trimmed = tag.drop { $0 == space }
            if trimmed.first == equals, trimmed.last == equals, trimmed.count > 2 {
                let parts = trimmed.dropFirst().dropLast().split(separator: space)
                if parts.count == 2 { open = Array(parts[0]); close = Array(parts[1]) }
            }
            body(tag, false)
        }
    }

    /// The first index at or after `from` where `needle` (not empty) starts in `bytes`.
    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count, from <= bytes.count - needle.count else { return nil }
        var index = from
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0], bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// A parser error as a sentence for the user, with the line and column in the body (never a
    /// Swift dump of the library's error): `line 1, column 9: the body ends with a lone '{' …`.
    static func describe(_ error: any Error, text: String) -> String {
        guard let parserError = error as? MustacheTemplate.ParserError else { return "the template could not be read" }
        // The body is compiled after a one-line pragma: its line 1 is the parser's line 2.
        let line = max(parserError.context.lineNumber - 1, 1)
        let reason: String
        switch parserError.error {
        case MustacheTemplate.Error.sectionCloseNameIncorrect:
            reason = "a closing tag {{/…}} does not match the section it closes"
        case MustacheTemplate.Error.unfinishedName:
            reason = "a tag is not closed with }} right after its name"
        case MustacheTemplate.Error.expectedSectionEnd:
            reason = "a section {{#…}} or {{^…}} is not closed with {{/…}}"
        case MustacheTemplate.Error.invalidSetDelimiter:
            reason = "a set-delimiter tag {{=… …=}} is malformed"
        case is MustacheTemplate.Error:
            reason = "a Mustache feature SMS bodies do not support (inheritance or configuration tags)"
        default:
            // The library's reader ran past the end: a tag that never closes (a lone `{` at the
            // end no longer gets here, see ``compile(_:)``).
            reason = "the body ends inside a tag that is never closed with }}"
        }
        return "line \(line), column \(parserError.context.columnNumber): \(reason)"
    }

    struct Compiled: CompiledMessageTemplate {
        let template: MustacheTemplate
        let referencedNames: Set<String>
        let topLevelValueNames: Set<String>?
        /// The body was compiled with a newline after its last line (see ``MustacheTemplateEngine/compile(_:)``).
        let dropsFinalNewline: Bool
        /// The body's length in UTF-8 bytes: what one section pass costs the ``RenderBudget``.
        let bodyBytes: Int
        /// - Throws: ``MessageRenderError/workBudgetExceeded`` when the render spent its
        ///   ``RenderBudget`` (it stopped early; the partial text is dropped).
        func render(profile: Profile, defaults: [String: String]) throws(MessageRenderError) -> String {
            let budget = RenderBudget(passCost: bodyBytes)
            // The top-level pass, like any other.
            guard budget.charge(bodyBytes) else { throw .workBudgetExceeded }
            var text = template.render(ProfileContext(profile: profile, defaults: defaults, budget: budget))
            if budget.exceeded { throw .workBudgetExceeded }
            if dropsFinalNewline, text.last == "\n" { text.removeLast() }
            return text
        }
    }

    /// The names a template looks up, found by rendering it twice against recording probes: once
    /// where every name is truthy (enters sections) and once where every name is missing (enters
    /// inverted sections). A name inside a section is recorded under the section
    /// (`{{#vip}}{{points}}{{/vip}}` → `vip.points`), which ``ProfileFields/isKnown(_:propertyKeys:defaults:)``
    /// accepts when the section's field exists: the check is lenient inside sections, never wrong
    /// outside them. Names nested in a section inside an inverted section (or the reverse) are found
    /// only when the outer one is entered by one of the two passes.
    static func referencedNames(_ template: MustacheTemplate) -> (names: Set<String>, partials: Bool) {
        let truthy = NameRecorder()
        _ = template.render(Probe(prefix: "", recorder: truthy, truthy: true))
        let falsy = NameRecorder()
        _ = template.render(Probe(prefix: "", recorder: falsy, truthy: false))
        let partials = template.description.range(of: #"\{\{\s*>"#, options: .regularExpression) != nil
        return (truthy.names.union(falsy.names), partials)
    }
}

/// Collects looked-up names (used on one thread during one render).
final class NameRecorder: @unchecked Sendable {
    var names: Set<String> = []
}

/// A context that answers every lookup and records its dotted name.
struct Probe: MustacheParent, CustomStringConvertible {
    let prefix: String
    let recorder: NameRecorder
    let truthy: Bool
    func child(named name: String) -> Any? {
        let full = prefix.isEmpty ? name : "\(prefix).\(name)"
        recorder.names.insert(full)
        return truthy ? Probe(prefix: full, recorder: recorder, truthy: true) : nil
    }
    var description: String { "" }
}

/// A context that answers no name and prints as ``marker``: a template that prints it names the
/// context itself (`{{.}}`, `{{ }}`) outside any section.
struct WholeContextProbe: MustacheParent, CustomStringConvertible {
    static let marker = "\u{0}smsstats-whole-context\u{0}"
    func child(named name: String) -> Any? { nil }
    var description: String { Self.marker }
}

/// The render context of one profile (see ``ProfileFields``); every value it hands out is charged
/// to `budget` as it renders (``RenderBudget``). It prints as "" (never a debug description of
/// the profile).
struct ProfileContext: MustacheParent, CustomStringConvertible {
    let profile: Profile
    let defaults: [String: String]
    let budget: RenderBudget

    func child(named name: String) -> Any? {
        if name == "properties" {
            return PropertiesContext(properties: profile.properties, path: "properties", defaults: defaults, budget: budget)
        }
        if let value = ProfileFields.rawValue(name, profile: profile),
            let rendered = Self.mustacheValue(value, path: name, defaults: defaults, budget: budget)
        {
            return rendered
        }
        return ProfileFields.defaultText(name, defaults: defaults).map { BudgetedText(text: $0, budget: budget) }
    }
    var description: String { "" }

    /// JSON → what Mustache renders: text for scalars (numbers without `.0`), `Bool` for booleans
    /// (sections), arrays and objects as sequences and contexts; null and "" → `nil` (default).
    static func mustacheValue(_ value: JSONValue, path: String, defaults: [String: String], budget: RenderBudget) -> Any? {
        switch value {
        case .null: return nil
        case .bool(let b): return b
        case .string(let s): return s.isEmpty ? nil : BudgetedText(text: s, budget: budget)
        case .number: return value.stringValue.map { BudgetedText(text: $0, budget: budget) }
        case .array(let items): return BudgetedSequence(items: items, path: path, defaults: defaults, budget: budget)
        case .object(let object): return PropertiesContext(properties: object, path: path, defaults: defaults, budget: budget)
        }
    }
}

/// `properties` (or a nested object): a missing key takes the default of `path.key`, else of `key`.
struct PropertiesContext: MustacheParent, CustomStringConvertible {
    let properties: [String: JSONValue]
    let path: String
    let defaults: [String: String]
    let budget: RenderBudget

    func child(named name: String) -> Any? {
        let full = "\(path).\(name)"
        if let value = properties[name],
            let rendered = ProfileContext.mustacheValue(value, path: full, defaults: defaults, budget: budget)
        {
            return rendered
        }
        return (defaults[full] ?? (path == "properties" ? defaults[name] : nil)).map { BudgetedText(text: $0, budget: budget) }
    }
    var description: String { "" }
}
