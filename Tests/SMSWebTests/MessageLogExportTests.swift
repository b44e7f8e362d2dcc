import CSV
import Foundation
import HummingbirdTesting
import SMSCore
import SMSStoreTestSupport
import SMSTestSupport
import Testing

@testable import SMSWeb

/// The streaming export (`GET /api/v1/campaigns/{id}/messages.csv` / `.ndjson`, issue 17): for
/// random histories (StatsPropertyTests' generator) on both stores, each export equals the JSON
/// route's pages concatenated, for the same filters; the CSV read back by an RFC 4180 reader
/// (CSV.swift's `CSVReader`) gives the item's values in the documented flattening.
@Suite("Message log export equals the JSON pages concatenated")
struct MessageLogExportTests {
    typealias P = StatsPropertyTests

    static let columns = [
        "meta", "campaignId", "userId", "phone", "outcome", "variant", "sentAt", "deliveredAt", "firstClickAt", "convertedAt",
        "segments", "errorCode", "errorDescription", "dispatchReason", "providerMessageId", "clicks",
    ]

    /// Every page of the JSON route, each item as a JSON object.
    static func pages(_ client: any TestClientProtocol, _ query: String, limit: Int) async throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        var cursor: String?
        repeat {
            let r = try await StatsWeb.get(client, "c1/messages?limit=\(limit)" + query + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(r.status == .ok)
            let page = try #require(try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any])
            out += try #require(page["items"] as? [[String: Any]])
            cursor = page["nextCursor"] as? String
        } while cursor != nil
        return out
    }

    /// The CSV cell the documentation promises for a JSON value (written here independently of the
    /// export): `null` empty, numbers plain, text guarded with `'` before `=`, `+`, `-`, `@`, tab,
    /// CR (not the phone), clicks as `link:clicks;…`.
    static func cell(_ key: String, _ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let i as Int: return String(i)
        case let n as NSNumber: return n.stringValue
        case let s as String:
            if key == "phone" || key == "outcome" { return s }
            return s.first.map { "=+-@\t\r".contains($0) } == true ? "'" + s : s
        case let clicks as [[String: Any]]:
            return clicks.map { "\($0["link"] as! Int):\($0["clicks"] as! Int)" }.joined(separator: ";")
        default: return "\(value!)"
        }
    }

    /// A JSON value's bytes with sorted keys, for comparing two decoded values.
    static func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    }

    /// Reads CSV text with CSV.swift's RFC 4180 reader.
    static func rows(_ text: String) throws -> [[String]] {
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var out: [[String]] = []
        while let row = reader.next() { out.append(row) }
        return out
    }

    @Test(arguments: StoreKind.allCases, 0..<6)
    func exportEqualsTheJSONPages(kind: StoreKind, seed: UInt64) async throws {
        let h = P.generate(seed: seed)
        let testStore = try await P.play(kind, h, P.operations(h, seed: seed &* 7 &+ 3))
        try await StatsWeb.withRouter(store: testStore.store) { client in
            var r = SeededRandom(seed: seed &+ 101)
            let outcome = MessageLogOutcome.allCases[r.int(0...(MessageLogOutcome.allCases.count - 1))].rawValue
            let queries = [
                "", "&unmask=true", "&outcome=\(outcome)", "&clicked=true", "&converted=true&unmask=true", "&variant=1",
                "&errorCode=777",
            ]
            for query in queries {
                let want = try await Self.pages(client, query, limit: r.int(1...9))
                // NDJSON: line i is item i.
                let nd = try await StatsWeb.get(client, "c1/messages.ndjson?" + query.dropFirst())
                #expect(nd.status == .ok && nd.headers[.contentType] == "application/x-ndjson")
                #expect(nd.headers[.contentDisposition] == "attachment; filename=\"c1-messages.ndjson\"")
                let text = String(buffer: nd.body)
                #expect(text.isEmpty || text.hasSuffix("\n"))
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                #expect(lines.count == want.count, "seed \(seed) \(query)")
                for (line, item) in zip(lines, want) {
                    #expect(try Self.canonical(try JSONSerialization.jsonObject(with: Data(line.utf8))) == Self.canonical(item), "seed \(seed) \(query)")
                }
                // CSV: header, then one row per item in the documented flattening.
                let csv = try await StatsWeb.get(client, "c1/messages.csv?" + query.dropFirst())
                #expect(csv.status == .ok && csv.headers[.contentType] == "text/csv; charset=utf-8")
                #expect(csv.headers[.contentDisposition] == "attachment; filename=\"c1-messages.csv\"")
                let body = String(buffer: csv.body)
                #expect(body.hasSuffix("\r\n") && !body.hasPrefix("\u{FEFF}"))
                let rows = try Self.rows(body)
                #expect(rows.first == Self.columns)
                #expect(rows.count == want.count + 1, "seed \(seed) \(query)")
                for (row, item) in zip(rows.dropFirst(), want) {
                    #expect(row == Self.columns.map { Self.cell($0, item[$0]) }, "seed \(seed) \(query)")
                }
            }
            // Resuming after a JSON page's cursor: the rest of the log.
            let first = try StatsWeb.decode(MessageLogPropertyTests.Page.self, try await StatsWeb.get(client, "c1/messages?limit=3"))
            if let token = first.nextCursor {
                let all = try await Self.pages(client, "", limit: 50)
                let rest = String(buffer: try await StatsWeb.get(client, "c1/messages.ndjson?cursor=\(token)").body)
                #expect(rest.split(separator: "\n").count == all.count - 3)
            }
        }
        await testStore.close()
    }

    @Test(arguments: StoreKind.allCases)
    func badParametersAndUnknownCampaign(kind: StoreKind) async throws {
        let h = P.generate(seed: 2)
        let testStore = try await P.play(kind, h, P.operations(h, seed: 2))
        try await StatsWeb.withRouter(store: testStore.store) { client in
            for format in ["csv", "ndjson"] {
                let bad = try await StatsWeb.get(client, "c1/messages.\(format)?outcome=bounced")
                #expect(bad.status == .badRequest && StatsWeb.errorMessage(bad).contains("outcome must be one of queued"))
                let flag = try await StatsWeb.get(client, "c1/messages.\(format)?unmask=yes")
                #expect(flag.status == .badRequest && StatsWeb.errorMessage(flag).contains("unmask must be true or false"))
                let cursor = try await StatsWeb.get(client, "c1/messages.\(format)?cursor=bTE6eHl6")
                #expect(cursor.status == .badRequest && StatsWeb.errorMessage(cursor).contains("cursor"))
                let none = try await StatsWeb.get(client, "nope/messages.\(format)")
                #expect(none.status == .notFound && StatsWeb.errorMessage(none) == "unknown campaign 'nope'")
            }
            // A filter that matches nothing: the header alone / an empty body.
            let empty = try await StatsWeb.get(client, "c1/messages.csv?errorCode=nothing-has-this")
            #expect(String(buffer: empty.body) == Self.columns.joined(separator: ",") + "\r\n")
            #expect(String(buffer: try await StatsWeb.get(client, "c1/messages.ndjson?errorCode=nothing-has-this").body).isEmpty)
        }
        await testStore.close()
    }

    /// ``CSVRecordWriter``: random records of commas, quotes, CR, LF, spaces and non-ASCII text
    /// read back by CSV.swift's RFC 4180 reader as the same fields.
    @Test(arguments: 0..<50)
    func recordsReadBack(seed: UInt64) throws {
        var r = SeededRandom(seed: seed)
        let alphabet: [Character] = [",", "\"", "\r", "\n", " ", "a", "Z", "0", "é", "😎", "'", "="]
        var records: [[String]] = []
        for _ in 0..<r.int(1...6) {
            records.append((0..<r.int(2...5)).map { _ in String((0..<r.int(0...8)).map { _ in alphabet[r.int(0...(alphabet.count - 1))] }) })
        }
        var out: [UInt8] = []
        for record in records { CSVRecordWriter.append(record, to: &out) }
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        // CSV.swift's reader drops a last record that is one empty field; none here is.
        #expect(try Self.rows(text) == records.filter { $0 != [""] }, "seed \(seed): \(text.debugDescription)")
    }

    /// Cells that need quoting and cells a spreadsheet would run, read back by Python's `csv`
    /// module (the reference reader, when the test tools are installed) and CSV.swift's reader.
    @Test func quotingAndFormulaCellsReadBack() throws {
        let entry = MessageLogEntry(
            id: 7, meta: "=cmd|' /C calc'!A0", campaignId: "c,1", userId: "u \"quoted\"\r\nnext", phone: "+4915112345678",
            variant: 1, segments: 2, providerMessageId: "-12", state: MessageState(), clicks: [1: 3, 0: 2])
        let item = MessageLogItem(entry, unmask: false)
        let data = Data(MessageLogExport.csv(header: true, [item]))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        #expect(text.contains("\"u \"\"quoted\"\"\r\nnext\""))
        let want = [
            "'=cmd|' /C calc'!A0", "c,1", "u \"quoted\"\r\nnext", PhoneNumber.masked("+4915112345678"), "queued", "1", "", "", "", "",
            "2", "", "", "", "'-12", "0:2;1:3",
        ]
        #expect(try Self.rows(text) == [Self.columns, want])
        if ReferencePython.shouldRun {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("s10e-export-\(UUID().uuidString).csv")
            try data.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let out = try ReferencePython.run(script: "scripts/reference/csv_rows.py", arguments: [file.path])
            #expect(try JSONDecoder().decode([[String]].self, from: out) == [Self.columns, want])
        }
    }
}
