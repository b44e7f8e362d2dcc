import Foundation
import Hummingbird
import NIOCore
import SMSCore

/// The body of `PATCH /api/v1/profiles/{userId}`: a JSON object of any of `phone` (text, `null`
/// clears it), `region` (ISO 3166-1 alpha-2, for a `phone` in national form), `name` (text or
/// `null`), `properties` (an object merged into the stored ones: a key set to `null` is removed,
/// any other value replaces it) and `optedOut` (`true`/`false`); `null` for `region` or
/// `properties` is the same as leaving the field out; `optedOut: null` is a 400 (a flag has no
/// empty state). A key other than these is a 400 naming it and the fields.
///
/// Validated like the upsert of `POST /api/v1/profiles` (``ProfileController/textProblems(_:at:)``,
/// ``ProfileController/checkRegion(_:field:)``, ``PhoneNumber/normalize(_:defaultRegion:)``), with
/// one decision: an invalid phone is a 400 here (the upsert keeps it with a warning, as an import
/// must not lose rows; a PATCH is one deliberate correction, so the operator hears at once). Every
/// problem is a 400 `invalid profile: …` naming the field; nothing is written then.
enum ProfilePatch {
    /// A field a PATCH may clear: absent (unchanged), `null`, or a value.
    enum Change<Value: Decodable>: Decodable {
        case unchanged, cleared, set(Value)

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            self = c.decodeNil() ? .cleared : .set(try c.decode(Value.self))
        }
    }

    /// The body, read by the one strict decoder (``JSON/decode(_:from:what:refusingNUL:)``): a key
    /// other than these five is refused naming it and the fields.
    struct Body: Decodable {
        var phone: Change<String> = .unchanged
        var region: String?
        var name: Change<String> = .unchanged
        var properties: [String: JSONValue]?
        var optedOut: Change<Bool> = .unchanged

        enum CodingKeys: String, CodingKey { case phone, region, name, properties, optedOut }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if c.contains(.phone) { phone = try c.decode(Change<String>.self, forKey: .phone) }
            region = try c.decodeIfPresent(String.self, forKey: .region)
            if c.contains(.name) { name = try c.decode(Change<String>.self, forKey: .name) }
            properties = try c.decodeIfPresent([String: JSONValue].self, forKey: .properties)
            if c.contains(.optedOut) { optedOut = try c.decode(Change<Bool>.self, forKey: .optedOut) }
        }
    }

    /// The stored profile with the patch applied.
    /// - Throws: 400 `invalid profile: …` for a body that is not a JSON object, an unknown field,
    ///   a field of the wrong type, `optedOut: null`, a character no profile may hold, an unknown
    ///   region, or a phone the numbering plans refuse (with the reason).
    static func merged(_ current: Profile, patch: ByteBuffer) throws -> Profile {
        func refuse(_ problem: String) -> HTTPError { HTTPError(.badRequest, message: "invalid profile: " + problem) }
        let changes = try JSON.decode(Body.self, from: patch, what: "profile")
        var profile = current
        let region = changes.region
        switch changes.name {
        case .unchanged: break
        case .cleared: profile.name = nil
        case .set(let n): profile.name = n
        }
        switch changes.optedOut {
        case .unchanged: break
        // **Decision**: null cannot mean anything for a flag that is always true or false.
        case .cleared: throw refuse("optedOut must be true or false (got null)")
        case .set(let b): profile.optedOut = b
        }
        for (key, value) in changes.properties ?? [:] {
            if value == .null { profile.properties.removeValue(forKey: key) } else { profile.properties[key] = value }
        }
        var rawPhone: String?
        switch changes.phone {
        case .unchanged: break
        case .cleared:
            profile.phone = nil
            profile.phoneValid = false
        case .set(let p): rawPhone = p
        }
        // The user id is not the PATCH's to change (nor to judge): the text rules apply to the rest.
        let input = ProfileController.Input(userId: "", phone: rawPhone, name: profile.name, properties: profile.properties, region: region)
        // Numbers are judged in what the PATCH gives, not in properties stored before the rule.
        let problems = ProfileController.textProblems(input, at: "") + ProfileController.numberProblems(changes.properties, at: "")
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
