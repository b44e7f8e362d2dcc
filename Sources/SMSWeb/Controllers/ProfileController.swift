import Foundation
import Hummingbird
import SMSCore

/// `POST /api/v1/profiles` (JSON array, upsert by userId) and `POST /api/v1/profiles/import` (CSV).
///
/// The CSV import is all or nothing: the whole file is read (``ProfileCSV``) before anything is
/// stored, and a file that is not UTF-8 or not well-formed CSV (an unterminated quoted field, a
/// row with more or fewer fields than the header, …) is a 400 `line <n>: <problem>` that imports
/// nothing. Rows of a well-formed file are judged one by one: an empty userId is rejected, an
/// invalid or missing phone is kept with a warning, and a userId repeated on a later row is
/// imported all the same (the later row wins) with a warning `userId "d1" repeats line 3; the
/// later row wins` on the later row's line; a JSON array warns the same way (`userId "d1" repeats
/// profiles[0]; the later one wins`). **Decision:** `upserted` counts the distinct profiles
/// written (user ids), so a user id given twice counts once (the later occurrence is what is stored).
/// Both take at most ``InputLimits/profilesPerRequest`` (100,000) profiles per request: more is a
/// 413 naming the cap, and nothing is stored. The import takes the CSV as the raw request body; a `multipart/form-data` upload
/// (`curl -F file=@x.csv`) is answered 415 with how to send the file instead (by
/// ``AdminRequestContractMiddleware``, as any body type the contract does not list).
///
/// Phones are validated against the real numbering plans (``PhoneNumber``). National-form phones
/// (`0151 23456789`) need a default region: `"region":"DE"` on a JSON profile; for the CSV import
/// a `phone_region` column (per row; `region` alone is left to be a property, as it often means a
/// sales region) or the `?region=DE` query parameter (for every row without its own). A JSON
/// `region` or query `region` that names no region of the plans is a 400 naming the field; a
/// `phone_region` cell that names none is a row error (**Decision**): the row is rejected (counted
/// in `rejected`, like an empty userId) with the warning `rejected: phone_region: "XX" is not a
/// region of the numbering plans; …`, the other rows are imported.
struct ProfileController {
    let store: any SMSStore

    struct Input: Decodable {
        var userId: String
        var phone: String?
        var name: String?
        var properties: [String: JSONValue]?
        /// ISO 3166-1 alpha-2 region for a phone in national form (`"DE"`); ignored for `+` phones.
        var region: String?
        /// `true` opts the profile out, `false` clears an opt-out (as `PATCH` does); absent keeps
        /// the stored state (a new profile is not opted out).
        var optedOut: Bool?
    }

    /// A profile accepted with a problem the import reports (`docs/DOMAIN.md` §2: kept, not sent).
    struct Warning: Encodable, Equatable {
        /// The CSV line the record starts on (header = 1), or the index in the JSON array from 0.
        var row: Int
        var userId: String?
        var problem: String
    }

    struct Report: Encodable {
        var upserted: Int
        var rejected: Int
        var warnings: [Warning]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("profiles") { request, _ in
            let body = try await request.collectBody(upTo: 50_000_000, what: "profiles")
            let inputs = try JSON.decode([Input].self, from: body, what: "profiles (expected a JSON array of {userId, phone, name?, properties?, region?, optedOut?})")
            try Self.checkCount(inputs.count)
            for (i, input) in inputs.enumerated() {
                if let region = input.region { try Self.checkRegion(region, field: "profiles[\(i)].region") }
            }
            return try JSON.response(try await upsert(inputs))
        }
        group.post("profiles/import") { request, _ in
            let region = try QueryParameter.single("region", in: request)
            if let region { try Self.checkRegion(region, field: "region") }
            let body = try await request.collectBody(upTo: 50_000_000, what: "profiles")
            return try JSON.response(try await importCSV(bytes: body.readableBytesView, defaultRegion: region))
        }
    }

    /// The default region of a request (`region` query parameter, a JSON profile's `region`),
    /// checked where it enters.
    /// - Throws: `HTTPError` 400 `<field>: "XX" is not a region of the numbering plans; expected an
    ///   ISO 3166-1 alpha-2 code in capitals such as DE, US, GB`.
    static func checkRegion(_ region: String, field: String) throws {
        if let problem = regionProblem(region, field: field) { throw HTTPError(.badRequest, message: problem) }
    }

    /// Why `region` names no region of the numbering plans (`<field>: "XX" is not a region …`), or
    /// `nil`: the one wording of a request's `region` and a CSV row's `phone_region`.
    static func regionProblem(_ region: String, field: String) -> String? {
        guard PhoneNumber.supportedRegion(region) == nil else { return nil }
        return "\(field): \"\(InputEcho.text(region))\" is not a region of the numbering plans;"
            + " expected an ISO 3166-1 alpha-2 code in capitals such as DE, US, GB"
    }

    /// The CSV column names (lower-cased) of a row's default region for its phone.
    static let regionColumns: Set<String> = ["phone_region", "phoneregion"]

    /// Imports an uploaded file: ``ProfileCSV/decode(_:)`` then ``importCSV(_:defaultRegion:)``.
    /// - Parameter defaultRegion: region for national-form phones of rows without a `phone_region`.
    /// - Throws: `HTTPError` 400 `the CSV is not valid UTF-8: line <n>: …byte offset <k>…`, or
    ///   those of ``importCSV(_:defaultRegion:)``.
    func importCSV(bytes: some Collection<UInt8>, defaultRegion: String? = nil) async throws -> Report {
        let text: String
        do {
            text = try ProfileCSV.decode(bytes)
        } catch {
            throw HTTPError(.badRequest, message: "the CSV is not valid UTF-8: \(error)")
        }
        return try await importCSV(text, defaultRegion: defaultRegion)
    }

    /// Imports a CSV text with a header row (a `userId`/`user_id`/`id` column; optional
    /// `phone`/`phone_number`/`mobile`/`msisdn`, `phone_region` and `name`; every other column
    /// becomes a string property, empty values left out). All or nothing: nothing is stored unless
    /// the whole file parses.
    /// - Parameter defaultRegion: region for national-form phones of rows with no `phone_region`.
    /// - Returns: the report; a warning's `row` is the record's line in the file (header = 1);
    ///   a repeated userId adds a warning (``repeatedUserIds(_:rows:)``) and the later row wins.
    /// - Throws: `HTTPError` 400 `the CSV was not imported (nothing was stored): line <n>: <problem>`
    ///   (``ProfileCSV/Failure``), or 400 when the header has no userId column.
    func importCSV(_ text: String, defaultRegion: String? = nil) async throws -> Report {
        let table: ProfileCSV.Table
        do {
            table = try ProfileCSV.parse(text)
        } catch {
            throw HTTPError(.badRequest, message: "the CSV was not imported (nothing was stored): \(error)")
        }
        try Self.checkCount(table.rows.count)
        let header = table.header
        guard let idIndex = header.firstIndex(where: { ["userid", "user_id", "id"].contains($0.lowercased()) }) else {
            throw HTTPError(.badRequest, message: "the CSV header needs a userId column (found: \(header.joined(separator: ", ")))")
        }
        let phoneIndex = header.firstIndex { ["phone", "phone_number", "mobile", "msisdn"].contains($0.lowercased()) }
        let nameIndex = header.firstIndex { $0.lowercased() == "name" }
        let regionIndex = header.firstIndex { Self.regionColumns.contains($0.lowercased()) }
        let optedOutIndex = header.firstIndex { Self.optedOutColumns.contains($0.lowercased()) }
        var inputs: [Input] = []
        var lines: [Int] = []
        var refused: [Warning] = []
        inputs.reserveCapacity(table.rows.count)
        lines.reserveCapacity(table.rows.count)
        for row in table.rows {
            var props: [String: JSONValue] = [:]
            for (i, v) in row.fields.enumerated()
            where i != idIndex && i != phoneIndex && i != nameIndex && i != regionIndex && i != optedOutIndex && !v.isEmpty {
                props[header[i]] = .string(v)
            }
            let region = regionIndex.map { row.fields[$0].trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            var optedOut: Bool?
            if let optedOutIndex {
                let cell = row.fields[optedOutIndex]
                switch Self.optedOutCell(cell) {
                case .success(let value): optedOut = value
                case .failure(let problem):
                    let userId = row.fields[idIndex].trimmingCharacters(in: .whitespaces)
                    refused.append(Warning(row: row.line, userId: userId.isEmpty ? nil : userId, problem: "rejected: " + problem.message))
                    continue
                }
            }
            inputs.append(
                Input(
                    userId: row.fields[idIndex], phone: phoneIndex.map { row.fields[$0] }, name: nameIndex.map { row.fields[$0] },
                    properties: props, region: region, optedOut: optedOut))
            lines.append(row.line)
        }
        var report = try await upsert(inputs, rows: lines, defaultRegion: defaultRegion)
        if !refused.isEmpty {
            report.rejected += refused.count
            // Keep the warnings in file order (a refused row among the imported ones' warnings).
            report.warnings = (report.warnings + refused).enumerated()
                .sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }.map(\.element)
        }
        return report
    }

    /// The CSV column names (lower-cased) of the opt-out flag.
    static let optedOutColumns: Set<String> = ["optedout", "opted_out"]

    struct CellProblem: Error { var message: String }

    /// A CSV `optedOut` cell (**Decision**, the same meaning as the JSON field): `true`/`1` opts the
    /// profile out, `false`/`0` clears an opt-out, empty keeps the stored state (case and spaces
    /// around ignored); anything else rejects the row, naming the cell and the accepted values.
    static func optedOutCell(_ cell: String) -> Swift.Result<Bool?, CellProblem> {
        switch cell.trimmingCharacters(in: .whitespaces).lowercased() {
        case "": return .success(nil)
        case "true", "1": return .success(true)
        case "false", "0": return .success(false)
        default:
            return .failure(
                CellProblem(message: "optedOut must be true, false, 1, 0 or empty (got \"\(InputEcho.text(String(cell.prefix(40))))\")"))
        }
    }

    /// At most ``InputLimits/profilesPerRequest`` profiles (JSON array elements or CSV rows) per request.
    /// - Throws: `HTTPError(.contentTooLarge)` `100001 profiles in one request; at most 100000 (send them in several requests)`.
    static func checkCount(_ count: Int) throws {
        let cap = InputLimits.profilesPerRequest
        guard count <= cap else {
            throw HTTPError(.contentTooLarge, message: "\(count) profiles in one request; at most \(cap) (send them in several requests)")
        }
    }

    /// The 415 message of `POST /api/v1/profiles/import` for a `multipart/form-data` upload
    /// (`curl -F file=@x.csv`): the API takes the CSV as the raw request body.
    static let multipartMessage =
        "send the CSV file as the raw request body, not as a multipart/form-data upload: "
        + "curl --data-binary @x.csv -H 'Content-Type: text/csv' -H 'Authorization: Bearer …' …/api/v1/profiles/import "
        + "(curl -F sends multipart; the dashboard's Import page takes a file upload)"

    /// One warning per profile whose userId (trimmed; case-sensitive) already appeared earlier in
    /// the same request, for the CSV import and the JSON array alike (the one rule): `userId "d1"
    /// repeats line 3; the later row wins` (CSV, on the later row's line) or `userId "d1" repeats
    /// profiles[0]; the later one wins` (JSON, on the later element's index), naming where the
    /// userId first appeared. Both are still upserted, in order, so the later one's values are
    /// what is stored. Empty userIds are left to the rejection rule.
    /// - Parameters:
    ///   - userIds: each profile's raw userId, in request order.
    ///   - rows: each record's starting line (header = 1) for a CSV; `nil` for a JSON array.
    /// - Returns: the warnings by the index in `userIds` of the profile they are reported on.
    static func repeatedUserIds(_ userIds: [String], rows: [Int]?) -> [Int: Warning] {
        var first: [String: Int] = [:]
        var warnings: [Int: Warning] = [:]
        for (i, raw) in userIds.enumerated() {
            let userId = raw.trimmingCharacters(in: .whitespaces)
            guard !userId.isEmpty else { continue }
            guard let earlier = first[userId] else {
                first[userId] = i
                continue
            }
            let problem = rows.map { "userId \"\(userId)\" repeats line \($0[earlier]); the later row wins" }
                ?? "userId \"\(userId)\" repeats profiles[\(earlier)]; the later one wins"
            warnings[i] = Warning(row: rows?[i] ?? i, userId: userId, problem: problem)
        }
        return warnings
    }

    /// What no profile may hold (``TextInput``, `docs/DOMAIN.md` §1): a control character in
    /// `userId` or `region` (identifiers), U+0000 in `name` or in a key or string of
    /// `properties`; a `name` over ``InputLimits/nameLength`` (200) or a `userId` over
    /// ``InputLimits/identifierLength`` (256) characters. Each problem names `where` (`profiles[2]`, or the CSV's `line 3`) and the field:
    /// `line 3, name contains U+0000 (NUL) at position 1: no text field may hold U+0000`.
    /// - Parameter place: `""` for a single profile (a PATCH): the fields are then named alone (`name`).
    static func textProblems(_ input: Input, at place: String) -> [String] {
        var problems: [String] = []
        let prefix = place.isEmpty ? "" : place + (place.hasPrefix("line") ? ", " : ".")
        // `phone` is checked per row (``upsert(_:rows:defaultRegion:)``): a control character there
        // makes that row's phone invalid, never the whole request.
        for (field, value) in [("userId", input.userId), ("region", input.region)] {
            if let value, let p = TextInput.problem(value, field: prefix + field, kind: .identifier) { problems.append(p) }
        }
        if let p = TextInput.lengthProblem(input.userId, field: prefix + "userId", limit: InputLimits.identifierLength) { problems.append(p) }
        if let name = input.name {
            if let p = TextInput.problem(name, field: prefix + "name", kind: .text) { problems.append(p) }
            if let p = TextInput.lengthProblem(name, field: prefix + "name", limit: InputLimits.nameLength) { problems.append(p) }
        }
        if let properties = input.properties, let p = TextInput.problem(in: .object(properties), path: prefix + "properties") {
            problems.append(p)
        }
        return problems
    }

    /// A number of `properties` (at any depth) outside ``InputLimits/propertyNumber`` (±2^53,
    /// ``PropertyNumber``), named under `place` as ``textProblems(_:at:)`` names fields:
    /// `profiles[0].properties.score must be a number from -9007199254740992 to 9007199254740992 (got 1e+300)`.
    /// Checked on what a request gives (an upsert's profiles, a PATCH's `properties`), never on
    /// properties stored before the rule.
    static func numberProblems(_ properties: [String: JSONValue]?, at place: String) -> [String] {
        guard let properties else { return [] }
        let prefix = place.isEmpty ? "" : place + (place.hasPrefix("line") ? ", " : ".")
        return PropertyNumber.problem(in: .object(properties), path: prefix + "properties").map { [$0] } ?? []
    }

    /// Normalises phones to E.164 (``PhoneNumber/normalize(_:defaultRegion:)``, with the input's
    /// own `region`, else `defaultRegion`); keeps invalid or missing ones with a warning; rejects
    /// rows without a userId; warns about a userId repeated in the request (``repeatedUserIds(_:rows:)``).
    /// - Parameters:
    ///   - rows: the row number each input is reported under (default: its index from 0).
    ///   - defaultRegion: region for national-form phones of inputs without their own.
    /// - Throws: `HTTPError` 400 naming every field that holds a character no profile may hold
    ///   (``textProblems(_:at:)``) or a property number beyond ±2^53 (``numberProblems(_:at:)``);
    ///   nothing is stored then.
    func upsert(_ inputs: [Input], rows: [Int]? = nil, defaultRegion: String? = nil) async throws -> Report {
        let problems = inputs.indices.flatMap { i in
            let place = rows.map { "line \($0[i])" } ?? "profiles[\(i)]"
            return Self.textProblems(inputs[i], at: place) + Self.numberProblems(inputs[i].properties, at: place)
        }
        if !problems.isEmpty {
            let shown = problems.prefix(20).joined(separator: "; ")
            throw HTTPError(
                .badRequest,
                message: "the profiles were not stored (nothing was stored): \(shown)"
                    + (problems.count > 20 ? "; and \(problems.count - 20) more" : ""))
        }
        var warnings: [Warning] = []
        var profiles: [Profile] = []
        var rejected = 0
        var givenOptOut: [String: Bool] = [:]
        let repeats = Self.repeatedUserIds(inputs.map(\.userId), rows: rows)
        for (i, input) in inputs.enumerated() {
            let row = rows?[i] ?? i
            // A repeat is reported after the profile's own warnings (in request order).
            defer { if let repeated = repeats[i] { warnings.append(repeated) } }
            let userId = input.userId.trimmingCharacters(in: .whitespaces)
            guard !userId.isEmpty else {
                rejected += 1
                warnings.append(Warning(row: row, userId: nil, problem: "rejected: userId is empty"))
                continue
            }
            // A CSV row's phone_region that names no region is a row error (**Decision**, like an
            // empty userId): the row is rejected, naming the cell; a JSON profile's region was
            // refused with a 400 before (``checkRegion(_:field:)``).
            if let region = input.region, let problem = Self.regionProblem(region, field: rows == nil ? "region" : "phone_region") {
                rejected += 1
                warnings.append(Warning(row: row, userId: userId, problem: "rejected: " + problem))
                continue
            }
            var phone = input.phone?.trimmingCharacters(in: .whitespaces)
            var valid = false
            if let raw = phone, !raw.isEmpty {
                let field = rows.map { "line \($0[i]), phone" } ?? "profiles[\(i)].phone"
                // A NUL is refused wherever it is, before the numbering plans (which, like
                // libphonenumber, drop control characters around the number: a trailing NUL was kept
                // silently while one in the middle was a warning). Other control characters around the
                // number are dropped as libphonenumber does; one between digits makes the phone invalid.
                // Either way the profile is stored without a phone and the row's warning names the
                // field (docs/DOMAIN.md §1).
                if raw.utf8.contains(0), let problem = TextInput.problem(raw, field: field, kind: .identifier) {
                    phone = nil
                    warnings.append(Warning(row: row, userId: userId, problem: "invalid phone: \(problem)"))
                } else {
                    do {
                        phone = try PhoneNumber.normalize(raw, defaultRegion: input.region ?? defaultRegion)
                        valid = true
                    } catch {
                        if let problem = TextInput.problem(raw, field: field, kind: .identifier) {
                            phone = nil
                            warnings.append(Warning(row: row, userId: userId, problem: "invalid phone: \(problem)"))
                        } else {
                            warnings.append(Warning(row: row, userId: userId, problem: "invalid phone: \(error)"))
                        }
                    }
                }
            } else {
                phone = nil
                warnings.append(Warning(row: row, userId: userId, problem: "no phone"))
            }
            profiles.append(
                Profile(
                    userId: userId, phone: phone, phoneValid: valid, name: input.name, properties: input.properties ?? [:],
                    optedOut: input.optedOut == true))
            if let given = input.optedOut { givenOptOut[userId] = given }
        }
        // The upsert keeps a stored opt-out (it only ever sets it); `optedOut: false` (the last one
        // given for the user id: the later row wins) clears it, in the same transaction.
        try await store.upsertProfiles(profiles, clearingOptOut: Set(givenOptOut.compactMap { $0.value ? nil : $0.key }))
        // Distinct profiles written: a user id repeated in the request counts once (the later one wins).
        return Report(upserted: Set(profiles.lazy.map(\.userId)).count, rejected: rejected, warnings: warnings)
    }
}
