import Foundation
import Testing
@testable import SMSCore

@Suite("ProviderTemplate")
struct ProviderTemplateTests {
    // MARK: Escaping

    struct EscapeCase: Sendable, CustomTestStringConvertible {
        let value: String
        let json: String
        let form: String
        let query: String
        var testDescription: String { value.debugDescription }
    }

    static let escapeCases: [EscapeCase] = [
        EscapeCase(value: #"say "hi""#, json: #"say \"hi\""#, form: "say+%22hi%22", query: "say%20%22hi%22"),
        EscapeCase(value: #"C:\path"#, json: #"C:\\path"#, form: "C%3A%5Cpath", query: "C%3A%5Cpath"),
        EscapeCase(value: "a\nb", json: #"a\nb"#, form: "a%0Ab", query: "a%0Ab"),
        EscapeCase(value: "a\r\n\tb", json: #"a\r\n\tb"#, form: "a%0D%0A%09b", query: "a%0D%0A%09b"),
        EscapeCase(value: "\u{01}\u{1F}\u{08}\u{0C}\u{00}", json: #"\u0001\u001f\b\f\u0000"#,
                   form: "%01%1F%08%0C%00", query: "%01%1F%08%0C%00"),
        EscapeCase(value: "😎", json: "😎", form: "%F0%9F%98%8E", query: "%F0%9F%98%8E"),
        EscapeCase(value: "Grüße €", json: "Grüße €", form: "Gr%C3%BC%C3%9Fe+%E2%82%AC", query: "Gr%C3%BC%C3%9Fe%20%E2%82%AC"),
        EscapeCase(value: "a&b", json: "a&b", form: "a%26b", query: "a%26b"),
        EscapeCase(value: "a&amp;b", json: "a&amp;b", form: "a%26amp%3Bb", query: "a%26amp%3Bb"),
        EscapeCase(value: "1+1", json: "1+1", form: "1%2B1", query: "1%2B1"),
        EscapeCase(value: "100%", json: "100%", form: "100%25", query: "100%25"),
        EscapeCase(value: "%20", json: "%20", form: "%2520", query: "%2520"),
        EscapeCase(value: "a b", json: "a b", form: "a+b", query: "a%20b"),
        EscapeCase(value: "a-b.c_d~e*f", json: "a-b.c_d~e*f", form: "a-b.c_d%7Ee*f", query: "a-b.c_d~e%2Af"),
        EscapeCase(value: "a=b/?#[]", json: "a=b/?#[]", form: "a%3Db%2F%3F%23%5B%5D", query: "a%3Db%2F%3F%23%5B%5D"),
        EscapeCase(value: "</script>", json: "</script>", form: "%3C%2Fscript%3E", query: "%3C%2Fscript%3E"),
        EscapeCase(value: "\u{7F}\u{2028}", json: "\u{7F}\u{2028}", form: "%7F%E2%80%A8", query: "%7F%E2%80%A8"),
        EscapeCase(value: "", json: "", form: "", query: ""),
    ]

    @Test("escapes a value inside a JSON string literal", arguments: escapeCases)
    func jsonEscaping(_ testCase: EscapeCase) throws {
        let rendered = try ProviderTemplate.render(#"{"v":"$$V"}"#, values: ["V": testCase.value], context: .jsonString)
        #expect(rendered == #"{"v":""# + testCase.json + #""}"#)
        #expect(ProviderTemplate.escape(testCase.value, for: .jsonString) == testCase.json)
    }

    @Test("JSON-escaped values parse back to the original value", arguments: escapeCases)
    func jsonRoundTrip(_ testCase: EscapeCase) throws {
        let rendered = try ProviderTemplate.render(#"{"v":"$$V"}"#, values: ["V": testCase.value], context: .jsonString)
        let object = try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: String]
        #expect(object?["v"] == testCase.value)
    }

    @Test("escapes a value as an x-www-form-urlencoded field", arguments: escapeCases)
    func formEscaping(_ testCase: EscapeCase) throws {
        let rendered = try ProviderTemplate.render("v=$$V&x=1", values: ["V": testCase.value], context: .formField)
        #expect(rendered == "v=" + testCase.form + "&x=1")
        #expect(ProviderTemplate.escape(testCase.value, for: .formField) == testCase.form)
    }

    @Test("escapes a value for a URL query with RFC 3986 percent-encoding", arguments: escapeCases)
    func queryEscaping(_ testCase: EscapeCase) throws {
        let rendered = try ProviderTemplate.render("https://api.example/send?v=$$V", values: ["V": testCase.value], context: .urlQuery)
        #expect(rendered == "https://api.example/send?v=" + testCase.query)
        #expect(ProviderTemplate.escape(testCase.value, for: .urlQuery) == testCase.query)
    }

    // MARK: Rendering

    static let message: [String: String] = [
        "To": "+4915112345678",
        "Body": "Hi \"Ann\"\nSale 50% off & more 😎 https://s.example/l/abc",
        "MessageID": "m-1",
    ]

    @Test("renders a JSON body")
    func rendersJSON() throws {
        let rendered = try ProviderTemplate.render(
            #"{"to":"$$To","text":"$$Body","mid":"$$MessageID"}"#, values: Self.message, context: .jsonString)
        #expect(rendered == #"{"to":"+4915112345678","text":"Hi \"Ann\"\nSale 50% off & more 😎 https://s.example/l/abc","mid":"m-1"}"#)
    }

    @Test("quotes a placeholder that stands outside a JSON string", arguments: [
        (#"{"to": $$To, "n": 1}"#, "+49151", #"{"to": "+49151", "n": 1}"#),
        (#"{"to": $$To}"#, #"a"}, "x": {"#, #"{"to": "a\"}, \"x\": {"}"#),
        (#"{"a":"x\"$$To"}"#, "+49", #"{"a":"x\"+49"}"#),
        (#"{"a":"\\","b":$$To}"#, "+49", #"{"a":"\\","b":"+49"}"#),
        (#"["$$To",$$To]"#, "1", #"["1","1"]"#),
    ] as [(String, String, String)])
    func quotesBarePlaceholders(_ template: String, _ to: String, _ expected: String) throws {
        #expect(try ProviderTemplate.render(template, values: ["To": to], context: .jsonString) == expected)
    }

    @Test("renders a form body")
    func rendersForm() throws {
        let rendered = try ProviderTemplate.render(
            "to=$$To&text=$$Body&mid=$$MessageID", values: Self.message, context: .formField)
        #expect(rendered == "to=%2B4915112345678&text=Hi+%22Ann%22%0ASale+50%25+off+%26+more+%F0%9F%98%8E+https%3A%2F%2Fs.example%2Fl%2Fabc&mid=m-1")
    }

    @Test("renders a GET URL")
    func rendersQuery() throws {
        let rendered = try ProviderTemplate.render(
            "https://api.example/send?user=a%20b&to=$$To&text=$$Body", values: Self.message, context: .urlQuery)
        #expect(rendered == "https://api.example/send?user=a%20b&to=%2B4915112345678&text=Hi%20%22Ann%22%0ASale%2050%25%20off%20%26%20more%20%F0%9F%98%8E%20https%3A%2F%2Fs.example%2Fl%2Fabc")
    }

    @Test("renders an endpoint URL: path placeholders as segments, query placeholders as query fields")
    func rendersURLPathAndQuery() throws {
        let values = ["Account": "AC/1 ?#", "To": "+49 151", "Body": "a+b&c=d", "Dots": ".."]
        let rendered = try ProviderTemplate.renderURL(
            "https://api.example/v1/accounts/$$Account/messages/$$Dots?to=$$To&text=$$Body", values: values)
        #expect(rendered == "https://api.example/v1/accounts/AC%2F1%20%3F%23/messages/%2E%2E?to=%2B49%20151&text=a%2Bb%26c%3Dd")
        // A value of dots only is escaped in a path wherever it stands; in a query, dots are never escaped.
        #expect(try ProviderTemplate.renderURL("https://h/x$$Dots/?d=$$Dots", values: values) == "https://h/x%2E%2E/?d=..")
        // No `?`: the whole URL is a path; only the first `?` splits.
        #expect(try ProviderTemplate.renderURL("https://h/$$To", values: values) == "https://h/%2B49%20151")
        #expect(try ProviderTemplate.escape("a/b;c", for: .urlPath) == "a%2Fb%3Bc")
        #expect {
            try ProviderTemplate.renderURL("https://h/$$Missing", values: values)
        } throws: { ($0 as? ProviderTemplateError) == .unknownPlaceholder("Missing") }
    }

    @Test("placeholder names take the longest match and $$ without a letter is literal", arguments: [
        ("$$Body_2 and $$Body", "x and y"),
        ("$$Body2.$$Body", "z.y"),
        ("$$$Body", "$y"),
        ("US$$ 5, $$1, $$_a, $$", "US$$ 5, $$1, $$_a, $$"),
        ("$$Body$$Body", "yy"),
        ("€ $$Body 😎", "€ y 😎"),
    ] as [(String, String)])
    func placeholderSyntax(_ template: String, _ expected: String) throws {
        let values = ["Body": "y", "Body_2": "x", "Body2": "z"]
        #expect(try ProviderTemplate.render(template, values: values, context: .formField) == expected)
    }

    @Test("an unknown placeholder throws with its name", arguments: [
        ("$$To $$Foo", "Foo"),
        ("$$to", "to"),
        ("$$Body_", "Body_"),
    ] as [(String, String)])
    func unknownPlaceholderThrows(_ template: String, _ name: String) {
        #expect(throws: ProviderTemplateError.unknownPlaceholder(name)) {
            try ProviderTemplate.render(template, values: ["To": "1", "Body": "b"], context: .urlQuery)
        }
    }

    @Test("lists placeholders in order, each once", arguments: [
        (#"{"to":"$$To","a":"$$Body","b":"$$To","c":"$$Body_2$$CampaignID"}"#, ["To", "Body", "Body_2", "CampaignID"]),
        ("$$$To $$1x $$ y $$a", ["To", "a"]),
        ("no placeholders", []),
        ("", []),
    ] as [(String, [String])])
    func listsPlaceholders(_ template: String, _ names: [String]) {
        #expect(ProviderTemplate.placeholders(in: template) == names)
    }

    // MARK: Batching

    @Test("renders a batch of 3 records, rest of the template byte for byte")
    func rendersBatchOfThree() throws {
        let template = #"{"sender":"ACME","messages":[{"to":"$$To","text":"$$Body","mid":"$$MessageID"}],"options":{"dlr":true}}"#
        let records: [[String: String]] = [
            ["To": "+4915112345678", "Body": #"Hi "Ann""#, "MessageID": "m1"],
            ["To": "+447700900123", "Body": "Line1\nLine2 & 😎", "MessageID": "m2"],
            ["To": "+14155552671", "Body": #"C:\temp 100%"#, "MessageID": "m3"],
        ]
        let rendered = try ProviderTemplate.renderBatch(jsonTemplate: template, batchKey: "messages", records: records)
        #expect(rendered == #"{"sender":"ACME","messages":[{"to":"+4915112345678","text":"Hi \"Ann\"","mid":"m1"},{"to":"+447700900123","text":"Line1\nLine2 & 😎","mid":"m2"},{"to":"+14155552671","text":"C:\\temp 100%","mid":"m3"}],"options":{"dlr":true}}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any]
        let messages = parsed?["messages"] as? [[String: String]]
        #expect(messages?.map { $0["text"] ?? "" } == [#"Hi "Ann""#, "Line1\nLine2 & 😎", #"C:\temp 100%"#])
    }

    @Test("a pretty-printed batch keeps its layout and renders shared placeholders")
    func rendersPrettyBatch() throws {
        let template = """
        {
          "messages": [
            {"to": "$$To"}
          ],
          "campaign": "$$CampaignID"
        }
        """
        let rendered = try ProviderTemplate.renderBatch(
            jsonTemplate: template, batchKey: "messages",
            records: [["To": "+1"], ["To": "+2"]], sharedValues: ["CampaignID": "c-9"])
        #expect(rendered == """
        {
          "messages": [
            {"to": "+1"},
            {"to": "+2"}
          ],
          "campaign": "c-9"
        }
        """)
    }

    @Test("finds the batch key at any depth, skipping strings that are not keys", arguments: [
        (#"{"payload":{"batch":{"items":[{"n":"$$To"}]}}}"#, "items",
         #"{"payload":{"batch":{"items":[{"n":"a"},{"n":"b"}]}}}"#),
        (#"{"note":"items","x":{"items":[ "$$To" ]}}"#, "items",
         #"{"note":"items","x":{"items":[ "a", "b" ]}}"#),
        (#"{"mess\u0061ges":[{"to":"$$To"}]}"#, "messages",
         #"{"mess\u0061ges":[{"to":"a"},{"to":"b"}]}"#),
        (#"{"text":"[not, the array]","messages":[{"t":"$$To","s":"a,b]"}]}"#, "messages",
         #"{"text":"[not, the array]","messages":[{"t":"a","s":"a,b]"},{"t":"b","s":"a,b]"}]}"#),
        (#"{"messages":[{"to":["$$To","x"],"m":{"a":1,"b":2}}]}"#, "messages",
         #"{"messages":[{"to":["a","x"],"m":{"a":1,"b":2}},{"to":["b","x"],"m":{"a":1,"b":2}}]}"#),
        (#"{"a":[{"messages":[{"to":"$$To"}]}],"messages":[{"other":"x"}]}"#, "messages",
         #"{"a":[{"messages":[{"to":"a"},{"to":"b"}]}],"messages":[{"other":"x"}]}"#),
    ] as [(String, String, String)])
    func findsBatchKey(_ template: String, _ key: String, _ expected: String) throws {
        #expect(try ProviderTemplate.renderBatch(jsonTemplate: template, batchKey: key, records: [["To": "a"], ["To": "b"]]) == expected)
    }

    @Test("zero records give an empty array")
    func emptyBatch() throws {
        #expect(try ProviderTemplate.renderBatch(jsonTemplate: #"{"messages":[{"to":"$$To"}]}"#, batchKey: "messages", records: [])
            == #"{"messages":[]}"#)
    }

    @Test("batch errors", arguments: [
        (#"{"msgs":[{"to":"$$To"}]}"#, ProviderTemplateError.batchKeyNotFound("messages")),
        (#"{"type":"messages"}"#, .batchKeyNotFound("messages")),
        (#"{"messages":[]}"#, .batchArrayMustHaveOneRecord("messages")),
        (#"{"messages":[  ]}"#, .batchArrayMustHaveOneRecord("messages")),
        (#"{"messages":[{"to":"$$To"},{"to":"$$To"}]}"#, .batchArrayMustHaveOneRecord("messages")),
        (#"{"messages":[{"to":"$$To"},]}"#, .batchArrayMustHaveOneRecord("messages")),
        (#"{"messages":{"to":"$$To"}}"#, .invalidTemplate("the value of batch key \"messages\" is not an array")),
        (#"{"messages":[{"to":"$$To}]}"#, .invalidTemplate("unterminated JSON string")),
        (#"{"messages":[{"to":"$$To"}"#, .invalidTemplate("the array of batch key \"messages\" is not closed")),
        (#"{"messages":[{"to":"$$To"]}"#, .invalidTemplate("unbalanced brackets in the array of batch key \"messages\"")),
        (#"{"messages":[{"to":"$$To","x":"$$Nope"}]}"#, .unknownPlaceholder("Nope")),
        (#"{"c":"$$CampaignID","messages":[{"to":"$$To"}]}"#, .unknownPlaceholder("CampaignID")),
    ] as [(String, ProviderTemplateError)])
    func batchErrors(_ template: String, _ error: ProviderTemplateError) {
        #expect(throws: error) {
            try ProviderTemplate.renderBatch(jsonTemplate: template, batchKey: "messages", records: [["To": "+1"]])
        }
    }

    // MARK: Validation

    @Test("accepts templates with $$To and $$Body or $$TemplateID", arguments: [
        (#"{"to":"$$To","text":"$$Body"}"#, Set<String>()),
        (#"{"to":"$$To","tpl":"$$TemplateID","vars":"$$TemplateVariables"}"#, []),
        (#"{"to":"$$To","text":"$$Body","mid":"$$MessageID","c":"$$CampaignID","p":"$$Promo"}"#, ["Promo"]),
        ("https://api.example/send?to=$$To&text=$$Body", []),
        ("https://api.example/v1/$$To/sms $$Body", []),
        ("https://api.example/send?to=$$To text=$$Body", []),
    ] as [(String, Set<String>)])
    func validTemplates(_ template: String, _ allowed: Set<String>) throws {
        try ProviderTemplate.validate(template: template, allowed: allowed)
    }

    @Test("rejects templates with unknown or missing placeholders", arguments: [
        (#"{"to":"$$To","text":"$$Body","p":"$$Promo"}"#, ProviderTemplateError.unknownPlaceholder("Promo")),
        (#"{"x":"$$Nope"}"#, .unknownPlaceholder("Nope")),
        (#"{"text":"$$Body"}"#, .invalidTemplate("$$To (or $$ToDigits) must appear in the url or the template")),
        (#"{"to":"$$To"}"#, .invalidTemplate("$$Body (or $$BodyHex, $$BodyUCS2Hex, $$TemplateID) must appear in the url or the template")),
        (#"{"to":"$$To","text":"$$MessageID"}"#, .invalidTemplate("$$Body (or $$BodyHex, $$BodyUCS2Hex, $$TemplateID) must appear in the url or the template")),
    ] as [(String, ProviderTemplateError)])
    func invalidTemplates(_ template: String, _ error: ProviderTemplateError) {
        #expect(throws: error) {
            try ProviderTemplate.validate(template: template, allowed: [])
        }
    }

    @Test("error messages", arguments: [
        (ProviderTemplateError.unknownPlaceholder("Foo"), "unknown placeholder $$Foo"),
        (.batchKeyNotFound("messages"), "batch key \"messages\" is not an object key of the JSON template"),
        (.batchArrayMustHaveOneRecord("messages"), "the array under batch key \"messages\" must hold exactly one record template"),
        (.invalidTemplate("unterminated JSON string"), "invalid provider template: unterminated JSON string"),
    ] as [(ProviderTemplateError, String)])
    func errorDescriptions(_ error: ProviderTemplateError, _ message: String) {
        #expect(error.description == message)
    }
}
