import Foundation

/// The names a message template may use for a profile's data, and how each resolves
/// (decision; the template syntax itself is the engine's, ``MessageTemplateEngine``):
///
/// | name | value |
/// |---|---|
/// | `name` | ``Profile/name`` |
/// | `user_id` | ``Profile/userId`` |
/// | `properties.X` | property `X` of ``Profile/properties`` |
/// | `X` (any other) | property `X` (a shorthand: `{{first_name}}` = `{{properties.first_name}}`) |
///
/// A value that is missing, JSON `null` or the empty string is replaced by the campaign's default
/// for the name as written (`defaults["first_name"]`); for `properties.X` the default of
/// `properties.X`, else of `X`. Without a default it renders as empty text.
/// The phone number is deliberately not a template field (it is personal data the SMS does not need).
public enum ProfileFields {
    /// Field names taken from the profile itself (not from `properties`).
    public static let builtIn: Set<String> = ["name", "user_id"]

    /// The raw JSON value of `name` for `profile` (before defaults); `nil` when absent.
    public static func rawValue(_ name: String, profile: Profile) -> JSONValue? {
        switch name {
        case "name": return profile.name.map(JSONValue.string)
        case "user_id": return .string(profile.userId)
        default:
            if name.hasPrefix("properties.") {
                return lookup(path: String(name.dropFirst("properties.".count)), in: profile.properties)
            }
            return lookup(path: name, in: profile.properties)
        }
    }

    /// The text `name` renders as for `profile`, defaults applied (see the type's table).
    public static func text(_ name: String, profile: Profile, defaults: [String: String]) -> String {
        if let value = rawValue(name, profile: profile), let text = value.stringValue, !text.isEmpty {
            return text
        }
        return defaultText(name, defaults: defaults) ?? ""
    }

    /// The default for `name`: `defaults[name]`, or for `properties.X` also `defaults[X]`.
    public static func defaultText(_ name: String, defaults: [String: String]) -> String? {
        if let d = defaults[name] { return d }
        if name.hasPrefix("properties.") { return defaults[String(name.dropFirst("properties.".count))] }
        return nil
    }

    /// Whether `name` (dotted) can resolve for some profile: a built-in field, a property key that
    /// exists in at least one profile (`propertyKeys`: the top-level keys are looked at), or a
    /// name with a default. `properties` alone (a section over all properties) and `.` (the
    /// current item) are known. Lenient inside sections (`vip.points` may be `points` of the
    /// profile); a value tag outside sections is checked by ``isResolvable(_:propertyPaths:defaults:)``.
    public static func isKnown(_ name: String, propertyKeys: Set<String>, defaults: [String: String]) -> Bool {
        if name == "." || name == "properties" || builtIn.contains(name) { return true }
        if defaultText(name, defaults: defaults) != nil { return true }
        let path = name.hasPrefix("properties.") ? String(name.dropFirst("properties.".count)) : name
        let top = path.split(separator: ".", maxSplits: 1).first.map(String.init) ?? path
        return propertyKeys.contains(top)
    }

    /// Whether a value tag outside every section (``CompiledMessageTemplate/topLevelValueNames``)
    /// can render for some profile: a built-in field, a name with a default, or a property path
    /// that at least one profile holds (`propertyPaths`: every key path through objects, e.g.
    /// `city`, `address`, `address.zip`; ``SMSDispatchStore/profilePropertyPaths()``).
    ///
    /// **Decision** (issue 12): a path into a plain value (`{{properties.city.x.y}}` where every
    /// profile's `city` is text) or to a key no profile's object has is refused at creation: it
    /// would render empty for every recipient. Checked against the profiles stored when the
    /// campaign is created or changed: a property added later, or only in profiles imported after,
    /// is not known then (give a default, or import first).
    public static func isResolvable(_ name: String, propertyPaths: Set<String>, defaults: [String: String]) -> Bool {
        if name == "." || name == "properties" || builtIn.contains(name) { return true }
        if defaultText(name, defaults: defaults) != nil { return true }
        let path = name.hasPrefix("properties.") ? String(name.dropFirst("properties.".count)) : name
        return propertyPaths.contains(path)
    }

    /// A dotted path into properties (`address.city`); a key that itself holds dots wins.
    static func lookup(path: String, in properties: [String: JSONValue]) -> JSONValue? {
        if let v = properties[path] { return v.isNullValue ? nil : v }
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, case .object(let inner)? = properties[parts[0]] else { return nil }
        return lookup(path: parts[1], in: inner)
    }
}

extension JSONValue {
    var isNullValue: Bool { if case .null = self { true } else { false } }
}
