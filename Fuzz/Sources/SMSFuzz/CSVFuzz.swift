import Foundation
import SMSCore

/// The profile CSV reader (``ProfileCSV``).
///
/// Properties:
/// - `decode` refuses exactly the bytes that are not UTF-8, at the first bad byte's offset and on
///   its line (1 + the line feeds before it); accepted text keeps every byte;
/// - `parse` either returns a table (a non-empty header of trimmed, non-empty, unique names; every
///   row with the header's field count; record lines strictly increasing) or a ``ProfileCSV/Failure``
///   on a line of the file (0 only for an empty file);
/// - the table written back as RFC 4180 (every field quoted) reads back to the same fields;
/// - without quotes the records are the lines: one record per non-blank line (CRLF, LF or CR), on
///   that line, with the line's comma-separated fields trimmed.
enum CSVFuzz {
    static func run(_ bytes: [UInt8]) {
        let valid = String(validating: bytes, as: UTF8.self)
        let text: String
        do {
            text = try ProfileCSV.decode(bytes)
        } catch {
            check(valid == nil, "decode refused valid UTF-8: \(error)")
            guard let range = error.problem.range(of: "byte offset ") else { fail("no byte offset in \(error)") }
            let offset = Int(error.problem[range.upperBound...].prefix { $0.isNumber }) ?? -1
            check(offset >= 0 && offset < bytes.count, "offset \(offset) outside the \(bytes.count)-byte upload")
            check(String(validating: bytes[..<offset], as: UTF8.self) != nil, "the bytes before offset \(offset) are not all valid UTF-8")
            check(String(validating: bytes[..<min(bytes.count, offset + 4)], as: UTF8.self) == nil
                  || String(validating: bytes[..<offset], as: UTF8.self) == nil, "no bad sequence at offset \(offset)")
            let line = 1 + bytes[..<offset].filter { $0 == UInt8(ascii: "\n") }.count
            check(error.line == line, "bad byte at offset \(offset) reported on line \(error.line), it is on line \(line)")
            return
        }
        check(valid != nil, "decode accepted bytes that are not UTF-8")
        check(Array(text.utf8) == bytes, "decode changed the bytes")

        let lines = physicalLines(text)
        let table: ProfileCSV.Table
        do {
            table = try ProfileCSV.parse(text)
        } catch {
            check(error.line >= 0 && error.line <= lines.count, "failure on line \(error.line) of a \(lines.count)-line file: \(error)")
            check(error.line > 0 || lines.allSatisfy(isBlank), "failure without a line for a file that is not empty: \(error)")
            return
        }
        check(!table.header.isEmpty, "a table without a header")
        check(Set(table.header).count == table.header.count, "repeated header names \(table.header)")
        for name in table.header {
            check(!name.isEmpty && name == name.trimmingCharacters(in: .whitespaces), "header name \"\(name)\" is blank or untrimmed")
        }
        var previous = 0
        let records = (try? ProfileCSV.records(text)) ?? []
        check(records.count == table.rows.count + 1, "records() gives \(records.count) records, parse() \(table.rows.count) rows and a header")
        for record in records {
            check(record.line > previous && record.line <= lines.count, "record line \(record.line) after line \(previous) in a \(lines.count)-line file")
            previous = record.line
        }
        for row in table.rows {
            check(row.fields.count == table.header.count, "row on line \(row.line) has \(row.fields.count) fields, header \(table.header.count)")
        }

        let written = write([table.header] + table.rows.map(\.fields))
        do {
            let reread = try ProfileCSV.parse(written)
            check(reread.header == table.header && reread.rows.map(\.fields) == table.rows.map(\.fields),
                  "the table written back reads differently: \(written.debugDescription)")
        } catch {
            fail("the table written back is refused (\(error)): \(written.debugDescription)")
        }

        if !text.unicodeScalars.contains("\"") {
            let expected = lines.enumerated().filter { !isBlank($0.element) }
            check(expected.map { $0.offset + 1 } == records.map(\.line),
                  "record lines \(records.map(\.line)), non-blank lines \(expected.map { $0.offset + 1 })")
            for (record, (_, line)) in zip(records, expected) {
                // Split at the comma scalar, not at Characters: a comma followed by a combining mark
                // (",\u{0611}") is one Character but still a separator (found by this fuzzer).
                let fields = line.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false)
                    .map { String(String.UnicodeScalarView($0)).trimmingCharacters(in: .whitespaces) }
                check(record.fields == fields, "line \(record.line) reads as \(record.fields), its fields are \(fields)")
            }
        }
    }

    /// A line with nothing but spaces (Unicode `Zs`) and tabs.
    static func isBlank(_ line: String) -> Bool { line.trimmingCharacters(in: .whitespaces).isEmpty }

    /// The physical lines (split at CRLF, LF or a lone CR), a leading byte-order mark dropped.
    static func physicalLines(_ text: String) -> [String] {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" || c == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
            } else {
                current.append(c)
            }
            i += 1
        }
        lines.append(String(current))
        return lines
    }

    /// RFC 4180 with every field quoted, records ended by CRLF.
    static func write(_ records: [[String]]) -> String {
        records.map { fields in
            fields.map { field in
                // Quotes doubled scalar by scalar: a quote followed by a combining mark is one Character.
                var quoted = String.UnicodeScalarView()
                for scalar in field.unicodeScalars {
                    if scalar == "\"" { quoted.append(scalar) }
                    quoted.append(scalar)
                }
                return "\"" + String(quoted) + "\""
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }
}
