import Foundation

extension TestStore {
    /// Where `secret` is stored: on SQLite the database file and the WAL, searched byte by byte;
    /// on PostgreSQL every text, varchar, json and bytea column of every table of the store's
    /// schema; and, given `journal`, every file in that click journal directory (its segments,
    /// searched byte by byte). Erasure tests (issue 15) expect none after an erasure.
    public func places(holding secret: String, journal: String? = nil) async throws -> [String] {
        var out: [String] = []
        if let journal {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? [] {
                let file = journal + "/" + name
                if let bytes = try? Data(contentsOf: URL(fileURLWithPath: file)), bytes.range(of: Data(secret.utf8)) != nil {
                    out.append(file)
                }
            }
        }
        switch kind {
        case .sqlite:
            for file in [databaseURL, databaseURL + "-wal"] {
                if let bytes = try? Data(contentsOf: URL(fileURLWithPath: file)), bytes.range(of: Data(secret.utf8)) != nil {
                    out.append(file)
                }
            }
        case .postgres:
            let columns = try await query("""
                SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
                JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                  AND c.data_type IN ('text', 'bytea', 'character varying', 'jsonb', 'json')
                """)
            guard columns.count > 30 else { return out + ["only \(columns.count) text columns found: the search is broken"] }
            for col in columns {
                let table = col["table_name"]?.text ?? "", column = col["column_name"]?.text ?? ""
                let holds = col["data_type"]?.text == "bytea"
                    ? "position(convert_to(?, 'UTF8') in \(column)) > 0" : "strpos(\(column)::text, ?) > 0"
                if let n = try await int("SELECT COUNT(*) FROM \(table) WHERE \(holds)", [.text(secret)]), n > 0 {
                    out.append("\(table).\(column)")
                }
            }
        }
        return out
    }
}
