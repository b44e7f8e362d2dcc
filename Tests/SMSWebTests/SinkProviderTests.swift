import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SMSSimulator
import Testing

@Suite("Sink provider")
struct SinkProviderTests {
    @Test("records batched and single refs in order, to memory and file, and refuses other bodies")
    func records() async throws {
        var logger = Logger(label: "test.sink")
        logger.logLevel = .critical
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let sink = try SinkProvider(outputPath: file.path, apiKey: "k", logger: logger)
        let port = try await sink.start()
        func post(_ body: String, key: String = "k") async throws -> (Int, String) {
            var r = HTTPClientRequest(url: "http://127.0.0.1:\(port)/sms/send")
            r.method = .POST
            r.headers.add(name: "Authorization", value: "Bearer \(key)")
            r.body = .bytes(ByteBuffer(string: body))
            let response = try await HTTPClient.shared.execute(r, timeout: .seconds(5))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: bytes))
        }
        let batch = try await post(#"{"messages":[{"to":"+1","text":"a","ref":"r1"},{"to":"+2","text":"b","ref":"r\"2"}]}"#)
        #expect(batch.0 == 200)
        #expect(batch.1 == #"{"messages":[{"id":"SINK-1","ref":"r1"},{"id":"SINK-2","ref":"r\"2"}]}"#)
        let single = try await post(#"{"to":"+3","text":"c","ref":"r3"}"#)
        #expect(single.0 == 200)
        #expect(single.1 == #"{"messages":[{"id":"SINK-3","ref":"r3"}]}"#)
        #expect(try await post(#"{"to":"+3","text":"c"}"#).0 == 400)
        #expect(try await post(#"{"messages":[{"to":"+1"}]}"#).0 == 400)
        #expect(try await post(#"{"to":"+3","text":"c","ref":"r4"}"#, key: "wrong").0 == 401)
        #expect(sink.counts().requests == 2)
        #expect(sink.counts().messages == 3)
        #expect(sink.receivedRefs() == ["r1", "r\"2", "r3"])
        #expect(try String(contentsOf: file, encoding: .utf8) == "r1\nr\"2\nr3\n")
        await sink.stop()
    }
}
