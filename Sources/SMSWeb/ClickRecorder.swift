import Foundation
import SMSCore

/// Group commit for redirect hits: concurrent hits are written together in one store transaction
/// (``SMSStore/recordClicks(_:)``), and each caller resumes only after its hit is committed, so a
/// redirect is answered with its click recorded, as before, at a fraction of the per-transaction
/// cost under load. With no write in flight a hit is written at once (no added wait); while one is
/// in flight, arriving hits queue and go together in the next transaction (at most
/// ``maxBatch`` each).
actor ClickRecorder {
    let store: any SMSStore
    /// Most hits per transaction.
    let maxBatch: Int
    private var pending: [(ClickInput, CheckedContinuation<ShortLinkTarget?, any Error>)] = []
    private var writing = false

    init(store: any SMSStore, maxBatch: Int = 256) {
        self.store = store
        self.maxBatch = maxBatch
    }

    /// Records one hit and returns its target (`nil` for an unknown code), after the commit.
    /// - Throws: the store's error for the whole batch the hit was written with.
    func record(_ click: ClickInput) async throws -> ShortLinkTarget? {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((click, continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                let targets = try await store.recordClicks(batch.map(\.0))
                for (i, item) in batch.enumerated() { item.1.resume(returning: targets[i]) }
            } catch {
                for item in batch { item.1.resume(throwing: error) }
            }
        }
        writing = false
    }
}

/// Lower-case hex of bytes (the IP hash), without `String(format:)`, which is slow on Linux.
enum Hex {
    /// `0`–`9`, `a`–`f` as UTF-8 bytes (also the click journal's checksum and click ids).
    static let digits = Array("0123456789abcdef".utf8)
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
