import Foundation
import SMSCore

/// Reading one journal segment file at start-up: the complete records after a given offset, the
/// lines that fail their checksum or do not parse, and a torn last record (bytes after the last
/// `\n`: a write cut short by a machine crash, never by a process crash, since a record is one
/// `write(2)`).
struct ClickJournalSegment {
    /// `clicks-<20-digit segment number>.journal`.
    static func fileName(_ segment: Int64) -> String {
        let n = String(segment)
        return "clicks-" + String(repeating: "0", count: max(0, 20 - n.count)) + n + ".journal"
    }

    /// The segment number of a journal file name, `nil` for other files.
    static func number(ofFileName name: String) -> Int64? {
        guard name.hasPrefix("clicks-"), name.hasSuffix(".journal") else { return nil }
        return Int64(name.dropFirst("clicks-".count).dropLast(".journal".count))
    }

    /// The segment files in `directory`, by number.
    static func list(_ directory: URL) throws -> [(number: Int64, url: URL)] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { name in
            number(ofFileName: name).map { ($0, directory.appendingPathComponent(name)) }
        }.sorted { $0.number < $1.number }
    }

    struct Scan {
        /// Complete, valid records, each with the byte offset just past its `\n`.
        var records: [(click: ClickInput, end: Int64)] = []
        /// Complete lines that are not records: byte offset and reason.
        var corrupt: [(offset: Int64, reason: String)] = []
        /// Bytes after the last `\n` (a torn last record), ignored.
        var tornBytes = 0
    }

    /// Scans `bytes` from `start` (a record boundary).
    static func scan(_ bytes: [UInt8], from start: Int) -> Scan {
        var out = Scan()
        var lineStart = start
        var i = start
        while i < bytes.count {
            if bytes[i] == ClickJournalRecord.newline {
                do {
                    out.records.append((try ClickJournalRecord.decode(bytes[lineStart..<i]), Int64(i + 1)))
                } catch {
                    out.corrupt.append((Int64(lineStart), "\(error)"))
                }
                lineStart = i + 1
            }
            i += 1
        }
        out.tornBytes = bytes.count - lineStart
        return out
    }
}
