import Foundation

/// The HTTP answer to a callback request: status code and exact JSON body
/// (`docs/DOMAIN.md` §3 "Responses").
///
/// Bodies are built by hand so the key order is fixed and byte-stable:
/// - 200: `{"status":"success","message":"Callback processed successfully","data":{"processed_events":N,"timestamp":T}}`
///   with `T` in **epoch seconds**.
/// - 400 with invalid items: `{"status":"error","error_code":400,"details":{"missing_fields":[...],"invalid_items":[...],"processed_events":N}}`
///   where `missing_fields` is the union of the items' missing fields in first-seen order and each
///   `invalid_items` entry is `{"group":g,"index":i,"event":"...","reason":"...","missing_fields":[...]}`
///   (`group`, `index`, `event` left out when unknown). `processed_events` tells the provider the
///   valid items of the batch were applied anyway (`docs/DOMAIN.md` §3 Decisions).
/// - 400 for an unreadable body: `{"status":"error","error_code":400,"details":{"missing_fields":[],"message":"..."}}`.
///
/// Dialect acknowledgements that are not JSON (Jasmin's `ACK/Jasmin`) are not built here; see
/// ``JasminCallback/acknowledgement``.
public struct CallbackResponse: Sendable, Equatable {
    /// HTTP status code (200 or 400).
    public let status: Int
    /// The JSON body text.
    public let body: String

    /// Creates a response. Prefer the builders.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    /// The body as UTF-8 bytes.
    public var bodyData: Data { Data(body.utf8) }

    /// 200 success answer.
    /// - Parameters:
    ///   - processedEvents: number of events applied (`N`).
    ///   - timestamp: answer time in epoch **seconds** (`T`).
    public static func success(processedEvents: Int, timestamp: Int64) -> CallbackResponse {
        CallbackResponse(
            status: 200,
            body: #"{"status":"success","message":"Callback processed successfully","data":{"processed_events":"#
                + "\(processedEvents),\"timestamp\":\(timestamp)}}")
    }

    /// 400 answer naming the invalid items of a batch whose valid items were applied.
    /// - Parameters:
    ///   - invalid: the invalid items, in body order.
    ///   - processedEvents: number of valid events applied from the same request.
    public static func invalidItems(_ invalid: [InvalidCallbackItem], processedEvents: Int) -> CallbackResponse {
        var union: [String] = []
        for item in invalid {
            for field in item.missingFields where !union.contains(field) { union.append(field) }
        }
        var body = #"{"status":"error","error_code":400,"details":{"missing_fields":"#
        body += stringArray(union)
        body += #","invalid_items":["#
        for (i, item) in invalid.enumerated() {
            if i > 0 { body += "," }
            var members: [String] = []
            if let group = item.group { members.append("\"group\":\(group)") }
            if let index = item.index { members.append("\"index\":\(index)") }
            if let event = item.event { members.append("\"event\":" + CallbackJSONValue.quoted(event)) }
            members.append("\"reason\":" + CallbackJSONValue.quoted(item.reason))
            members.append("\"missing_fields\":" + stringArray(item.missingFields))
            body += "{" + members.joined(separator: ",") + "}"
        }
        body += "],\"processed_events\":\(processedEvents)}}"
        return CallbackResponse(status: 400, body: body)
    }

    /// 400 answer for a body that could not be read at all (nothing was applied).
    public static func malformedBody(_ error: CallbackParseError) -> CallbackResponse {
        CallbackResponse(
            status: 400,
            body: #"{"status":"error","error_code":400,"details":{"missing_fields":[],"message":"#
                + CallbackJSONValue.quoted(error.description) + "}}")
    }

    /// The answer for a parse result: 200 ``success(processedEvents:timestamp:)`` when nothing was
    /// invalid, else 400 ``invalidItems(_:processedEvents:)``.
    /// - Parameters:
    ///   - result: the parse result.
    ///   - processedEvents: events actually applied; defaults to `result.items.count`.
    ///   - timestamp: answer time in epoch seconds (used by the 200 body only).
    public static func make(for result: CallbackParseResult, processedEvents: Int? = nil, timestamp: Int64) -> CallbackResponse {
        let processed = processedEvents ?? result.items.count
        if result.invalid.isEmpty { return success(processedEvents: processed, timestamp: timestamp) }
        return invalidItems(result.invalid, processedEvents: processed)
    }

    private static func stringArray(_ values: [String]) -> String {
        "[" + values.map(CallbackJSONValue.quoted).joined(separator: ",") + "]"
    }
}
