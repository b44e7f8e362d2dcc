import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of `PATCH /api/v1/profiles/{userId}`: a JSON object of any of `phone` (text, `null`
/// clears it), `region` (ISO 3166-1 alpha-2, for a `phone` in national form), `name` (text or
/// `null`), `properties` (an object merged into the stored ones: a key set to `null` is removed,
/// any other value replaces it) and `optedOut` (`true`/`false`); `null` for `region`,
/// `properties` or `optedOut` is the same as leaving the field out.
///
/// Validated like the upsert of `POST /api/v1/profiles` (``ProfileController/textProblems(_:at:)``,
/// ``ProfileController/checkRegion(_:field:)``, ``PhoneNumber/normalize(_:defaultRegion:)``), with
/// one decision: an invalid phone is a 400 here (the upsert keeps it with a warning, as an import
/// must not lose rows; a PATCH is one deliberate correction, so the operator hears at once). Every
/// problem is a 400 `invalid profile: …` naming the field; nothing is written then.
enum ProfilePatch {
    /// The fields a PATCH may set.
    static let fields: Set<String> = ["phone", "region", "name", "properties", "optedOut"]

    /// The stored profile with the patch applied.
    /// - Throws: 400 `invalid profile: …` for a body that is not a JSON object, an unknown field,
    ///   a field of the wrong type, a character no profile may hold, an unknown region, or a
    ///   phone the numbering plans refuse (with the reason).
    static func merged(_ current: Profile, patch: ByteBuffer) throws -> Profile {
        func refuse(_ problem: String) -> HTTPError { HTTPError(.badRequest, message: "invalid profile: " + problem) }
        guard case .object(let changes) = try JSON.decode(JSONValue.self, from: patch, what: "profile") else {
            throw refuse("a PATCH body must be a JSON object of the fields to change")
        }
        if let unknown = changes.keys.sorted().first(where: { !fields.contains($0) }) {
            throw refuse("'\(unknown)' cannot be changed; the fields are \(fields.sorted().joined(separator: ", "))")
        }
        var profile = current
        var region: String?
        switch changes["region"] {
        case nil, .null?: break
        case .string(let r)?: region = r
        default: throw refuse("region must be an ISO 3166-1 alpha-2 code such as DE (a string)")
        }
        switch changes["name"] {
        case nil: break
        case .null?: profile.name = nil
        case .string(let n)?: profile.name = n
        default: throw refuse("name must be a string or null")
        }
        switch changes["optedOut"] {
        case nil, .null?: break
        case .bool(let b)?: profile.optedOut = b
        default: throw refuse("optedOut must be true or false")
        }
        switch changes["properties"] {
        case nil, .null?: break
        case .object(let set)?:
            for (key, value) in set {
                if value == .null { profile.properties.removeValue(forKey: key) } else { profile.properties[key] = value }
            }
        default: throw refuse("properties must be a JSON object (a key set to null is removed)")
        }
        var rawPhone: String?
        switch changes["phone"] {
        case nil: break
        case .null?:
            profile.phone = nil
            profile.phoneValid = false
        case .string(let p)?: rawPhone = p
        default: throw refuse("phone must be a string or null")
        }
        let input = ProfileController.Input(
            userId: current.userId, phone: rawPhone, name: profile.name, properties: profile.properties, region: region)
        let problems = ProfileController.textProblems(input, at: "profile")
        guard problems.isEmpty else { throw refuse(problems.joined(separator: "; ")) }
        if let region {
            if let problem = ProfileController.regionProblem(region, field: "region") { throw refuse(problem) }
            guard rawPhone != nil else { throw refuse("region applies to a phone in national form; send it with phone") }
        }
        if let rawPhone {
            let trimmed = rawPhone.trimmingCharacters(in: .whitespaces)
            do {
                profile.phone = try PhoneNumber.normalize(trimmed, defaultRegion: region)
                profile.phoneValid = true
            } catch {
                throw refuse("phone: \(error)")
            }
        }
        return profile
    }
}
