import CSV
import Foundation
import SMSCore
import Testing

/// The profile import's CSV reader: RFC 4180 with line numbers; malformed files are refused with
/// `line <n>: <problem>`.
@Suite("Profile CSV reader")
struct ProfileCSVTests {
    func failure(_ text: String) -> ProfileCSV.Failure? {
        do {
            _ = try ProfileCSV.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func anUnterminatedQuotedFieldIsRefusedAtTheLineItOpens() {
        let text = "userId,phone,name\nu1,+4915123456789,Ada\nu2,+4915123456780,Bob\nu3,,C\nu4,,D\nu5,,E\nu6,\"+49151,Eve\nu7,,F\n"
        let f = failure(text)
        #expect(f?.line == 7)
        #expect(f?.description == "line 7: unterminated quoted field (field 2 opens with a quote that is never closed)")
    }

    @Test func aRowWithMoreOrFewerFieldsThanTheHeaderIsRefused() {
        #expect(failure("userId,phone,name,city\nu1,+1,A,Paris\nu2,+1,B,Paris,extra\n")?.description == "line 3: 5 fields, header has 4")
        #expect(failure("userId,phone,name,city\nu1,+1,A\n")?.description == "line 2: 3 fields, header has 4")
        #expect(failure("userId,phone\r\nu1,+1\r\nu2\r\n")?.description == "line 3: 1 field, header has 2")
    }

    @Test func textAfterAClosingQuoteIsRefused() {
        #expect(
            failure("userId,name\nu1,\"Ada\"x\n")?.description
                == "line 2: text after the closing quote of field 2 (inside a quoted field write a quote as \"\")")
        // A stray quote that swallows lines until the next quote is reported where it opened.
        #expect(
            failure("userId,name\nu1,\"Ada\nu2,\"Bob\"\n")?.description
                == "line 2: the quoted field 2 that opens here closes on line 3 and is followed by text (is a closing quote missing?)")
    }

    @Test func theHeaderNeedsUniqueNonEmptyNames() {
        #expect(failure("userId,city,city\n")?.description == "line 1: column \"city\" appears twice in the header (columns 2 and 3)")
        #expect(failure("userId,,name\n")?.description == "line 1: column 2 of the header has no name")
        #expect(failure("")?.description == "the CSV is empty: the first line must be a header naming the columns (one of them userId)")
        #expect(failure("\n\r\n")?.line == 0)
    }

    @Test func quotedFieldsSpanLinesAndLaterLinesAreCountedPhysically() throws {
        let text = "\u{FEFF}userId , name,note\r\nu1,\"Ada, \"\"the first\"\"\",\"two\nlines\"\r\n\r\nu2,  Bob  , 5\" screen\nu3,\"\",\n"
        let table = try ProfileCSV.parse(text)
        #expect(table.header == ["userId", "name", "note"])
        #expect(
            table.rows == [
                ProfileCSV.Record(line: 2, fields: ["u1", "Ada, \"the first\"", "two\nlines"]),
                ProfileCSV.Record(line: 5, fields: ["u2", "Bob", "5\" screen"]),
                ProfileCSV.Record(line: 6, fields: ["u3", "", ""]),
            ])
        // A problem after a multi-line field is reported at its physical line.
        #expect(failure("userId,note\nu1,\"a\nb\nc\"\nu2\n")?.description == "line 5: 1 field, header has 2")
    }

    @Test func lineBreaksMayBeCRLFLFOrCRAndATrailingCommaIsAnEmptyField() throws {
        #expect(try ProfileCSV.parse("id,x\ru1,a\ru2,b").rows == [.init(line: 2, fields: ["u1", "a"]), .init(line: 3, fields: ["u2", "b"])])
        #expect(try ProfileCSV.parse("id,x\nu1,").rows == [.init(line: 2, fields: ["u1", ""])])
        #expect(try ProfileCSV.records("a,\"\"\r\n") == [.init(line: 1, fields: ["a", ""])])
    }

    @Test func invalidUTF8IsRefusedWithItsByteOffsetAndLine() throws {
        // "userId,name\nu1,caf" (18 bytes) then 0xE9 (Latin-1 é) at byte offset 18 on line 2.
        let bytes = Array("userId,name\nu1,caf".utf8) + [0xE9, 0x0A]
        #expect(throws: ProfileCSV.Failure(line: 2, problem: "not valid UTF-8 at byte offset 18 (save the file as UTF-8, e.g. \"CSV UTF-8\", and upload it again)")) {
            try ProfileCSV.decode(bytes)
        }
        // A truncated 4-byte sequence at the start.
        #expect((try? ProfileCSV.decode([0xF0, 0x9F, 0x98])) == nil)
        #expect(try ProfileCSV.decode(Array("ü😎\n".utf8)) == "ü😎\n")
    }

    /// Random tables written by CSV.swift's `CSVWriter` (what the export uses) read back field for
    /// field; unquoted fields lose surrounding spaces (the reader trims them).
    @Test(arguments: 0..<40)
    func whatCSVWriterWritesReadsBack(seed: UInt64) throws {
        var rng = Rng(seed: seed)
        let alphabet = ["a", "b", "Z", "1", " ", ",", "\"", "\n", "\r\n", "\r", "é", "😎", "\t", "="]
        let columns = 1 + rng.next(4)
        let rows = (0..<(1 + rng.next(6))).map { _ in
            (0..<columns).map { c -> String in
                let s = (0..<rng.next(6)).map { _ in alphabet[rng.next(alphabet.count)] }.joined()
                return c == 0 ? "u" + s : s  // a record is never an empty line
            }
        }
        let header = (0..<columns).map { "col\($0)" }
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream, newline: rng.next(2) == 0 ? .crlf : .lf)
        for row in [header] + rows { try writer.write(row: row) }
        let data = try #require(stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data)
        let table = try ProfileCSV.parse(String(decoding: data, as: UTF8.self))
        func expected(_ field: String) -> String {
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                ? field : field.trimmingCharacters(in: .whitespaces)
        }
        #expect(table.header == header)
        #expect(table.rows.map(\.fields) == rows.map { $0.map(expected) }, "seed \(seed): \(String(decoding: data, as: UTF8.self).debugDescription)")
        // Lines: each record starts one line after the previous one ends.
        var line = 2
        for (record, row) in zip(table.rows, rows) {
            #expect(record.line == line)
            line += 1 + row.reduce(0) { n, f in n + f.unicodeScalars.filter { $0 == "\n" }.count + f.replacingOccurrences(of: "\r\n", with: "").filter { $0 == "\r" }.count }
        }
    }

    /// SplitMix64, for reproducible random tables.
    struct Rng {
        var state: UInt64
        init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }
}
