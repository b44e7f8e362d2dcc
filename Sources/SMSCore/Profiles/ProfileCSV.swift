import Foundation

/// The reader of an uploaded profile CSV (`POST /api/v1/profiles/import` and the dashboard's
/// import page): RFC 4180 with a header row, read whole before anything is stored, so a refused
/// file imports nothing (all or nothing).
///
/// Why not a library: the two CSV packages in the mirror (SwiftCSV, CSV.swift) both accept an
/// unterminated quoted field silently (they run it to the end of the file) and neither reports
/// the line of a problem, which is what a user fixing a spreadsheet needs. This reader is the
/// RFC 4180 grammar plus line numbers; the export still writes with CSV.swift's `CSVWriter`, and
/// a property test reads back what `CSVWriter` wrote.
///
/// Rules (RFC 4180 §2, with the leniencies spreadsheets need):
/// - records end at CRLF, LF or a lone CR; a leading UTF-8 byte-order mark is dropped; empty
///   lines are skipped (a trailing newline is not a record);
/// - a field may be quoted (`"a, ""b"""` is `a, "b"`); a quoted field may span lines; spaces or tabs
///   around a quoted field and around an unquoted one are dropped (spaces inside quotes are kept);
/// - a quote inside an unquoted field is kept as a character (`5" screen`), since it is unambiguous;
/// - every record has as many fields as the header; header names are trimmed, non-empty and
///   unique.
///
/// Line numbers are physical lines of the file, from 1 (the header); a record's line is the line
/// it starts on, and a quoted field's problem is reported at the line where its quote opened.
public enum ProfileCSV {
    /// Why a file was refused; `description` is `line <n>: <problem>`.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Physical line, from 1; 0 when the problem is not on a line (an empty file).
        public var line: Int
        /// What is wrong, as a sentence without the line.
        public var problem: String
        /// Creates a failure.
        public init(line: Int, problem: String) {
            self.line = line
            self.problem = problem
        }
        public var description: String { line > 0 ? "line \(line): \(problem)" : problem }
    }

    /// One record and the line it starts on.
    public struct Record: Equatable, Sendable {
        /// Physical line the record starts on, from 1.
        public var line: Int
        /// The record's fields, unquoted.
        public var fields: [String]
        /// Creates a record.
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// A parsed file: the header (trimmed names) and the data records, each with the header's
    /// field count.
    public struct Table: Equatable, Sendable {
        /// Column names, trimmed.
        public var header: [String]
        /// Data records (the header excluded).
        public var rows: [Record]
        /// Creates a table.
        public init(header: [String], rows: [Record]) {
            self.header = header
            self.rows = rows
        }
    }

    /// The upload's text, or the first byte that is not UTF-8.
    /// - Parameter bytes: the raw upload.
    /// - Throws: ``Failure`` `line <n>: not valid UTF-8 at byte offset <k> …` (offset from 0, the
    ///   first byte of the bad sequence), for a Latin-1 or Windows-1252 export, say.
    public static func decode(_ bytes: some Collection<UInt8>) throws(Failure) -> String {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        var line = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") { line += 1 }
                offset += encoded.count
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            case .error:
                throw Failure(
                    line: line,
                    problem: "not valid UTF-8 at byte offset \(offset) (save the file as UTF-8, e.g. \"CSV UTF-8\", and upload it again)")
            }
        }
    }

    /// Reads a whole file.
    /// - Throws: ``Failure`` for: an empty file; an unterminated quoted field; text after a closing
    ///   quote; a record whose field count differs from the header's; an empty or repeated header
    ///   name.
    public static func parse(_ text: String) throws(Failure) -> Table {
        let records = try records(text)
        guard let first = records.first else {
            throw Failure(line: 0, problem: "the CSV is empty: the first line must be a header naming the columns (one of them userId)")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            guard !name.isEmpty else { throw Failure(line: first.line, problem: "column \(i + 1) of the header has no name") }
            if let earlier = seen[name] {
                throw Failure(line: first.line, problem: "column \"\(name)\" appears twice in the header (columns \(earlier + 1) and \(i + 1))")
            }
            seen[name] = i
        }
        let rows = Array(records.dropFirst())
        for row in rows where row.fields.count != header.count {
            throw Failure(
                line: row.line,
                problem: "\(row.fields.count) field\(row.fields.count == 1 ? "" : "s"), header has \(header.count)")
        }
        return Table(header: header, rows: rows)
    }

    /// The records of `text` with their starting lines (no header handling, no field counts).
    /// - Throws: ``Failure`` for an unterminated quoted field or text after a closing quote.
    public static func records(_ text: String) throws(Failure) -> [Record] {
        let quote: Unicode.Scalar = "\"", comma: Unicode.Scalar = ",", cr: Unicode.Scalar = "\r", lf: Unicode.Scalar = "\n"
        func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }
        // One leading byte order mark is skipped, as by every body reader (``ByteOrderMark``).
        let scalars = Array(ByteOrderMark.skipping(text))
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var recordHasQuote = false
        var i = 0
        let n = scalars.count

        /// Consumes a line break at `i` (CRLF, LF or CR) if there is one.
        func lineBreak() -> Bool {
            guard i < n else { return false }
            if scalars[i] == lf { i += 1; line += 1; return true }
            if scalars[i] == cr {
                i += 1
                if i < n, scalars[i] == lf { i += 1 }
                line += 1
                return true
            }
            return false
        }

        while i < n {
            // Start of a field.
            var j = i
            while j < n, isBlank(scalars[j]) { j += 1 }
            if j < n, scalars[j] == quote {
                let openedAt = line
                recordHasQuote = true
                i = j + 1
                var closed = false
                while i < n {
                    let c = scalars[i]
                    if c == quote {
                        if i + 1 < n, scalars[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        closed = true
                        break
                    }
                    if c == cr || c == lf {
                        if c == cr, i + 1 < n, scalars[i + 1] == lf {  // CRLF: one line break, kept whole
                            field.append(cr)
                            i += 1
                        }
                        line += 1
                    }
                    field.append(scalars[i])
                    i += 1
                }
                guard closed else {
                    throw Failure(
                        line: openedAt,
                        problem: "unterminated quoted field (field \(fields.count + 1) opens with a quote that is never closed)")
                }
                while i < n, isBlank(scalars[i]) { i += 1 }
                if i < n, scalars[i] != comma, scalars[i] != cr, scalars[i] != lf {
                    if openedAt != line {
                        throw Failure(
                            line: openedAt,
                            problem: "the quoted field \(fields.count + 1) that opens here closes on line \(line) and is followed by text (is a closing quote missing?)")
                    }
                    throw Failure(
                        line: line,
                        problem: "text after the closing quote of field \(fields.count + 1) (inside a quoted field write a quote as \"\")")
                }
            } else {
                while i < n, scalars[i] != comma, scalars[i] != cr, scalars[i] != lf {
                    field.append(scalars[i])
                    i += 1
                }
                field = String(String(field).trimmingCharacters(in: .whitespaces)).unicodeScalars
            }
            fields.append(String(field))
            field = String.UnicodeScalarView()
            if i < n, scalars[i] == comma {
                i += 1
                if i == n { fields.append("") }  // a trailing comma ends with an empty field
                continue
            }
            // End of a record (line break or end of input).
            let startLine = recordLine
            _ = lineBreak()
            if !(fields == [""] && !recordHasQuote) {  // an empty (or blank) line is not a record
                records.append(Record(line: startLine, fields: fields))
            }
            fields = []
            recordHasQuote = false
            // Skip empty lines.
            while i < n, scalars[i] == cr || scalars[i] == lf { _ = lineBreak() }
            recordLine = line
        }
        if !fields.isEmpty { records.append(Record(line: recordLine, fields: fields)) }
        return records
    }
}
