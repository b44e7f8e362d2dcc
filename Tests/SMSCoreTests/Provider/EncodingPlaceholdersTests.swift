import Foundation
import Testing
@testable import SMSCore

@Suite("EncodingPlaceholders")
struct EncodingPlaceholdersTests {
    static let kannel = ["GSM-7": "0", "UCS-2": "2"]

    @Test("a GSM-7 body: GSM-7, false, its parts, Coding from the mapping, UTF-16BE hex")
    func gsm7() {
        let values = EncodingPlaceholders.values(body: "Hello {x}", coding: Self.kannel)
        #expect(values == [
            "Encoding": "GSM-7", "Unicode": "false", "Segments": "1", "Coding": "0",
            "BodyUCS2Hex": "00480065006C006C006F0020007B0078007D", "BodyHex": "48656C6C6F201B28781B29",
        ])
        // GSM 03.38 codes where they differ from ASCII: @ 00, $ 02, _ 11, € 1B 65, ä 7B.
        #expect(EncodingPlaceholders.values(body: "@$_€ä", coding: nil)["BodyHex"] == "0002111B657B")
        // 161 septets: two parts (153 + 8); 80 GSM extension characters = 160 septets: one part.
        #expect(EncodingPlaceholders.values(body: String(repeating: "a", count: 161), coding: nil)["Segments"] == "2")
        #expect(EncodingPlaceholders.values(body: String(repeating: "€", count: 80), coding: nil)["Segments"] == "1")
        #expect(EncodingPlaceholders.values(body: String(repeating: "€", count: 81), coding: nil)["Segments"] == "2")
    }

    @Test("a UCS-2 body: UCS-2, true, parts of 70/67 units, the mapping's UCS-2 value, surrogate pairs in the hex")
    func ucs2() {
        let values = EncodingPlaceholders.values(body: "Zoë 😎", coding: ["GSM-7": "0", "UCS-2": "8"])
        #expect(values == [
            "Encoding": "UCS-2", "Unicode": "true", "Segments": "1", "Coding": "8",
            "BodyUCS2Hex": "005A006F00EB0020D83DDE0E", "BodyHex": "005A006F00EB0020D83DDE0E",
        ])
        #expect(EncodingPlaceholders.values(body: String(repeating: "ж", count: 70), coding: nil)["Segments"] == "1")
        #expect(EncodingPlaceholders.values(body: String(repeating: "ж", count: 71), coding: nil)["Segments"] == "2")
        // No mapping: no Coding value (a template using it cannot be rendered; validation refuses it first).
        #expect(EncodingPlaceholders.values(body: "ж", coding: nil)["Coding"] == nil)
    }

    @Test("GSM 03.38 codes: the 127 default characters are 0x00–0x7F but the escape 0x1B; an extension character is 1B and its code")
    func gsmCodes() {
        #expect(SegmentCounter.gsm7Codes(SegmentCounter.basicCharacters) == (0..<128).filter { $0 != 0x1B }.map { UInt8($0) })
        #expect(SegmentCounter.gsm7Codes(SegmentCounter.extensionCharacters)
            == [0x1B, 0x0A, 0x1B, 0x14, 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x40, 0x1B, 0x65])
        #expect(SegmentCounter.gsm7Codes("Hi 😎") == nil)
        #expect(SegmentCounter.gsm7Codes("") == [])
    }

    @Test("property: $$BodyUCS2Hex is the UTF-16BE bytes of the body, 4 hex digits per code unit")
    func hexRoundTrip() throws {
        var random = SplitMix64(seed: 0xC0D1_16)
        for _ in 0..<500 {
            let length = Int(random.next() % 40)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length {
                let code = UInt32(random.next() % 0x11_0000)
                if let scalar = Unicode.Scalar(code) { scalars.append(scalar) }
            }
            let text = String(scalars)
            let hex = EncodingPlaceholders.ucs2Hex(text)
            #expect(hex.count == text.utf16.count * 4)
            #expect(hex.allSatisfy { "0123456789ABCDEF".contains($0) })
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
                index = next
            }
            let units = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            #expect(String(decoding: units, as: UTF16.self) == text)
        }
    }

    @Test("coding mapping problems: unknown keys, empty values, $$Coding without both keys")
    func problems() {
        #expect(EncodingPlaceholders.problems(coding: Self.kannel, placeholders: ["To", "Coding"]).isEmpty)
        #expect(EncodingPlaceholders.problems(coding: nil, placeholders: ["To", "Body"]).isEmpty)
        #expect(EncodingPlaceholders.problems(coding: ["UCS-2": "8"], placeholders: ["Coding"]) == [
            #"the url or template uses $$Coding: coding must map GSM-7 to the gateway's value, e.g. {"GSM-7": "0", "UCS-2": "8"}"#,
        ])
        #expect(EncodingPlaceholders.problems(coding: ["UCS2": "8", "GSM-7": ""], placeholders: []) == [
            "coding has the key 'UCS2': its keys are GSM-7, UCS-2", "coding.GSM-7 is empty",
        ])
    }

    @Test("a UCS-2 text warns for a provider not told the encoding, not for one with a coding placeholder or detectsEncoding")
    func warning() {
        let provider = ProviderConfig(
            id: "p1", name: "P", method: "GET", url: "http://gw/sendsms?to=$$To&text=$$Body", bodyTemplate: "",
            callbackSecret: "s", createdAt: 0)
        #expect(EncodingPlaceholders.warning(texts: ["Hello", "Hi {{name}}"], provider: provider) == nil)
        let warning = EncodingPlaceholders.warning(texts: ["Hello", "Grüße 😎"], provider: provider)
        #expect(warning?.hasPrefix("the text needs UCS-2 ('😎'), but provider 'p1' is not told the encoding") == true, "\(warning ?? "nil")")
        for template in ["coding=$$Coding", "unicode=$$Unicode", "enc=$$Encoding", "hex-content=$$BodyUCS2Hex"] {
            var told = provider
            told.bodyTemplate = template
            #expect(EncodingPlaceholders.warning(texts: ["😎"], provider: told) == nil, "\(template)")
        }
        var segmentsOnly = provider
        segmentsOnly.bodyTemplate = "parts=$$Segments"
        #expect(EncodingPlaceholders.warning(texts: ["😎"], provider: segmentsOnly) != nil)
        var detecting = provider
        detecting.detectsEncoding = true
        #expect(EncodingPlaceholders.warning(texts: ["😎"], provider: detecting) == nil)
    }
}
