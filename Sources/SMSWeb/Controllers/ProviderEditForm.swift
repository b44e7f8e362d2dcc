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
struct ProviderEditForm: Decodable {
    var csrf: String?
    var name, kind, url, method, bodyType, bodyTemplate, messageIdPath, messageIdPattern, messageIdHeader, ratePerSecond, maxConcurrency: String?
    var callbacksEnabled, requireSignature, headers, batchKey, batchSize: String?
    var authType, authUsername, authPassword, authToken, authTokenUrl, authClientId, authClientSecret, authScope, authClientAuthMethod: String?
    var webhookSigningKey, removeWebhookSigningKey: String?

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
        let remove = removeWebhookSigningKey.map { ["on", "true", "1"].contains($0.lowercased()) } ?? false
        let newKey = webhookSigningKey.flatMap { Self.blank($0) ? nil : $0 }
        if remove, newKey != nil {
            throw HTTPError(.badRequest, message: "invalid provider: webhookSigningKey: type a new key or remove it, not both")
        }
        if remove { object["webhookSigningKey"] = NSNull() } else if let newKey { object["webhookSigningKey"] = newKey }
        return ByteBuffer(string: Self.json(object))
    }

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
