import TextTable

/// Plain-text tables for the CLI (TextTable, psql style).
enum TextTables {
    /// Renders `rows` under `headers`; every row has one cell per header.
    static func render(headers: [String], rows: [[String]]) -> String {
        let table = TextTable<[String]> { row in
            headers.indices.map { Column(title: headers[$0], value: $0 < row.count ? row[$0] : "", align: $0 == 0 ? .left : .right) }
        }
        return table.string(for: rows, style: Style.psql) ?? ""
    }
}
