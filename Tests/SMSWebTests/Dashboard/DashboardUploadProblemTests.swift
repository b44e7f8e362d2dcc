import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MultipartKit
import NIOCore
import SMSCore
@testable import SMSWeb
import Testing

/// Issue 12 (a new user's findings): a broken multipart upload (the profile CSV import) says
/// what is wrong (``MultipartBodyProblem``), not MultipartKit's `syntax`; pasted text that is not
/// UTF-8 is refused naming the line.
@Suite("Dashboard upload: a broken multipart body is named")
struct DashboardUploadProblemTests {
    typealias F = DashboardFixture

    static func body(_ lines: [String]) -> [UInt8] { Array(lines.joined(separator: "\r\n").utf8) }

    @Test("each broken body answers what is wrong; nothing is imported")
    func brokenBodies() async throws {
        let (app, store) = try await F.app()
        try await app.test(.router) { client in
            let (cookie, csrf) = try await F.signIn(client)
            let csrfPart = ["--XyZ", "Content-Disposition: form-data; name=\"csrf\"", "", csrf]
            let file = ["--XyZ", "Content-Disposition: form-data; name=\"file\"; filename=\"p.csv\"", "Content-Type: text/csv", "", "userId,phone", "u1,+4915123456789"]
            let cases: [([UInt8], String)] = [
                (Self.body(csrfPart + file + [""]), "the upload could not be read: multipart body: missing closing boundary &#39;--XyZ--&#39; (part 2 is not closed)"),
                (Self.body(csrfPart + ["--XyZ", "Content-Type: text/csv", "", "userId", "--XyZ--", ""]),
                 "the upload could not be read: multipart body: part 2 has no Content-Disposition header naming it (form-data; name=&quot;file&quot;)"),
                (Self.body(["--XyZ", "Content-Disposition: form-data; name=\"csrf\"", csrf, "--XyZ--", ""]),
                 "the upload could not be read: multipart body: part 1 has no blank line (CRLF CRLF) after its headers"),
                (Self.body(["--XyZ", "Content-Disposition form-data", "", csrf, "--XyZ--", ""]),
                 "the upload could not be read: multipart body: part 1: the header line &#39;Content-Disposition form-data&#39; is not &#39;Name: value&#39;"),
                (Self.body(["--Other"] + csrfPart.dropFirst() + ["--Other--", ""]),
                 "the upload could not be read: multipart body: no line starts with the boundary &#39;--XyZ&#39; that Content-Type names"),
                (Self.body(csrfPart + ["--XyZ--", ""]), "the upload has no part named file (a CSV file) or text (pasted CSV)"),
                (Self.body(csrfPart + ["--XyZ", "Content-Disposition: form-data; name=\"text\"", ""]) + Array("\r\nuserId\r\nu".utf8) + [0xFF] + Self.body(["", "--XyZ--", ""]),
                 "the CSV is not valid UTF-8"),
            ]
            for (body, message) in cases {
                try await client.execute(
                    uri: "/profiles/import", method: .post, headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=XyZ"],
                    body: ByteBuffer(bytes: body)
                ) { r in
                    let html = String(buffer: r.body)
                    #expect(r.status == .badRequest, "\(message)")
                    #expect(html.contains(message), "\(message): \(html.prefix(1500))")
                    #expect(!html.contains("syntax"), "\(message)")
                }
            }
            #expect(try await store.profileCount() == 0)
            // The same parts, closed: imported.
            try await client.execute(
                uri: "/profiles/import", method: .post, headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=XyZ"],
                body: ByteBuffer(bytes: Self.body(csrfPart + file + ["--XyZ--", ""]))
            ) { r in #expect(r.status == .ok) }
            #expect(try await store.profileCount() == 1)
        }
    }

    struct Upload: Codable {
        var csrf: String
        var text: String
        var note: String?
    }

    @Test("property: bodies MultipartKit writes are well formed; cut before their close delimiter ends, they are not")
    func encodedBodies() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab,\n\r-–é\"=;: XyZ--")
        for _ in 0..<200 {
            func text() -> String { String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
            let upload = Upload(csrf: text(), text: text(), note: Bool.random(using: &rng) ? text() : nil)
            let boundary = "b" + String(UInt64.random(in: 0...UInt64.max, using: &rng), radix: 36)
            let encoded = Array(try FormDataEncoder().encode(upload, boundary: boundary).utf8)
            #expect(MultipartBodyProblem.describe(encoded, boundary: boundary) == nil, "\(String(decoding: encoded, as: UTF8.self))")
            let close = Array(("--" + boundary + "--").utf8)
            let closeAt = (0...(encoded.count - close.count)).last { encoded[$0..<($0 + close.count)].elementsEqual(close) }!
            let cut = Int.random(in: 0..<(closeAt + close.count - 1), using: &rng)
            #expect(MultipartBodyProblem.describe(Array(encoded[..<cut]), boundary: boundary) != nil, "cut at \(cut)")
        }
    }
}
