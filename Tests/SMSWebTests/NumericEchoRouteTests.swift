import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMSCore
import Testing

/// Issue 12 (a new user's findings, items 2 and 3): a refused number is echoed as the client wrote
/// it (`'1e20'`, `'9223372036854775808'`), never as the `Double` (`1e+20`,
/// `9.223372036854776e+18`), and every numeric field's error names the field and its allowed range,
/// also when the value is not a number at all (`"5"`, `true`, `null`, an object).
@Suite("Numeric errors: the literal as written, the field and its range")
struct NumericEchoRouteTests {
    typealias App = ClickTestApp

    static func call(_ client: some TestClientProtocol, _ uri: String, _ body: String, method: HTTPRequest.Method = .post) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: method, headers: App.auth, body: ByteBuffer(string: body)) {
            ($0.status, InputRangeRouteTests.message($0))
        }
    }

    static let grace = "graceSeconds must be an integer from 0 to 2592000 seconds"
    static let rate = "ratePerSecond must be a number from 0.001 to 10000 messages per second"
    static let concurrency = "maxConcurrency must be an integer from 1 to 64 requests in flight"
    static let batch = "batch.size must be an integer from 1 to 1000 messages per request"
    static let control = "controlGroupPercent must be a number from 0 to 99.99 percent with at most 2 fraction digits"
    static let percent = "variants[0].percent must be a number from 0.01 to 100 percent"
    static let window = "goal.windowMinutes must be an integer from 1 to 5256000 minutes"
    static let sendAt = "sendAt must be an integer from 1 to 4102444800 epoch seconds"

    @Test("rotate-secret: graceSeconds too large, as text, true, null, an object: the literal and the range", arguments: [
        ("1e20", "'1e20'"), ("9223372036854775808", "'9223372036854775808'"), ("100000000000000000000", "'100000000000000000000'"),
        ("-1E+19", "'-1E+19'"), ("1.5", "1.5"), ("2592001", "2592001"), (#""5""#, #""5""#), ("true", "true"), ("{}", "an object"), ("[1]", "an array"),
    ])
    func graceSeconds(value: String, shown: String) async throws {
        let app = try await App()
        try await app.withClient { client in
            let (status, message) = try await Self.call(client, "/api/v1/providers/\(App.providerId)/rotate-secret", #"{"graceSeconds":\#(value)}"#)
            #expect(status == .badRequest)
            #expect(message == "invalid rotation: \(Self.grace) (got \(shown))")
        }
    }

    @Test("provider and campaign numbers given as another JSON type name the field and its range")
    func wrongTypes() async throws {
        let app = try await App()
        try await app.addProfiles(["u1"])
        try await app.withClient { client in
            let provider = "/api/v1/providers/\(App.providerId)"
            for (patch, expected) in [
                (#"{"ratePerSecond":"5"}"#, Self.rate + #" (got "5")"#), (#"{"ratePerSecond":1e20}"#, Self.rate + " (got '1e20')"),
                (#"{"maxConcurrency":true}"#, Self.concurrency + " (got true)"), (#"{"maxConcurrency":1e20}"#, Self.concurrency + " (got '1e20')"),
                (#"{"batch":{"key":"m","size":"2"}}"#, Self.batch + #" (got "2")"#),
                (#"{"batch":{"key":"m","size":12345678901234567890}}"#, Self.batch + " (got '12345678901234567890')"),
            ] {
                let (status, message) = try await Self.call(client, provider, patch, method: .patch)
                #expect(status == .badRequest, "\(patch)")
                #expect(message == "invalid provider: " + expected, "\(patch)")
            }
            let base = #""name":"n","providerId":"\#(App.providerId)","audience":{"userIds":["u1"]}"#
            for (extra, expected) in [
                (#","body":"b","controlGroupPercent":"5""#, Self.control + #" (got "5")"#),
                (#","body":"b","controlGroupPercent":[5]"#, Self.control + " (got an array)"),
                (#","variants":[{"body":"a","percent":"100"}]"#, Self.percent + #" (got "100")"#),
                (#","body":"b","goal":{"event":"e","windowMinutes":"60"}"#, Self.window + #" (got "60")"#),
                (#","body":"b","goal":{"event":"e","windowMinutes":null}"#, Self.window + " (got null)"),
                (#","body":"b","goal":{"event":"e","windowMinutes":1e20}"#, Self.window + " (got '1e20')"),
                (#","body":"b","sendAt":1e20"#, Self.sendAt + " (got '1e20')"),
                (#","body":"b","sendAt":9223372036854775808"#, Self.sendAt + " (got '9223372036854775808')"),
                (#","body":"b","sendAt":true"#, Self.sendAt + " or a date-time text such as 2025-06-01T09:00 (got true)"),
                (#","body":"b","sendAt":{}"#, Self.sendAt + " or a date-time text such as 2025-06-01T09:00 (got an object)"),
            ] {
                let (status, message) = try await Self.call(client, "/api/v1/campaigns", "{" + base + extra + "}")
                #expect(status == .badRequest, "\(extra)")
                #expect(message == "invalid campaign: " + expected, "\(extra)")
            }
        }
        #expect(try await app.store.campaigns().isEmpty)
    }

    @Test("events and callbacks: ts as true or an object names the range; a huge ts and a failed code echo the literal")
    func timestamps() async throws {
        let app = try await App()
        let range = "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000"
        try await app.withClient { client in
            try await client.execute(
                uri: "/api/v1/events", method: .post, headers: App.auth,
                body: ByteBuffer(string: #"[{"eventId":"e1","userId":"u1","name":"p","ts":true},{"eventId":"e2","userId":"u1","name":"p","ts":{}},"#
                    + #"{"eventId":"e3","userId":"u1","name":"p","ts":1e20},{"eventId":"e4","userId":"u1","name":"p","ts":"1e20"}]"#)
            ) { r in
                #expect(r.status == .badRequest)
                let result = try JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: r.body))
                #expect(result["invalid"] == .array([
                    .object(["index": .number(0), "reason": .string(range + ", as a number or a numeric string (got true)")]),
                    .object(["index": .number(1), "reason": .string(range + ", as a number or a numeric string (got an object)")]),
                    .object(["index": .number(2), "reason": .string(range + " (got '1e20')")]),
                    .object(["index": .number(3), "reason": .string(range + " (got '1e20')")]),
                ]))
            }
            try await client.execute(
                uri: "/callbacks/\(App.providerId)?secret=\(App.secret)", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"[{"event":"failed","data":[{"meta":"m1","ts":1700000000,"code":1e20},{"meta":"m2","ts":false,"code":"1"}]}]"#)
            ) { r in
                #expect(r.status == .badRequest)
                let text = String(buffer: r.body)
                #expect(text.contains(#""reason":"code must be a string or an integer, got '1e20'""#), "\(text)")
                #expect(text.contains(#""reason":"\#(range), as a number or a numeric string (got false)""#), "\(text)")
            }
        }
    }
}
