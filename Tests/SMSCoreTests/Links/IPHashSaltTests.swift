import Foundation
import Testing

@testable import SMSCore

/// A generator returning 0, 1, 2, … (one word per byte drawn).
private struct CountingGenerator: RandomNumberGenerator {
    var value: UInt64 = 0
    mutating func next() -> UInt64 {
        defer { value &+= 1 }
        return value
    }
}

/// A generator that always returns the same word.
private struct ConstantGenerator: RandomNumberGenerator {
    let word: UInt64
    mutating func next() -> UInt64 { word }
}

@Suite("IPHashSalt")
struct IPHashSaltTests {
    @Test("a salt is 32 bytes as 64 lowercase hex characters, byte order kept, zero bytes padded")
    func hexOfThirtyTwoBytes() {
        var counting = CountingGenerator()
        #expect(IPHashSalt.generate(using: &counting) == "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        var ones = ConstantGenerator(word: 0xFF)
        #expect(IPHashSalt.generate(using: &ones) == String(repeating: "ff", count: 32))
        // Only the low byte of each word is used.
        var high = ConstantGenerator(word: 0xABCD_EF01_2345_6789)
        #expect(IPHashSalt.generate(using: &high) == String(repeating: "89", count: 32))
    }

    @Test("system salts are 64 hex characters and differ from each other")
    func systemSaltsDiffer() {
        let salts = (0..<20).map { _ in IPHashSalt.generate() }
        #expect(Set(salts).count == 20)
        #expect(salts.allSatisfy { $0.count == 64 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
    }

    /// A settings store in memory, first writer wins.
    actor MemorySettings: SettingsStore {
        var values: [String: String] = [:]
        var writes = 0
        func setting(key: String, insertingIfAbsent candidate: String) async throws -> String {
            if let v = values[key] { return v }
            values[key] = candidate
            writes += 1
            return candidate
        }
    }

    @Test("stored(in:) generates once under ip_hash_salt, then returns the stored value")
    func storedOnce() async throws {
        let settings = MemorySettings()
        let first = try await IPHashSalt.stored(in: settings)
        let second = try await IPHashSalt.stored(in: settings)
        #expect(first == second)
        #expect(await settings.values == ["ip_hash_salt": first])
        #expect(await settings.writes == 1)
    }

    @Test("storedOrGenerated(in:) says generated only for the call that stored the salt")
    func generatedOnlyOnce() async throws {
        let settings = MemorySettings()
        let first = try await IPHashSalt.storedOrGenerated(in: settings)
        let second = try await IPHashSalt.storedOrGenerated(in: settings)
        #expect(first.generated == true)
        #expect(second.generated == false)
        #expect(second.salt == first.salt)
        #expect(first.salt.count == 64)
    }
}
