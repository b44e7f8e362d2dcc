import Foundation

/// The personalisation port: compiles a campaign body (template text) and renders it for one
/// profile. The production engine is Mustache (`SMSTemplating`); ``LiteralTemplateEngine`` is the
/// no-op engine of pure-core tests.
public protocol MessageTemplateEngine: Sendable {
    /// Compiles a body.
    /// - Throws: ``MessageTemplateError`` when the text is not a valid template.
    func compile(_ text: String) throws -> any CompiledMessageTemplate
    /// How a tag starts (`{{` for Mustache), so that a URL ends where a tag begins; `nil` when the
    /// engine has no tags.
    var tagOpener: String? { get }
    /// Whether the tag starting at the beginning of `text` only structures the body (section start
    /// or end, comment) rather than inserting a value.
    func isStructuralTag(_ text: Substring) -> Bool
}

extension MessageTemplateEngine {
    public var tagOpener: String? { nil }
    public func isStructuralTag(_ text: Substring) -> Bool { false }
}

/// A compiled body.
public protocol CompiledMessageTemplate: Sendable {
    /// The field names the body uses, dotted (`first_name`, `properties.city`), each once; a name
    /// inside a section is recorded under the section (`vip.points`).
    var referencedNames: Set<String> { get }
    /// The names of the value tags outside every section, as written (`properties.city.x`): each
    /// is looked up in the profile itself, so it can be checked against the property paths
    /// profiles hold (``ProfileFields/isResolvable(_:propertyPaths:defaults:)``); `nil` when the
    /// engine cannot tell (the check is then not made).
    var topLevelValueNames: Set<String>? { get }
    /// The text for `profile`, with `defaults` for missing fields (``ProfileFields``). Never escapes
    /// for HTML: SMS is plain text.
    /// - Throws: ``MessageRenderError/workBudgetExceeded`` when rendering would take more than
    ///   ``MessageSizeLimit/renderWorkBudget``: the engine stops early rather than build the text.
    func render(profile: Profile, defaults: [String: String]) throws(MessageRenderError) -> String
}

/// Why a body is not a valid template.
public struct MessageTemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An engine without placeholders: the body is sent as written.
public struct LiteralTemplateEngine: MessageTemplateEngine {
    public init() {}
    public func compile(_ text: String) throws -> any CompiledMessageTemplate { Literal(text: text) }

    struct Literal: CompiledMessageTemplate {
        let text: String
        var referencedNames: Set<String> { [] }
        var topLevelValueNames: Set<String>? { [] }
        func render(profile: Profile, defaults: [String: String]) -> String { text }
    }
}
