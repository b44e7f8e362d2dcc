import Foundation
import Hummingbird
import SMSCore
import SwiftCSV

/// `POST /api/v1/profiles` (JSON array, upsert by userId) and `POST /api/v1/profiles/import` (CSV).
struct ProfileController {
    let store: any SMSStore

    struct Input: Decodable {
        var userId: String
        var phone: String?
        var name: String?
        var properties: [String: JSONValue]?
    }

    /// A profile accepted with a problem the import reports (`domain.md` §2: kept, not sent).
    struct Warning: Encodable, Equatable {
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
            let body = try await request.body.collect(upTo: 50_000_000, what: "profiles")
            let inputs = try JSON.decode([Input].self, from: body, what: "profiles (expected a JSON array of {userId, phone, name?, properties?})")
            return try JSON.response(try await upsert(inputs))
        }
        group.post("profiles/import") { request, _ in
            let body = try await request.body.collect(upTo: 50_000_000, what: "profiles")
            guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
                throw HTTPError(.badRequest, message: "the CSV is not valid UTF-8")
            }
            return try JSON.response(try await importCSV(text))
        }
    }

    func importCSV(_ text: String) async throws -> Report {
        let csv: CSV<Named>
        do {
            csv = try CSV<Named>(string: text, delimiter: .comma, loadColumns: false)
        } catch {
            throw HTTPError(.badRequest, message: "unreadable CSV: \(error)")
        }
        let header = csv.header
        guard let idColumn = header.first(where: { ["userid", "user_id", "id"].contains($0.lowercased()) }) else {
            throw HTTPError(.badRequest, message: "the CSV header needs a userId column (found: \(header.joined(separator: ", ")))")
        }
        let phoneColumn = header.first { ["phone", "phone_number", "mobile", "msisdn"].contains($0.lowercased()) }
        let nameColumn = header.first { $0.lowercased() == "name" }
        let inputs = csv.rows.map { row -> Input in
            var props: [String: JSONValue] = [:]
            for (k, v) in row where k != idColumn && k != phoneColumn && k != nameColumn && !v.isEmpty {
                props[k] = .string(v)
            }
            return Input(
                userId: row[idColumn] ?? "", phone: phoneColumn.flatMap { row[$0] }, name: nameColumn.flatMap { row[$0] },
                properties: props)
        }
        return try await upsert(inputs, firstRow: 2)
    }

    /// Normalises phones to E.164; keeps invalid or missing ones with a warning; rejects rows
    /// without a userId.
    func upsert(_ inputs: [Input], firstRow: Int = 0) async throws -> Report {
        var warnings: [Warning] = []
        var profiles: [Profile] = []
        var rejected = 0
        for (i, input) in inputs.enumerated() {
            let row = i + firstRow
            let userId = input.userId.trimmingCharacters(in: .whitespaces)
            guard !userId.isEmpty else {
                rejected += 1
                warnings.append(Warning(row: row, userId: nil, problem: "rejected: userId is empty"))
                continue
            }
            var phone = input.phone?.trimmingCharacters(in: .whitespaces)
            var valid = false
            if let raw = phone, !raw.isEmpty {
                do {
                    phone = try PhoneNumber.normalize(raw)
                    valid = true
                } catch {
                    warnings.append(Warning(row: row, userId: userId, problem: "invalid phone: \(error)"))
                }
            } else {
                phone = nil
                warnings.append(Warning(row: row, userId: userId, problem: "no phone"))
            }
            profiles.append(
                Profile(userId: userId, phone: phone, phoneValid: valid, name: input.name, properties: input.properties ?? [:]))
        }
        try await store.upsertProfiles(profiles)
        return Report(upserted: profiles.count, rejected: rejected, warnings: warnings)
    }
}
