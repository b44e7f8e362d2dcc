import Foundation
import SMSCore
import SMSGatewayHTTP
import Testing

/// Each preset against the send request its provider documents (issue 16): the documented example
/// request is written out in each test, with the page it comes from; the preset, filled with the
/// example's credentials and sender and sent the example's recipient and text, must make that
/// request (same method, endpoint, authentication and fields with the same values), plus only the
/// fields the preset adds for tracking (callback URL, our message id) and encoding, listed exactly.
@Suite("Provider presets: golden requests from each provider's documentation")
struct ProviderPresetGoldenTests {
    static let base = "https://sms.example.com"

    /// The provider a preset makes (as `POST /api/v1/providers` with `"preset"` stores it, before its id and secret).
    static func provider(_ kind: String, _ fields: [String: String]) throws -> ProviderConfig {
        let preset = try #require(ProviderPreset.named(kind))
        let f = try preset.filled(name: nil, values: fields)
        var p = ProviderConfig(
            id: "prv_golden", name: f.name, kind: f.kind, method: f.method, url: f.url, bodyType: f.bodyType,
            bodyTemplate: f.bodyTemplate, headers: f.headers, batch: f.batch, callbacksEnabled: f.callbacksEnabled,
            callbackSecret: "cbs3cret", messageIdPath: f.messageIdPath, createdAt: 0, webhookSigningKey: f.webhookSigningKey,
            auth: f.auth)
        p.coding = f.coding
        p.messageIdPattern = f.messageIdPattern
        p.detectsEncoding = f.detectsEncoding ? true : nil
        p.secrets = f.secrets.isEmpty ? nil : f.secrets
        return p
    }

    static func request(_ provider: ProviderConfig, to: String, body: String, meta: String = "m1") throws -> ProviderRequest {
        let message = OutboundMessage(messageId: 1, campaignId: "cmp_1", userId: "u1", to: to, body: body, meta: meta)
        return try #require(ProviderRequestBuilder.requests(for: [message], provider: provider, customValues: [:], publicBaseURL: base).first?.request)
    }

    static func dlrUrl(_ provider: ProviderConfig, meta: String = "m1") -> String {
        DeliveryReportURL.make(publicBaseURL: base, provider: provider, meta: meta, mac: HMACSHA256.mac)
    }

    static func basic(_ user: String, _ password: String) -> String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    /// The URL without its query, and its query read as a form (`+` is a space).
    static func split(_ url: String) throws -> (endpoint: String, query: [String: String]) {
        let components = try #require(URLComponents(string: url))
        var endpoint = components
        endpoint.query = nil
        return (try #require(endpoint.string), FormFields.parse(components.percentEncodedQuery ?? ""))
    }

    static func object(_ body: String?) throws -> [String: Any] {
        let text = try #require(body)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("Twilio: create a Message resource")
    func twilio() throws {
        // https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
        //   curl -X POST "https://api.twilio.com/2010-04-01/Accounts/$TWILIO_ACCOUNT_SID/Messages.json" \
        //   --data-urlencode "Body=Hi there" \
        //   --data-urlencode "From=+15557122661" \
        //   --data-urlencode "To=+15558675310" \
        //   -u $TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN
        let sid = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
        let provider = try Self.provider("twilio", ["accountSid": sid, "authToken": "your_auth_token", "from": "+15557122661"])
        let request = try Self.request(provider, to: "+15558675310", body: "Hi there")
        #expect(request.method == "POST")
        #expect(request.url == "https://api.twilio.com/2010-04-01/Accounts/\(sid)/Messages.json")
        #expect(request.headers["Authorization"] == Self.basic(sid, "your_auth_token"))
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(FormFields.parse(request.body ?? "") == [
            "Body": "Hi there", "From": "+15557122661", "To": "+15558675310",
            "StatusCallback": Self.dlrUrl(provider),
        ])
        #expect(provider.webhookSigningKey == "your_auth_token")
        #expect(provider.messageIdPath == "sid")
        #expect(provider.kind == .twilio)
    }

    @Test("Vonage SMS API: send an SMS, with type=unicode for UCS-2 text")
    func vonage() throws {
        // https://developer.vonage.com/en/messaging/sms/code-snippets/send-an-sms
        //   curl -X "POST" "https://rest.nexmo.com/sms/json" \
        //     -d "from=AcmeInc" \
        //     -d "text=A text message sent using the Vonage SMS API" \
        //     -d "to=$TO_NUMBER" \
        //     -d "api_key=$VONAGE_API_KEY" \
        //     -d "api_secret=$VONAGE_API_SECRET"
        let provider = try Self.provider("vonage", ["apiKey": "abcd1234", "apiSecret": "abcdef0123456789", "from": "AcmeInc"])
        let request = try Self.request(provider, to: "+447700900000", body: "A text message sent using the Vonage SMS API")
        #expect(request.method == "POST")
        #expect(request.url == "https://rest.nexmo.com/sms/json")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(FormFields.parse(request.body ?? "") == [
            "from": "AcmeInc", "text": "A text message sent using the Vonage SMS API", "to": "447700900000",
            "api_key": "abcd1234", "api_secret": "abcdef0123456789",
            "type": "text", "client-ref": "m1", "callback": Self.dlrUrl(provider),
        ])
        let unicode = try Self.request(provider, to: "+447700900000", body: "Привет 😎")
        #expect(FormFields.parse(unicode.body ?? "")["type"] == "unicode")
        #expect(provider.messageIdPath == "messages.0.message-id")
        #expect(provider.redacted.secrets == ["ApiSecret": "********"])
        #expect(!provider.bodyTemplate.contains("abcdef0123456789"))
    }

    @Test("Plivo: send a message")
    func plivo() throws {
        // https://www.plivo.com/docs/messaging/api/message/send-a-message
        //   curl -i --user AUTH_ID:AUTH_TOKEN \
        //       -H "Content-Type: application/json" \
        //       -d '{"src": "+14156667777","dst": "+14156667778", "text": "Hello, this is sample text"}' \
        //       https://api.plivo.com/v1/Account/{auth_id}/Message/
        let provider = try Self.provider("plivo", ["authId": "MAXXXXXXXXXXXXXXXXXX", "authToken": "AUTH_TOKEN", "src": "+14156667777"])
        let request = try Self.request(provider, to: "+14156667778", body: "Hello, this is sample text")
        #expect(request.method == "POST")
        #expect(request.url == "https://api.plivo.com/v1/Account/MAXXXXXXXXXXXXXXXXXX/Message/")
        // Plivo signs its callbacks (V3) with the auth token: checked (NativeCallbackSignature).
        #expect(provider.webhookSigningKey == "AUTH_TOKEN")
        #expect(request.headers["Authorization"] == Self.basic("MAXXXXXXXXXXXXXXXXXX", "AUTH_TOKEN"))
        #expect(request.headers["Content-Type"] == "application/json")
        let body = try Self.object(request.body)
        #expect(body as NSDictionary == [
            "src": "+14156667777", "dst": "+14156667778", "text": "Hello, this is sample text",
            "url": Self.dlrUrl(provider), "method": "POST",
        ] as NSDictionary)
        #expect(provider.messageIdPath == "message_uuid.0")
    }

    @Test("Sinch: send a batch (one recipient per message)")
    func sinch() throws {
        // https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/#tag/Batches/operation/SendSMS
        //   curl -X POST \
        //        -H "Authorization: Bearer {TOKEN}" \
        //        -H "Content-Type: application/json"  -d '
        //         { "from": "12345", "to": [ "123456789", "987654321" ], "body": "Hi there! How are you?" }' \
        //     "https://us.sms.api.sinch.com/xms/v1/{SERVICE_PLAN_ID}/batches"
        let provider = try Self.provider("sinch", ["servicePlanId": "SERVICE_PLAN_ID", "apiToken": "TOKEN", "from": "12345"])
        let request = try Self.request(provider, to: "+123456789", body: "Hi there! How are you?")
        #expect(request.method == "POST")
        #expect(request.url == "https://us.sms.api.sinch.com/xms/v1/SERVICE_PLAN_ID/batches")
        #expect(request.headers["Authorization"] == "Bearer TOKEN")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(try Self.object(request.body) as NSDictionary == [
            "from": "12345", "to": ["123456789"], "body": "Hi there! How are you?",
            "delivery_report": "per_recipient", "callback_url": Self.dlrUrl(provider), "client_reference": "m1",
        ] as NSDictionary)
        let eu = try Self.provider("sinch", ["servicePlanId": "SERVICE_PLAN_ID", "apiToken": "TOKEN", "from": "12345", "region": "eu"])
        #expect(eu.url == "https://eu.sms.api.sinch.com/xms/v1/SERVICE_PLAN_ID/batches")
        #expect(provider.messageIdPath == "id")
    }

    @Test("Gupshup Enterprise: send a message to a single number, msg_type Unicode_Text for UCS-2 text")
    func gupshup() throws {
        // https://docs.gupshup.io/docs/send-message-to-single-number
        //   https://enterprise.smsgupshup.com/GatewayAPI/rest?userid=XXXXXX&password=password&send_to=9199xxxxxxxx
        //     &method=SendMessage&msg=Welcome%20to%20SMS%20GupShup%20API&msg_type=TEXT&&auth_scheme=plain&v=1.1&format=text
        let provider = try Self.provider("gupshup", ["userId": "2000012345", "password": "password"])
        let request = try Self.request(provider, to: "+919900000000", body: "Welcome to SMS GupShup API")
        #expect(request.method == "GET")
        #expect(request.body == nil)
        let (endpoint, query) = try Self.split(request.url)
        #expect(endpoint == "https://enterprise.smsgupshup.com/GatewayAPI/rest")
        #expect(query == [
            "userid": "2000012345", "password": "password", "send_to": "919900000000", "method": "SendMessage",
            "msg": "Welcome to SMS GupShup API", "msg_type": "TEXT", "auth_scheme": "plain", "v": "1.1", "format": "text",
        ])
        #expect(try Self.split(Self.request(provider, to: "+919900000000", body: "नमस्ते").url).query["msg_type"] == "Unicode_Text")
    }

    @Test("Kannel: sendsms, coding=2 with charset=UTF-8 for UCS-2 text, the DLR URL per message")
    func kannel() throws {
        // https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html, "SMS Push (send-sms)":
        //   http://smsbox.host.name:13013/cgi-bin/sendsms?username=foo&password=bar&to=0123456&text=Hello+world
        let provider = try Self.provider(
            "kannel", ["baseUrl": "http://smsbox.host.name:13013", "username": "foo", "password": "bar", "from": "12345"])
        let request = try Self.request(provider, to: "0123456", body: "Hello world")
        #expect(request.method == "GET")
        let (endpoint, query) = try Self.split(request.url)
        #expect(endpoint == "http://smsbox.host.name:13013/cgi-bin/sendsms")
        #expect(query == [
            "username": "foo", "password": "bar", "to": "0123456", "text": "Hello world",
            "from": "12345", "coding": "0", "charset": "UTF-8", "dlr-mask": "31", "dlr-url": Self.dlrUrl(provider),
        ])
        #expect(try Self.split(Self.request(provider, to: "0123456", body: "Zoë 😎").url).query["coding"] == "2")
        // The default smsbox URL is the local one.
        #expect(try Self.provider("kannel", ["username": "u", "password": "p", "from": "1"]).url.hasPrefix("http://127.0.0.1:13013/cgi-bin/sendsms?"))
    }

    @Test("Jasmin: /send with the text as hex-content in its own coding, DLRs at level 3 to the message's URL")
    func jasmin() throws {
        // https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#sending-sms
        //   http://127.0.0.1:1401/send?username=foo&password=bar&to=06222172&content=hello
        let provider = try Self.provider("jasmin", ["username": "foo", "password": "bar", "from": "12345"])
        let request = try Self.request(provider, to: "06222172", body: "hello")
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:1401/send")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded")
        // content=hello is sent as its GSM 03.38 codes (68 65 6C 6C 6F) under coding 0.
        #expect(FormFields.parse(request.body ?? "") == [
            "username": "foo", "password": "bar", "to": "06222172", "hex-content": "68656C6C6F",
            "from": "12345", "coding": "0", "dlr": "yes", "dlr-url": Self.dlrUrl(provider), "dlr-level": "3", "dlr-method": "POST",
        ])
        let unicode = FormFields.parse(try Self.request(provider, to: "06222172", body: "Zoë 😎").body ?? "")
        #expect(unicode["coding"] == "8")
        #expect(unicode["hex-content"] == "005A006F00EB0020D83DDE0E")
        // Jasmin answers /send with `Success "<message id>"` (the same page, "HTTP response"): the id is read from it.
        let pattern = try MessageIdPattern(try #require(provider.messageIdPattern))
        #expect(pattern.ids(in: #"Success "07033084-5cfd-4812-90a4-e4d24ffb6e3d""#, count: 1) == ["07033084-5cfd-4812-90a4-e4d24ffb6e3d"])
        #expect(provider.messageIdPath == nil)
    }

    @Test("Infobip-style JSON: send SMS message (text/advanced), batched, our message id as Infobip's messageId")
    func infobip() throws {
        // https://www.infobip.com/docs/api/channels/sms/sms-messaging/outbound-sms/send-sms-message
        //   POST /sms/2/text/advanced HTTP/1.1
        //   Host: {baseUrl}
        //   Authorization: {authorization}            (App <API key>)
        //   Content-Type: application/json
        //   {"messages":[{"destinations":[{"to":"41793026727"}],"from":"InfoSMS","text":"This is a sample message"}]}
        let provider = try Self.provider("infobip", ["baseUrl": "https://xxxxx.api.infobip.com", "apiKey": "003026bbc133714df1834b8638bb496e-8f4b3d9a", "from": "InfoSMS"])
        let request = try Self.request(provider, to: "+41793026727", body: "This is a sample message")
        #expect(request.method == "POST")
        #expect(request.url == "https://xxxxx.api.infobip.com/sms/2/text/advanced")
        #expect(request.headers["Authorization"] == "App 003026bbc133714df1834b8638bb496e-8f4b3d9a")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(try Self.object(request.body) as NSDictionary == [
            "messages": [["destinations": [["to": "41793026727", "messageId": "m1"]], "from": "InfoSMS", "text": "This is a sample message"]],
        ] as NSDictionary)
        #expect(provider.batch == BatchConfig(key: "messages", size: 100))
        #expect(provider.messageIdPath == "messages.*.messageId")
        #expect(provider.callbacksEnabled == false)
    }

    @Test("a user's value lands escaped for its place and never becomes a placeholder")
    func escapedFields() throws {
        let kannel = try Self.provider("kannel", ["username": "a&b=c", "password": "p", "from": "$$Body"])
        let (_, query) = try Self.split(try Self.request(kannel, to: "1", body: "x").url)
        #expect(query["username"] == "a&b=c")
        #expect(query["from"] == "$$Body")
        let plivo = try Self.provider("plivo", ["authId": "a/b", "authToken": "t", "src": "\"$$To\""])
        let request = try Self.request(plivo, to: "+1", body: "x")
        #expect(request.url == "https://api.plivo.com/v1/Account/a%2Fb/Message/")
        #expect(try Self.object(request.body)["src"] as? String == "\"$$To\"")
    }

    @Test("every preset: a known callback dialect, a documented page, its fields named, and filling refuses missing and unknown fields")
    func catalog() throws {
        #expect(ProviderPreset.all.map(\.kind) == ["twilio", "vonage", "plivo", "sinch", "gupshup", "kannel", "jasmin", "infobip"])
        for preset in ProviderPreset.all {
            #expect(preset.docs.hasPrefix("https://"), "\(preset.kind)")
            #expect(!preset.fields.isEmpty)
            #expect(throws: ProviderPreset.FillError.self) { try preset.filled(name: nil, values: [:]) }
        }
        #expect(throws: ProviderPreset.FillError(problems: [
            "fields.sid is not a field of preset 'twilio': its fields are accountSid, authToken, from",
            "fields.authToken is required (Auth token: the account's auth token (also checks X-Twilio-Signature))",
        ])) {
            try ProviderPreset.named("twilio")!.filled(name: "T", values: ["accountSid": "AC1", "from": "+1", "sid": "x"])
        }
    }
}
