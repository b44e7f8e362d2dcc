/// RFC 4180 records appended to a byte buffer, for the streaming message log export
/// (``MessageLogExport``): a field holding a comma, a double quote, CR or LF is quoted with its
/// quotes doubled, every other field is written as it is; fields are joined by `,`, each record
/// ends in CRLF; text is UTF-8.
///
/// Why not CSV.swift's `CSVWriter` (which writes the stats export): it writes through an
/// `OutputStream`, one `write` call per byte, for every cell of every row of an export of any size;
/// this appends to the batch's buffer. The rule is the same (`MessageLogExportTests` reads the output
/// back with CSV.swift's reader and Python's `csv` module).
enum CSVRecordWriter {
    /// Appends one record of `fields` to `out`.
    static func append(_ fields: [String], to out: inout [UInt8]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let bytes = field.utf8
            if bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) {
                out.append(UInt8(ascii: "\""))
                for b in bytes {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: bytes)
            }
        }
        out.append(0x0D)
        out.append(0x0A)
    }
}
