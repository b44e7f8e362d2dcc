import Foundation
import SMSCore
import SMSStoreTestSupport
import Testing

/// Ingestion errors keep their raw input byte for byte (SQLite BLOB, PostgreSQL BYTEA).
@Suite("Ingestion errors: raw bytes stored exactly")
struct IngestionErrorBytesStoreTests {
    static let bodies: [[UInt8]] = [
        Array(#"[{"event":"delivered","data":[{"meta":"ab"#.utf8) + [0x00] + Array(#"cd"}]}]"#.utf8),
        [0xFF, 0xFE] + Array(#"[{"event":"delivered"}]"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
        Array(#"[{"meta":"caf"#.utf8) + [0xE9, 0xC3, 0x28, 0xFF, 0x80] + Array(#""}]"#.utf8),
        Array(0...255).map(UInt8.init) + [0x00, 0x00],
        [],
    ]

    @Test("NUL, UTF-16, invalid UTF-8, all 256 byte values, empty: read back exactly, by list and by id", arguments: StoreKind.allCases)
    func exactBytes(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.recordIngestionErrors(Self.bodies.enumerated().map { i, b in
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "reason \(i)", raw: b, receivedAt: 1_000 + Int64(i))
        })
        let listed = try await t.store.ingestionErrors(limit: 10).sorted { $0.id < $1.id }
        #expect(listed.map(\.raw) == Self.bodies)
        #expect(listed.map(\.reason) == (0..<Self.bodies.count).map { "reason \($0)" })
        for e in listed {
            #expect(try await t.store.ingestionError(id: e.id)?.raw == e.raw)
        }
        await t.close()
    }

    @Test("the body kind a callback was read with is kept; none stays none (rows from before it was kept)", arguments: StoreKind.allCases)
    func bodyKind(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.recordIngestionErrors([
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "a", raw: Array("[x".utf8), receivedAt: 1, bodyKind: .fields),
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "b", raw: Array("{".utf8), receivedAt: 2, bodyKind: .json),
            IngestionErrorInput(source: "events", providerId: nil, reason: "c", raw: Array("{".utf8), receivedAt: 3),
        ])
        let listed = try await t.store.ingestionErrors(limit: 10).sorted { $0.id < $1.id }
        #expect(listed.map(\.bodyKind) == [.fields, .json, nil])
        #expect(try await t.store.ingestionError(id: listed[0].id)?.bodyKind == .fields)
        await t.close()
    }

    @Test("a reason quoting input with U+0000 (\"unknown event 'de<NUL>l'\") is kept whole, U+FFFD in place of the NUL", arguments: StoreKind.allCases)
    func reasonNotCut(kind: StoreKind) async throws {
        let t = try await TestStore.make(kind)
        try await t.store.recordIngestionErrors([
            IngestionErrorInput(source: "callback", providerId: "p1", reason: "unknown event 'de\u{0}l'", raw: [0x00], receivedAt: 1)
        ])
        let e = try #require(try await t.store.ingestionErrors(limit: 1).first)
        #expect(e.reason == "unknown event 'de\u{FFFD}l'")
        #expect(e.raw == [0x00])
        await t.close()
    }
}
