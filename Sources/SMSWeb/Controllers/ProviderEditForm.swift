import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The dashboard's provider edit form (`POST /providers/{id}/edit`): every field a
/// `PATCH /api/v1/providers/{id}` takes (``ProviderPatch/fields``), read into that PATCH's JSON
/// merge patch (``patch(over:)``), which ``ProviderController/patch(_:body:preconditioned:)``
/// validates and writes as the API does. This type only translates form fields; it judges
/// nothing the API judges.
///
/// A field missing from the form leaves the provider's value as it is. A field present:
/// - `name`, `url`, `bodyTemplate`, `method`, `bodyType`, `kind`: blank = unchanged (they cannot be empty).
/// - `messageIdPath`, `messageIdPattern`, `messageIdHeader`, `ratePerSecond`, `maxConcurrency`: blank = none (the form shows their values,
///   so blank is the operator clearing them).
/// - `headers`: one `Name: value` a line; no line = no headers. A credential header's value
///   (``ProviderConfig/isSecretHeader(_:)``) is never shown: a line `Name:` with a blank value
///   keeps its stored value.
/// - `batchKey` + `batchSize`: both blank = no batching (one of them missing from the form: its stored value).
/// - `callbacksEnabled`, `requireSignature`: `true` / `false`.
/// - `authType` (`none`, `basic`, `bearer`, `oauth2`) with the fields of that type
///   (`authUsername`, `authPassword`, `authToken`, `authTokenUrl`, `authClientId`,
///   `authClientSecret`, `authScope`, `authClientAuthMethod`); a blank secret (`authPassword`,
///   `authToken`, `authClientSecret`) keeps the stored one.
/// - `webhookSigningKey`: blank keeps the stored key; `removeWebhookSigningKey=on` removes it.
/// - `codingGSM7`, `codingUCS2`: the `coding` mapping's `GSM-7` and `UCS-2` values (`$$Coding`);
///   a blank one removes that key, both blank = no mapping (the patch carries the whole mapping).
/// - `detectsEncoding`: `true` / `false`.
/// - `secret.<Name>`: a new value for the stored secret `$$Name` (``ProviderConfig/secrets``;
///   blank keeps it, values are never shown); `removeSecret.<Name>=on` removes it;
///   `newSecretName` + `newSecretValue` add one (or set one by name).
struct ProviderEditForm: Decodable {
    var csrf: String?
    var name, kind, url, method, bodyType, bodyTemplate, messageIdPath, messageIdPattern, messageIdHeader, ratePerSecond, maxConcurrency: String?
    var callbacksEnabled, requireSignature, headers, batchKey, batchSize: String?
    var authType, authUsername, authPassword, authToken, authTokenUrl, authClientId, authClientSecret, authScope, authClientAuthMethod: String?
    var webhookSigningKey, removeWebhookSigningKey: String?
    var codingGSM7, codingUCS2, detectsEncoding: String?
    var newSecretName, newSecretValue: String?
    /// `secret.<Name>` fields: name → the value typed (blank = keep).
    var secretValues: [String: String] = [:]
    /// Names of `removeSecret.<Name>` fields that are on.
    var removedSecrets: Set<String> = []

    /// The fixed fields, by their form names.
    static var fields: [(String, WritableKeyPath<ProviderEditForm, String?>)] { [
        ("csrf", \.csrf), ("name", \.name), ("kind", \.kind), ("url", \.url), ("method", \.method), ("bodyType", \.bodyType),
        ("bodyTemplate", \.bodyTemplate), ("messageIdPath", \.messageIdPath), ("messageIdPattern", \.messageIdPattern),
        ("messageIdHeader", \.messageIdHeader), ("ratePerSecond", \.ratePerSecond), ("maxConcurrency", \.maxConcurrency),
        ("callbacksEnabled", \.callbacksEnabled), ("requireSignature", \.requireSignature), ("headers", \.headers),
        ("batchKey", \.batchKey), ("batchSize", \.batchSize), ("authType", \.authType), ("authUsername", \.authUsername),
        ("authPassword", \.authPassword), ("authToken", \.authToken), ("authTokenUrl", \.authTokenUrl),
        ("authClientId", \.authClientId), ("authClientSecret", \.authClientSecret), ("authScope", \.authScope),
        ("authClientAuthMethod", \.authClientAuthMethod), ("webhookSigningKey", \.webhookSigningKey),
        ("removeWebhookSigningKey", \.removeWebhookSigningKey), ("codingGSM7", \.codingGSM7), ("codingUCS2", \.codingUCS2),
        ("detectsEncoding", \.detectsEncoding), ("newSecretName", \.newSecretName), ("newSecretValue", \.newSecretValue),
    ] }

    /// The form's fields by name (unknown names are ignored).
    init(fields form: [String: String]) {
        for (name, path) in Self.fields { self[keyPath: path] = form[name] }
        for (key, value) in form {
            if key.hasPrefix("secret.") { secretValues[String(key.dropFirst(7))] = value }
            if key.hasPrefix("removeSecret."), Self.on(value) { removedSecrets.insert(String(key.dropFirst(13))) }
        }
    }

    init(from decoder: any Decoder) throws {
        self.init(fields: try [String: String](from: decoder))
    }

    /// The form as a JSON merge patch over `current` (secrets left blank filled from `current`).
    /// - Throws: 400 `invalid provider: …` for a `headers` line that is not `Name: value`, or a
    ///   new signing key typed while asking to remove it.
    func patch(over current: ProviderConfig) throws -> ByteBuffer {
        var object: [String: Any] = [:]
        for (field, value) in [
            ("name", name), ("kind", kind), ("url", url), ("method", method), ("bodyType", bodyType), ("bodyTemplate", bodyTemplate),
        ] {
            if let value, !Self.blank(value) { object[field] = value }
        }
        for (field, value) in [("messageIdPath", messageIdPath), ("messageIdPattern", messageIdPattern), ("messageIdHeader", messageIdHeader)] {
            if let value { object[field] = Self.blank(value) ? NSNull() : value }
        }
        if let ratePerSecond { object["ratePerSecond"] = Self.blank(ratePerSecond) ? NSNull() : Self.number(ratePerSecond) }
        if let maxConcurrency { object["maxConcurrency"] = Self.blank(maxConcurrency) ? NSNull() : Self.number(maxConcurrency) }
        if let callbacksEnabled { object["callbacksEnabled"] = Self.flag(callbacksEnabled) }
        if let requireSignature { object["requireSignature"] = Self.flag(requireSignature) }
        if let headers {
            let parsed = try Self.headers(headers, current: current.headers)
            object["headers"] = parsed.isEmpty ? NSNull() : parsed
        }
        if batchKey != nil || batchSize != nil {
            let key = batchKey.map { Self.trimmed($0) } ?? current.batch?.key ?? ""
            let size = batchSize.map { Self.trimmed($0) } ?? current.batch.map { String($0.size) } ?? ""
            if key.isEmpty && size.isEmpty {
                object["batch"] = NSNull()
            } else {
                var batch: [String: Any] = [:]
                if !key.isEmpty { batch["key"] = key }
                if !size.isEmpty { batch["size"] = Self.number(size) }
                object["batch"] = batch
            }
        }
        if let authType { object["auth"] = auth(authType, current: current.auth) }
        let remove = removeWebhookSigningKey.map(Self.on) ?? false
        let newKey = webhookSigningKey.flatMap { Self.blank($0) ? nil : $0 }
        if remove, newKey != nil {
            throw HTTPError(.badRequest, message: "invalid provider: webhookSigningKey: type a new key or remove it, not both")
        }
        if remove { object["webhookSigningKey"] = NSNull() } else if let newKey { object["webhookSigningKey"] = newKey }
        if codingGSM7 != nil || codingUCS2 != nil {
            // The whole mapping (a PATCH replaces it): the form's two keys over any other stored one.
            var coding = current.coding ?? [:]
            for (key, value) in zip(EncodingPlaceholders.codingKeys, [codingGSM7, codingUCS2]) {
                let typed = value.map { Self.trimmed($0) } ?? current.coding?[key] ?? ""
                coding[key] = typed.isEmpty ? nil : typed
            }
            object["coding"] = coding.isEmpty ? NSNull() : coding
        }
        if let detectsEncoding { object["detectsEncoding"] = Self.flag(detectsEncoding) }
        if let secrets = try secretsPatch(current: current.secrets ?? [:]) { object["secrets"] = secrets }
        return ByteBuffer(string: Self.json(object))
    }

    /// The provider's `secrets` after the form (a PATCH replaces the whole object, ``MergePatch``):
    /// the stored ones, each value typed replacing its stored one, the removed ones left out, the
    /// new one added; `null` when none is left; `nil` when nothing changes.
    /// - Throws: 400 `invalid provider: secrets…` for a value typed for a secret being removed, a
    ///   new secret's value without a name or its name without a value.
    func secretsPatch(current: [String: String]) throws -> Any? {
        var secrets = current
        var changed = false
        for (name, value) in secretValues.sorted(by: { $0.key < $1.key }) where !Self.blank(value) {
            if removedSecrets.contains(name) {
                throw HTTPError(.badRequest, message: "invalid provider: secrets.\(InputEcho.text(name)): type a new value or remove it, not both")
            }
            secrets[name] = value
            changed = true
        }
        for name in removedSecrets.sorted() where secrets[name] != nil {
            secrets[name] = nil
            changed = true
        }
        let newName = Self.trimmed(newSecretName)
        let newValue = newSecretValue ?? ""
        switch (newName.isEmpty, Self.blank(newValue)) {
        case (true, false): throw HTTPError(.badRequest, message: "invalid provider: secrets: a new secret's value was typed without its name")
        case (false, true): throw HTTPError(.badRequest, message: "invalid provider: secrets.\(InputEcho.text(newName)): a new secret needs a value")
        case (false, false):
            secrets[newName] = newValue
            changed = true
        case (true, true): break
        }
        guard changed else { return nil }
        return secrets.isEmpty ? NSNull() : secrets
    }

    static func on(_ text: String) -> Bool { ["on", "true", "1"].contains(text.lowercased()) }

    /// A number typed in the form, kept as written (`JSONBody/number(text:)`: the JSON API's number
    /// rule): put into the patch as this literal, so the API judges it exactly as a JSON number
    /// (`1e-400` is refused naming the field, never stored as 0).
    struct Literal { var text: String }

    /// The patch object as JSON text: keys sorted; ``Literal``s as written; strings escaped by
    /// `JSONEncoder`.
    static func json(_ value: Any) -> String {
        switch value {
        case let literal as Literal: return literal.text
        case let text as String: return String(decoding: (try? JSONEncoder().encode(text)) ?? Data(#""""#.utf8), as: UTF8.self)
        case let flag as Bool: return flag ? "true" : "false"
        case let object as [String: Any]:
            return "{" + object.keys.sorted().map { json($0) + ":" + json(object[$0] ?? NSNull()) }.joined(separator: ",") + "}"
        default: return "null"
        }
    }

    /// The `auth` object of `type` from the form's fields; `none` (or blank) = no authentication.
    func auth(_ type: String, current: ProviderAuth?) -> Any {
        let type = Self.trimmed(type)
        if type.isEmpty || type == ProviderAuth.Kind.none.rawValue { return NSNull() }
        var auth: [String: Any] = ["type": type]
        func set(_ key: String, _ value: String?) {
            if let v = value, !Self.blank(v) { auth[key] = v }
        }
        func secret(_ key: String, _ value: String?, _ stored: String?) {
            if let v = value, !Self.blank(v) { auth[key] = v } else if let stored { auth[key] = stored }
        }
        switch ProviderAuth.Kind(rawValue: type) {
        case .basic:
            set("username", authUsername)
            secret("password", authPassword, current?.password)
        case .bearer:
            secret("token", authToken, current?.token)
        case .oauth2:
            set("tokenUrl", authTokenUrl)
            set("clientId", authClientId)
            secret("clientSecret", authClientSecret, current?.clientSecret)
            set("scope", authScope)
            set("clientAuthMethod", authClientAuthMethod)
        case .some(.none), nil: break  // an unknown type: the API's decoding refuses it naming auth.type
        }
        return auth
    }

    /// `Name: value` lines (blank lines skipped) as a headers object; a credential header
    /// (``ProviderConfig/isSecretHeader(_:)``) left blank keeps its value in `current`.
    /// - Throws: 400 naming the line that has no `:`.
    static func headers(_ text: String, current: [String: String]) throws -> [String: String] {
        var out: [String: String] = [:]
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw HTTPError(
                    .badRequest, message: "invalid provider: headers line \(i + 1) must be 'Name: value' (got '\(InputEcho.text(line))')")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty, ProviderConfig.isSecretHeader(name), let stored = current[name] {
                out[name] = stored
            } else {
                out[name] = value
            }
        }
        return out
    }

    /// The headers as the form shows them: `Name: value` lines in name order, a credential
    /// header's value left out (`Name:`), so no secret is ever rendered.
    static func headersText(_ headers: [String: String]) -> String {
        headers.sorted { $0.key < $1.key }
            .map { ProviderConfig.isSecretHeader($0.key) ? "\($0.key):" : "\($0.key): \($0.value)" }
            .joined(separator: "\n")
    }

    static func trimmed(_ text: String?) -> String { (text ?? "").trimmingCharacters(in: .whitespaces) }
    static func blank(_ text: String) -> Bool { trimmed(text).isEmpty }

    /// `true`/`false` as JSON booleans; anything else stays a string, which the API refuses naming the field.
    static func flag(_ text: String) -> Any {
        switch trimmed(text) {
        case "true": return true
        case "false": return false
        default: return text
        }
    }

    /// A form number as the JSON number literal it is by the API's one number rule
    /// (``JSONBody/number(text:)``: `0x10`, `0x1p3`, `+5`, `inf` are not numbers); anything else
    /// stays a string, which the API refuses naming the field and its range (`got "0x10"`).
    static func number(_ text: String) -> Any {
        JSONBody.number(text: text).map { Literal(text: $0.literal) } ?? text
    }
}
