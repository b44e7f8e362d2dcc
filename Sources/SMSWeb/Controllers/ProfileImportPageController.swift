import Foundation
import Hummingbird
import MultipartKit
import SMSCore

/// `GET /profiles/import` and `POST /profiles/import` (multipart/form-data): a CSV upload (or pasted
/// CSV) through the same code path as `POST /api/v1/profiles/import`
/// (``ProfileController/importCSV(_:)``), with its report: profiles upserted, rows rejected, and
/// the warnings (invalid or missing phones, a userId repeated on a later row) row by row. All or nothing: a file that is not UTF-8
/// or not well-formed CSV is a 400 naming the line and imports nothing.
struct ProfileImportPageController {
    let dashboard: Dashboard
    /// Upload limit, bytes (the API's limit).
    static let maxBytes = 50_000_000

    struct Form: Decodable {
        var csrf: String?
        var file: Data?
        /// Pasted CSV, as bytes: text that is not UTF-8 is refused by the CSV reader naming the
        /// line, never read with U+FFFD in its place.
        var text: Data?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        let d = dashboard
        group.get("profiles/import") { request, _ in
            try await d.signedIn(request) { session in
                d.page("profiles_import", ["title": "Import profiles", "profiles": try await d.store.profileCount()], session: session, nav: "import")
            }
        }
        group.post("profiles/import") { request, _ in
            try await d.signedIn(request) { session in
                let form = try await Self.form(request)
                try d.checkCSRF(form.csrf, session)
                guard form.file != nil || form.text != nil else {
                    throw HTTPError(.badRequest, message: "the upload has no part named file (a CSV file) or text (pasted CSV)")
                }
                let data = (form.file?.isEmpty == false ? form.file : nil) ?? form.text ?? Data()
                guard !data.isEmpty else { throw HTTPError(.badRequest, message: "choose a CSV file or paste CSV text") }
                let report = try await ProfileController(store: d.store).importCSV(bytes: data)
                let object: [String: Any] = [
                    "title": "Import profiles", "profiles": try await d.store.profileCount(),
                    "report": [
                        "upserted": report.upserted, "rejected": report.rejected, "warningCount": report.warnings.count,
                        "warnings": report.warnings.map { w -> [String: Any] in
                            ["row": w.row, "userId": w.userId ?? "–", "problem": w.problem]
                        },
                        "hasWarnings": !report.warnings.isEmpty,
                    ] as [String: Any],
                ]
                return d.page("profiles_import", object, session: session, nav: "import")
            }
        }
    }

    /// Reads the multipart body.
    /// - Throws: 400 `send the form as multipart/form-data` (no multipart type or boundary); 400
    ///   `the upload could not be read: multipart body: <what is wrong>` (``MultipartBodyProblem``:
    ///   a missing closing boundary, a part without a blank line after its headers or without a name, …).
    static func form(_ request: Request) async throws -> Form {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = boundary(of: type)
        else {
            throw HTTPError(.badRequest, message: "send the form as multipart/form-data (with a boundary parameter)")
        }
        let body = try await request.collectBody(upTo: maxBytes, what: "upload")
        let bytes = Array(body.readableBytesView)
        if let problem = MultipartBodyProblem.describe(bytes, boundary: boundary) {
            throw HTTPError(.badRequest, message: "the upload could not be read: \(problem)")
        }
        do {
            return try FormDataDecoder().decode(Form.self, from: body, boundary: boundary)
        } catch {
            throw HTTPError(.badRequest, message: "the upload could not be read: multipart body: a part could not be read (\(error))")
        }
    }

    /// The `boundary` parameter of a multipart content type, unquoted.
    static func boundary(of contentType: String) -> String? {
        for part in contentType.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                let v = kv[1].hasPrefix("\"") && kv[1].hasSuffix("\"") && kv[1].count >= 2 ? String(kv[1].dropFirst().dropLast()) : kv[1]
                return v.isEmpty ? nil : v
            }
        }
        return nil
    }
}
