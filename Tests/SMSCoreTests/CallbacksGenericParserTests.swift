import Foundation
import Testing
@testable import SMSCore

/// Generic callback contract parser (`docs/DOMAIN.md` §3 "The callback contract").
@Suite("Generic callback parser")
struct CallbacksGenericParserTests {
    private func parse(_ json: String, maxItems: Int = GenericCallbackParser.defaultMaxItems) throws(CallbackParseError) -> CallbackParseResult {
        try GenericCallbackParser.parse(Data(json.utf8), maxItems: maxItems)
    }

    // MARK: Happy paths

    @Test("all four events parse into exact items, in body order")
    func allFourEventsParse() throws {
        let body = """
            [{"event": "delivered", "data": [{"meta": "m-1", "ts": 1700000000, "description": "ok"}]},
             {"event": "failed",    "data": [{"meta": "m-2", "ts": 1700000005123, "code": 914, "description": "retries"}]},
             {"event": "clicked",   "data": [{"meta": "m-3", "ts": "1700000100", "url": "https://shop.example/p?a=1&b=2", "shorturl": "https://s.example/l/abc"}]},
             {"event": "replied",   "data": [{"meta": "m-4", "ts": 1700000200, "incomingText": "STOP", "toPhone": "+919812345678", "extra": {"x": 1}}]}]
            """
        let result = try parse(body)
        #expect(result.invalid == [])
        #expect(result.items == [
            CallbackItem(kind: .delivered, meta: "m-1", ts: 1_700_000_000, description: "ok"),
            CallbackItem(kind: .failed, meta: "m-2", ts: 1_700_000_005, code: "914", description: "retries"),
            CallbackItem(kind: .clicked, meta: "m-3", ts: 1_700_000_100, url: "https://shop.example/p?a=1&b=2",
                         shortURL: "https://s.example/l/abc"),
            CallbackItem(kind: .replied, meta: "m-4", ts: 1_700_000_200, incomingText: "STOP", toPhone: "+919812345678"),
        ])
    }

    @Test("one group may carry several items and a body several groups of the same event")
    func severalItemsPerGroup() throws {
        let result = try parse("""
            [{"event":"delivered","data":[{"meta":"a","ts":1},{"meta":"b","ts":2}]},{"event":"delivered","data":[{"meta":"c","ts":3}]}]
            """)
        #expect(result.items.map(\.meta) == ["a", "b", "c"])
        #expect(result.items.map(\.ts) == [1, 2, 3])
    }

    @Test("an empty array and empty data arrays give an empty result")
    func emptyBatch() throws {
        #expect(try parse("[]") == CallbackParseResult())
        #expect(try parse(#"[{"event":"delivered","data":[]}]"#) == CallbackParseResult())
    }

    @Test("event names match case-insensitively and ignore surrounding spaces")
    func eventNameCaseInsensitive() throws {
        let result = try parse(#"[{"event":" Delivered ","data":[{"meta":"a","ts":1}]}]"#)
        #expect(result.items == [CallbackItem(kind: .delivered, meta: "a", ts: 1)])
    }

    @Test("ts accepts seconds, milliseconds above 1e12, numeric strings and fractions", arguments: [
        ("1700000000", Int64(1_700_000_000)),
        ("1700000000123", 1_700_000_000),
        (#""1700000000""#, 1_700_000_000),
        (#""1700000000999""#, 1_700_000_000),
        ("1700000000.75", 1_700_000_000),
        (#""1.7e9""#, 1_700_000_000),
        ("1.7e12", 1_700_000_000),
        ("4102444800", 4_102_444_800),
        ("1000000000001", 1_000_000_000),
        ("4102444800000", 4_102_444_800),
        ("0", 0),
    ])
    func timestampForms(tsJSON: String, expected: Int64) throws {
        let result = try parse(#"[{"event":"delivered","data":[{"meta":"a","ts":"# + tsJSON + "}]}]")
        #expect(result.invalid == [])
        #expect(result.items.first?.ts == expected)
    }

    @Test("a numeric failed code becomes its decimal string; string codes are kept with leading zeros")
    func codeForms() throws {
        let result = try parse(#"[{"event":"failed","data":[{"meta":"a","ts":1,"code":30003},{"meta":"b","ts":1,"code":"001"},{"meta":"c","ts":1,"code":914.0}]}]"#)
        #expect(result.items.map(\.code) == ["30003", "001", "914"])
    }

    @Test("incomingText of 600 characters is cut to 512 Characters, never splitting an emoji")
    func incomingTextTrimmedOnCharacters() throws {
        let family = "👨‍👩‍👧"  // one Character, five scalars, 18 UTF-8 bytes
        let text = String(repeating: "😎", count: 300) + String(repeating: "a", count: 211) + family + String(repeating: "b", count: 88)
        #expect(text.count == 600)
        let body = #"[{"event":"replied","data":[{"meta":"a","ts":1,"incomingText":"# + CallbackJSONValue.quoted(text) + "}]}]"
        let item = try #require(try parse(body).items.first)
        let expected = String(repeating: "😎", count: 300) + String(repeating: "a", count: 211) + family
        #expect(item.incomingText == expected)
        #expect(item.incomingText?.count == 512)
        #expect(item.incomingText?.unicodeScalars.last == family.unicodeScalars.last)
    }

    @Test("an empty incomingText is a valid reply")
    func emptyReply() throws {
        let result = try parse(#"[{"event":"replied","data":[{"meta":"a","ts":1,"incomingText":""}]}]"#)
        #expect(result.items == [CallbackItem(kind: .replied, meta: "a", ts: 1, incomingText: "")])
    }

    @Test("optional fields given as numbers are kept as text; other types are dropped")
    func optionalFieldForms() throws {
        let result = try parse(#"[{"event":"replied","data":[{"meta":"a","ts":1,"incomingText":"hi","toPhone":919812345678,"description":{"x":1}}]}]"#)
        #expect(result.items == [CallbackItem(kind: .replied, meta: "a", ts: 1, incomingText: "hi", toPhone: "919812345678")])
    }

    @Test("JSON with extra whitespace and unknown keys parses the same")
    func whitespaceAndUnknownKeys() throws {
        let result = try parse("  [ {\n \"event\" : \"delivered\" , \"v\": 2, \"data\" : [ { \"meta\" : \"a\" , \"ts\" : 5 , \"foo\": [1, null] } ] } ]\n")
        #expect(result.items == [CallbackItem(kind: .delivered, meta: "a", ts: 5)])
    }

    // MARK: Invalid items

    @Test("every missing required field is named exactly", arguments: [
        ("delivered", "{}", ["meta", "ts"]),
        ("delivered", #"{"ts":1}"#, ["meta"]),
        ("delivered", #"{"meta":"a"}"#, ["ts"]),
        ("delivered", #"{"meta":"","ts":1}"#, ["meta"]),
        ("delivered", #"{"meta":"   ","ts":1}"#, ["meta"]),
        ("delivered", #"{"meta":null,"ts":null}"#, ["meta", "ts"]),
        ("delivered", #"{"meta":"a","ts":""}"#, ["ts"]),
        ("failed", #"{"meta":"a","ts":1}"#, ["code"]),
        ("failed", #"{"meta":"a","ts":1,"code":""}"#, ["code"]),
        ("failed", "{}", ["meta", "ts", "code"]),
        ("clicked", #"{"meta":"a","ts":1}"#, ["url"]),
        ("clicked", #"{"meta":"a","ts":1,"url":""}"#, ["url"]),
        ("clicked", #"{"ts":1}"#, ["meta", "url"]),
        ("replied", #"{"meta":"a","ts":1}"#, ["incomingText"]),
        ("replied", #"{"meta":"a","ts":1,"incomingText":null}"#, ["incomingText"]),
        ("replied", "{}", ["meta", "ts", "incomingText"]),
    ])
    func missingFieldsAreNamed(event: String, item: String, missing: [String]) throws {
        let result = try parse(#"[{"event":""# + event + #"","data":["# + item + "]}]")
        #expect(result.items == [])
        #expect(result.invalid.count == 1)
        let invalid = try #require(result.invalid.first)
        #expect(invalid.missingFields == missing)
        #expect(invalid.reason == "missing required fields: " + missing.joined(separator: ", "))
        #expect(invalid.event == event)
        #expect(invalid.group == 0)
        #expect(invalid.index == 0)
    }

    @Test("ill-typed required fields are invalid with a reason and no missing field", arguments: [
        (#"{"meta":"a","ts":"abc"}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got 'abc')"),
        (#"{"meta":"a","ts":"inf"}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got 'inf')"),
        (#"{"meta":"a","ts":"0x10"}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '0x10')"),
        (#"{"meta":"a","ts":" 1700000000 "}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got ' 1700000000 ')"),
        (#"{"meta":"a","ts":"+1700000000"}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '+1700000000')"),
        (#"{"meta":"a","ts":true}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000, as a number or a numeric string (got true)"),
        (#"{"meta":"a","ts":[1]}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000, as a number or a numeric string (got an array)"),
        (#"{"meta":"a","ts":-5}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got -5)"),
        (#"{"meta":"a","ts":1e30}"#, "ts must be epoch seconds from 0 to 4102444800 or epoch milliseconds above 1000000000000 and at most 4102444800000 (got '1e30')"),
        (#"{"meta":123,"ts":1}"#, "meta must be a string, got a number"),
    ])
    func illTypedFields(item: String, reason: String) throws {
        let result = try parse(#"[{"event":"delivered","data":["# + item + "]}]")
        #expect(result.items == [])
        #expect(result.invalid.map(\.reason) == [reason])
        #expect(result.invalid.map(\.missingFields) == [[]])
    }

    @Test("ill-typed failed code and clicked url are reported")
    func illTypedCodeAndURL() throws {
        let result = try parse(#"[{"event":"failed","data":[{"meta":"a","ts":1,"code":true}]},{"event":"clicked","data":[{"ts":1,"url":5}]}]"#)
        #expect(result.invalid.map(\.reason) == [
            "code must be a string or a number, got a boolean",
            "missing required fields: meta; url must be a string, got a number",
        ])
        #expect(result.invalid.map(\.missingFields) == [[], ["meta"]])
    }

    @Test("an invalid item is stored as the bytes that arrived (keys in order, escapes, spacing, numbers as written) inside its group")
    func invalidItemRawIsAsReceived() throws {
        let result = try parse(#"[{"event":"failed","data":[{"ts":1700000000,"meta":"m-9","description":"a \"q\"\n\u00e9", "z":[true,null,1.50,1E2],"b":{"y":1,"x":"é","y":2}}]}]"#)
        let invalid = try #require(result.invalid.first)
        #expect(invalid.raw == Array(#"[{"event":"failed","data":[{"ts":1700000000,"meta":"m-9","description":"a \"q\"\n\u00e9", "z":[true,null,1.50,1E2],"b":{"y":1,"x":"é","y":2}}]}]"#.utf8))
        // The nested key given twice (b.y) is what refuses it (docs/DOMAIN.md §1 "Numbers and keys from outside").
        #expect(invalid.reason == "b.y is given more than once: each key may appear once in an object")
        #expect(invalid.missingFields == [])
    }

    @Test("an unknown event makes each of its items invalid, stored not guessed")
    func unknownEvent() throws {
        let result = try parse(#"[{"event":"sent","data":[{"meta":"a","ts":1},{"meta":"b","ts":2}]}]"#)
        #expect(result.items == [])
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"[{"event":"sent","data":[{"meta":"a","ts":1}]}]"#, event: "sent", reason: "unknown event 'sent'", missingFields: [], group: 0, index: 0),
            InvalidCallbackItem(raw: #"[{"event":"sent","data":[{"meta":"b","ts":2}]}]"#, event: "sent", reason: "unknown event 'sent'", missingFields: [], group: 0, index: 1),
        ])
    }

    /// A group whose event is not a string is one entry for the whole group: stored alone, its item
    /// lost the event and replayed as "missing required fields: event" (found by the callback-json fuzzer).
    @Test("a group without event makes its items invalid with missing field event; an ill-typed event the whole group")
    func missingEvent() throws {
        let result = try parse(#"[{"data":[{"meta":"a","ts":1}]},{"event":7,"data":[{"meta":"b","ts":1}]}]"#)
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"[{"data":[{"meta":"a","ts":1}]}]"#, event: nil, reason: "missing required fields: event", missingFields: ["event"], group: 0, index: 0),
            InvalidCallbackItem(raw: #"[{"event":7,"data":[{"meta":"b","ts":1}]}]"#, event: nil, reason: "event must be a string, got a number", missingFields: [], group: 1, index: nil),
        ])
        let stored = CallbackDialect.storedRaw(result.invalid[1], kind: .generic, fields: nil)
        #expect(stored == Array(#"[{"event":7,"data":[{"meta":"b","ts":1}]}]"#.utf8))
        #expect(try CallbackDialect.reparse(stored, kind: .generic).invalid.map(\.reason) == ["event must be a string, got a number"])
    }

    @Test("a group without a data array is stored whole as one invalid entry")
    func missingOrBadData() throws {
        let result = try parse(#"[{"event":"delivered"},{"event":"delivered","data":{"meta":"a","ts":1}},{"data":null}]"#)
        #expect(result.items == [])
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"[{"event":"delivered"}]"#, event: "delivered", reason: "group has no 'data' array", missingFields: ["data"], group: 0, index: nil),
            InvalidCallbackItem(raw: #"[{"event":"delivered","data":{"meta":"a","ts":1}}]"#, event: "delivered", reason: "'data' must be an array, got an object", missingFields: [], group: 1, index: nil),
            InvalidCallbackItem(raw: #"[{"data":null}]"#, event: nil, reason: "missing required fields: event; group has no 'data' array", missingFields: ["event", "data"], group: 2, index: nil),
        ])
    }

    @Test("a data element that is not an object is an invalid item")
    func itemNotAnObject() throws {
        let result = try parse(#"[{"event":"delivered","data":["x",{"meta":"a","ts":1}]}]"#)
        #expect(result.items == [CallbackItem(kind: .delivered, meta: "a", ts: 1)])
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"[{"event":"delivered","data":["x"]}]"#, event: "delivered", reason: "item must be a JSON object, got a string", missingFields: [], group: 0, index: 0),
        ])
    }

    @Test("a mixed batch applies the valid items and lists the invalid ones with their positions")
    func mixedBatch() throws {
        let result = try parse("""
            [{"event":"delivered","data":[{"meta":"a","ts":1},{"meta":"b"},{"meta":"c","ts":3}]},
             {"event":"failed","data":[{"meta":"d","ts":4}]},
             {"event":"clicked","data":[{"meta":"e","ts":5,"url":"https://x.example"}]}]
            """)
        #expect(result.items == [
            CallbackItem(kind: .delivered, meta: "a", ts: 1),
            CallbackItem(kind: .delivered, meta: "c", ts: 3),
            CallbackItem(kind: .clicked, meta: "e", ts: 5, url: "https://x.example"),
        ])
        #expect(result.invalid == [
            InvalidCallbackItem(raw: #"[{"event":"delivered","data":[{"meta":"b"}]}]"#, event: "delivered", reason: "missing required fields: ts", missingFields: ["ts"], group: 0, index: 1),
            InvalidCallbackItem(raw: #"[{"event":"failed","data":[{"meta":"d","ts":4}]}]"#, event: "failed", reason: "missing required fields: code", missingFields: ["code"], group: 1, index: 0),
        ])
        #expect(!result.isFullyValid)
    }

    // MARK: Whole-body errors

    @Test("malformed JSON throws malformedJSON with a message")
    func malformedJSON() {
        for body in [#"[{"event":"delivered","data":[{"meta":"a""#, "[1,]", "not json", "{'a':1}"] {
            do {
                _ = try parse(body)
                Issue.record("expected malformedJSON for \(body)")
            } catch {
                guard case .malformedJSON(let message) = error else {
                    Issue.record("expected malformedJSON, got \(error)")
                    continue
                }
                #expect(!message.isEmpty)
                #expect(error.description.hasPrefix("the callback body is not valid JSON: "))
            }
        }
    }

    @Test("an empty or blank body is malformed JSON saying it is empty")
    func emptyBody() {
        #expect(throws: CallbackParseError.malformedJSON("the body is empty: expected a JSON value")) { try GenericCallbackParser.parse(Data()) }
        #expect(throws: CallbackParseError.malformedJSON("the body holds no JSON value, only 3 bytes of white space: expected a JSON value")) { try parse(" \n ") }
    }

    @Test("a body that is not an array throws notAnArray", arguments: [
        #"{"event":"delivered","data":[]}"#, #""delivered""#, "42", "null", "true",
    ])
    func notAnArray(body: String) {
        #expect(throws: CallbackParseError.notAnArray) { try parse(body) }
    }

    @Test("an array element that is not a group object throws groupNotAnObject with its index")
    func groupNotAnObject() {
        #expect(throws: CallbackParseError.groupNotAnObject(index: 0)) { try parse("[1]") }
        #expect(throws: CallbackParseError.groupNotAnObject(index: 1)) { try parse(#"[{"event":"delivered","data":[]},[]]"#) }
    }

    /// (A string that is not UTF-8 inside a well-formed batch refuses its item only: CallbacksBatchUTF8Tests.)
    @Test("a body that is not JSON and not UTF-8 throws invalidUTF8", arguments: [
        [0x5B, 0xFF, 0x5D],  // stray 0xFF outside a string
        [0x5B, 0x22, 0xC0, 0xAF],  // overlong "/" in an unterminated string
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate, no JSON value
        [0xFF, 0xFE, 0x5B, 0x00, 0x5D, 0x00],  // UTF-16LE "[]" with its byte order mark
    ] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: CallbackParseError.invalidUTF8) { try GenericCallbackParser.parse(Data(bytes)) }
    }

    @Test("more items than maxItems throws tooManyItems with the count; exactly maxItems is accepted")
    func tooManyItems() throws {
        let body = #"[{"event":"delivered","data":[{"meta":"a","ts":1},{"meta":"b","ts":1}]},{"event":"failed","data":[{"meta":"c","ts":1,"code":"1"}]}]"#
        #expect(throws: CallbackParseError.tooManyItems(3)) { try parse(body, maxItems: 2) }
        #expect(try parse(body, maxItems: 3).items.count == 3)
    }

    @Test("error descriptions say what is wrong", arguments: [
        (CallbackParseError.notAnArray, #"the callback body must be a JSON array of groups like [{"event":"delivered","data":[{...}]}]"#),
        (.notAnObject, "the callback body must be a JSON object"),
        (.groupNotAnObject(index: 2), #"element 2 of the callback body is not a JSON object; each group must look like {"event":"delivered","data":[{...}]}"#),
        (.invalidUTF8, "the callback body is not valid UTF-8"),
        (.tooManyItems(10_001), "the callback body holds 10001 items, more than this endpoint accepts in one request"),
        (.malformedJSON("x"), "the callback body is not valid JSON: x"),
    ])
    func errorDescriptions(error: CallbackParseError, text: String) {
        #expect(error.description == text)
    }

    @Test("the default limits are 10,000 items, 512 characters and the 1e12 ms threshold")
    func defaults() {
        #expect(GenericCallbackParser.defaultMaxItems == 10_000)
        #expect(GenericCallbackParser.maxIncomingTextLength == 512)
        #expect(GenericCallbackParser.millisecondsThreshold == 1_000_000_000_000)
        #expect(GenericCallbackParser.eventKind(for: "sent") == nil)
        #expect(GenericCallbackParser.eventKind(for: "submitted") == nil)
    }
}
