import Foundation

/// A ready provider for a known gateway (issue 16): what the gateway's documented send request
/// needs (method, url, template, content type, batching, where its message id is, the callback
/// dialect and settings), with the few values only the user knows (credentials, sender) as
/// ``Field``s. The presets themselves are data, in one place: ``all`` (`ProviderPreset+All.swift`).
///
/// A preset refers to a field as `{{name}}` in its url, template, headers, auth, secrets and
/// signing key; ``filled(name:values:)`` puts the user's value there, escaped for where it lands
/// (``ProviderTemplate/escape(_:for:)``: a url path segment, a url query, a form field, a JSON
/// string with `$` as `\u0024` so that a value never becomes a `$$` placeholder; headers, auth,
/// secrets and the signing key as given). Credentials the gateway takes in its url or body stand as
/// `$$Name` placeholders filled from the provider's ``ProviderConfig/secrets`` (never shown back),
/// not as text of the template.
public struct ProviderPreset: Sendable, Equatable, Encodable {
    /// A value the user supplies.
    public struct Field: Sendable, Equatable, Encodable {
        /// Its key in `fields` of a creation (`accountSid`).
        public var name: String
        /// What it is, for a form label (`Account SID`).
        public var title: String
        /// A credential: never shown back once stored.
        public var secret: Bool
        /// Used when the user gives none (`nil`: required).
        public var defaultValue: String?
        /// Where to find it, or its form.
        public var help: String
        /// Placed as given, not escaped: the gateway's base URL (`http://127.0.0.1:13013`), checked by
        /// ``baseURLProblem(_:field:)`` and written without a trailing `/`.
        public var verbatim: Bool
        /// The only values taken (`nil`: any), e.g. Sinch's regions.
        public var choices: [String]?

        public init(
            _ name: String, _ title: String, secret: Bool = false, defaultValue: String? = nil, verbatim: Bool = false,
            choices: [String]? = nil, help: String
        ) {
            self.name = name
            self.title = title
            self.secret = secret
            self.defaultValue = defaultValue
            self.verbatim = verbatim
            self.choices = choices
            self.help = help
        }

        enum CodingKeys: String, CodingKey { case name, title, secret, defaultValue = "default", help, required, choices }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(title, forKey: .title)
            try c.encode(secret, forKey: .secret)
            try c.encode(defaultValue == nil, forKey: .required)
            try c.encodeIfPresent(defaultValue, forKey: .defaultValue)
            try c.encode(help, forKey: .help)
            try c.encodeIfPresent(choices, forKey: .choices)
        }
    }

    /// The provider fields a preset fills (before its `{{field}}`s are replaced), and after.
    public struct Filled: Sendable, Equatable, Encodable {
        public var name: String
        public var kind: ProviderKind
        public var method: String
        public var url: String
        public var bodyType: String
        public var bodyTemplate: String
        public var headers: [String: String] = [:]
        public var auth: ProviderAuth?
        public var batch: BatchConfig?
        public var messageIdPath: String?
        /// The id read from a text answer (``MessageIdPattern``), e.g. Jasmin's `Success "<id>"`.
        public var messageIdPattern: String? = nil
        public var coding: [String: String]?
        public var detectsEncoding: Bool = false
        public var callbacksEnabled: Bool = true
        public var webhookSigningKey: String?
        public var secrets: [String: String] = [:]
    }

    /// Why a preset cannot be filled: a 400 naming the fields.
    public struct FillError: Error, Equatable, Sendable, CustomStringConvertible {
        public var problems: [String]
        public init(problems: [String]) { self.problems = problems }
        public var description: String { problems.joined(separator: "; ") }
    }

    /// The preset's name in `"preset": "<kind>"` (`twilio`, `kannel`, …).
    public var kind: String
    /// The gateway, for people (`Twilio Programmable Messaging`).
    public var title: String
    /// The gateway's page documenting the send request the preset makes.
    public var docs: String
    /// What the user should know (where the callbacks go, what the preset cannot do).
    public var note: String
    /// The values the user supplies, in form order.
    public var fields: [Field]
    /// What the preset fills; `name` is the default provider name.
    public var provider: Filled

    enum CodingKeys: String, CodingKey { case kind, title, docs, note, fields, provider = "fills" }

    /// The preset of `kind`, or `nil`.
    public static func named(_ kind: String) -> ProviderPreset? { all.first { $0.kind == kind } }

    /// The provider fields with the user's values in place.
    /// - Parameters:
    ///   - name: the provider's name (`nil` or blank: the preset's title).
    ///   - values: field name → value; a field left out (or blank) takes its default.
    /// - Returns: the fields of a provider creation (to be validated like any creation).
    /// - Throws: ``FillError`` naming every required field missing and every unknown field given.
    public func filled(name: String?, values: [String: String]) throws(FillError) -> Filled {
        var problems: [String] = []
        let known = Set(fields.map(\.name))
        for unknown in values.keys.sorted() where !known.contains(unknown) {
            problems.append("fields.\(InputEcho.text(unknown)) is not a field of preset '\(kind)': its fields are "
                + fields.map(\.name).joined(separator: ", "))
        }
        var resolved: [String: String] = [:]
        for field in fields {
            if let value = values[field.name], !value.isEmpty {
                if let choices = field.choices, !choices.contains(value) {
                    problems.append("fields.\(field.name) must be one of \(choices.joined(separator: ", ")) (got '\(InputEcho.text(value))')")
                } else if field.verbatim, let problem = Self.baseURLProblem(value, field: field.name) {
                    problems.append(problem)
                } else {
                    resolved[field.name] = field.verbatim ? Self.withoutTrailingSlashes(value) : value
                }
            } else if let fallback = field.defaultValue {
                resolved[field.name] = fallback
            } else {
                problems.append("fields.\(field.name) is required (\(field.title): \(field.help))")
            }
        }
        guard problems.isEmpty else { throw FillError(problems: problems) }
        let verbatim = Set(fields.filter(\.verbatim).map(\.name))

        var out = provider
        if let name, !name.trimmingCharacters(in: .whitespaces).isEmpty { out.name = name }
        out.url = Self.fillURL(provider.url, resolved, verbatim: verbatim)
        let bodyContext: TemplateContext? = provider.method == "GET"
            ? .urlQuery : (provider.bodyType == "form" ? .formField : .jsonString)
        out.bodyTemplate = Self.fill(provider.bodyTemplate, resolved, context: bodyContext, verbatim: verbatim)
        out.headers = provider.headers.mapValues { Self.fill($0, resolved, context: nil) }
        if var auth = provider.auth {
            auth.username = auth.username.map { Self.fill($0, resolved, context: nil) }
            auth.password = auth.password.map { Self.fill($0, resolved, context: nil) }
            auth.token = auth.token.map { Self.fill($0, resolved, context: nil) }
            out.auth = auth
        }
        out.webhookSigningKey = provider.webhookSigningKey.map { Self.fill($0, resolved, context: nil) }
        out.secrets = provider.secrets.mapValues { Self.fill($0, resolved, context: nil) }
        return out
    }

    /// Why `value` cannot be a gateway's base URL (a verbatim field, placed in front of the preset's
    /// path): it must be an absolute `http` or `https` URL with a host and no user, query or
    /// fragment; a trailing `/` is allowed (and dropped). `nil` when it can.
    public static func baseURLProblem(_ value: String, field: String) -> String? {
        let problem = "fields.\(field) must be an absolute http(s) URL with a host and no query or fragment, e.g. "
            + "http://127.0.0.1:13013 (got '\(InputEcho.text(value))')"
        guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              let c = URLComponents(string: value), let scheme = c.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty, c.user == nil, c.password == nil, c.query == nil, c.fragment == nil,
              !value.contains("?"), !value.contains("#")
        else { return problem }
        return nil
    }

    static func withoutTrailingSlashes(_ value: String) -> String {
        var v = Substring(value)
        while v.hasSuffix("/") { v = v.dropLast() }
        return String(v)
    }

    /// `template` with each `{{field}}` of `values` replaced by its value escaped for `context`
    /// (`nil`: as given); other text, `$$` placeholders included, is kept.
    static func fill(
        _ template: String, _ values: [String: String], context: TemplateContext?, verbatim: Set<String> = []
    ) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}"),
                  case let field = String(rest[open.upperBound..<close.lowerBound]), let value = values[field]
            else {
                out += "{{"
                rest = rest[open.upperBound...]
                continue
            }
            switch verbatim.contains(field) ? nil : context {
            case nil: out += value
            case .jsonString?: out += ProviderTemplate.escape(value, for: .jsonString).replacingOccurrences(of: "$", with: "\\u0024")
            case let context?: out += ProviderTemplate.escape(value, for: context)
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// A url's fields: before its first `?` as path segments, after it as query values.
    static func fillURL(_ url: String, _ values: [String: String], verbatim: Set<String>) -> String {
        guard let question = url.firstIndex(of: "?") else { return fill(url, values, context: .urlPath, verbatim: verbatim) }
        return fill(String(url[..<question]), values, context: .urlPath, verbatim: verbatim)
            + fill(String(url[question...]), values, context: .urlQuery, verbatim: verbatim)
    }
}
