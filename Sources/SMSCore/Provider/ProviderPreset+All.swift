import Foundation

extension ProviderPreset {
    /// Every preset (`GET /api/v1/provider-presets`), in the order the dashboard lists them. Each
    /// makes the send request its gateway documents (the page in ``docs``; a golden test per preset,
    /// `ProviderPresetGoldenTests`, holds the documented example request). `{{field}}` is a user's
    /// value, `$$Name` a placeholder of each message (`docs/DOMAIN.md` §2 "Placeholders").
    public static let all: [ProviderPreset] = [twilio, vonage, plivo, sinch, gupshup, kannel, jasmin, infobip]

    static let twilio = ProviderPreset(
        kind: "twilio", title: "Twilio Programmable Messaging",
        docs: "https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource",
        note: "Status callbacks come to each message's own callback URL (StatusCallback) and are checked with "
            + "X-Twilio-Signature (the auth token); Twilio chooses GSM-7 or UCS-2 itself.",
        fields: [
            Field("accountSid", "Account SID", help: "AC… on the Twilio console"),
            Field("authToken", "Auth token", secret: true, help: "the account's auth token (also checks X-Twilio-Signature)"),
            Field("from", "From", help: "a Twilio number in E.164 (+15557122661) or an alphanumeric sender id"),
        ],
        provider: Filled(
            name: "Twilio", kind: .twilio, method: "POST",
            url: "https://api.twilio.com/2010-04-01/Accounts/{{accountSid}}/Messages.json", bodyType: "form",
            bodyTemplate: "To=$$To&From={{from}}&Body=$$Body&StatusCallback=$$DlrUrl",
            auth: ProviderAuth(type: .basic, username: "{{accountSid}}", password: "{{authToken}}"),
            messageIdPath: "sid", detectsEncoding: true, webhookSigningKey: "{{authToken}}"))

    static let vonage = ProviderPreset(
        kind: "vonage", title: "Vonage SMS API",
        docs: "https://developer.vonage.com/en/messaging/sms/code-snippets/send-an-sms",
        note: "Delivery receipts come to each message's own callback URL (callback) and carry the message as client-ref; "
            + "UCS-2 text is sent as type=unicode.",
        fields: [
            Field("apiKey", "API key", help: "on the Vonage API dashboard"),
            Field("apiSecret", "API secret", secret: true, help: "on the Vonage API dashboard"),
            Field("from", "From", help: "a Vonage number (447700900000) or an alphanumeric sender id"),
        ],
        provider: Filled(
            name: "Vonage", kind: .vonage, method: "POST", url: "https://rest.nexmo.com/sms/json", bodyType: "form",
            bodyTemplate: "api_key={{apiKey}}&api_secret=$$ApiSecret&from={{from}}&to=$$ToDigits&text=$$Body&type=$$Coding"
                + "&client-ref=$$MessageID&callback=$$DlrUrl",
            messageIdPath: "messages.0.message-id", coding: ["GSM-7": "text", "UCS-2": "unicode"],
            secrets: ["ApiSecret": "{{apiSecret}}"]))

    static let plivo = ProviderPreset(
        kind: "plivo", title: "Plivo Messaging",
        docs: "https://www.plivo.com/docs/messaging/api/message/send-a-message",
        note: "Status callbacks come to each message's own callback URL (url), signed by Plivo (X-Plivo-Signature-V3 "
            + "under the auth token, checked); Plivo chooses GSM-7 or UCS-2 itself.",
        fields: [
            Field("authId", "Auth ID", help: "on the Plivo console"),
            Field("authToken", "Auth token", secret: true, help: "on the Plivo console"),
            Field("src", "Sender (src)", help: "a Plivo number (+14156667777) or an alphanumeric sender id"),
        ],
        provider: Filled(
            name: "Plivo", kind: .plivo, method: "POST", url: "https://api.plivo.com/v1/Account/{{authId}}/Message/",
            bodyType: "json", bodyTemplate: #"{"src":"{{src}}","dst":"$$To","text":"$$Body","url":"$$DlrUrl","method":"POST"}"#,
            auth: ProviderAuth(type: .basic, username: "{{authId}}", password: "{{authToken}}"),
            messageIdPath: "message_uuid.0", detectsEncoding: true, webhookSigningKey: "{{authToken}}"))

    static let sinch = ProviderPreset(
        kind: "sinch", title: "Sinch SMS (REST API)",
        docs: "https://developers.sinch.com/docs/sms/api-reference/sms/tag/Batches/#tag/Batches/operation/SendSMS",
        note: "Per-recipient delivery reports come to each message's own callback URL (callback_url) with the message "
            + "as client_reference; Sinch chooses GSM-7 or UCS-2 itself.",
        fields: [
            Field("servicePlanId", "Service plan ID", help: "on the Sinch dashboard, SMS → APIs"),
            Field("apiToken", "API token", secret: true, help: "the service plan's API token"),
            Field("from", "From", help: "a Sinch number or an alphanumeric sender id"),
            Field("region", "Region", defaultValue: "us", choices: ["us", "eu", "au", "br", "ca"], help: "us, eu, au, br or ca: the host <region>.sms.api.sinch.com"),
        ],
        provider: Filled(
            name: "Sinch", kind: .sinch, method: "POST", url: "https://{{region}}.sms.api.sinch.com/xms/v1/{{servicePlanId}}/batches",
            bodyType: "json",
            bodyTemplate: #"{"from":"{{from}}","to":["$$ToDigits"],"body":"$$Body","delivery_report":"per_recipient","#
                + #""callback_url":"$$DlrUrl","client_reference":"$$MessageID"}"#,
            auth: ProviderAuth(type: .bearer, token: "{{apiToken}}"), messageIdPath: "id", detectsEncoding: true))

    static let gupshup = ProviderPreset(
        kind: "gupshup", title: "Gupshup Enterprise SMS",
        docs: "https://docs.gupshup.io/docs/send-message-to-single-number",
        note: "Gupshup pushes delivery reports to the URL set on its console (paste the callback URL there) and names "
            + "the message by the id of its answer, which is text (success | <number> | <id>): the id is read from it "
            + "(messageIdPattern). UCS-2 text is sent as msg_type=Unicode_Text.",
        fields: [
            Field("userId", "User ID", help: "the account number Gupshup gave you (digits)"),
            Field("password", "Password", secret: true, help: "the password of the Enterprise SMS website"),
        ],
        provider: Filled(
            name: "Gupshup", kind: .gupshup, method: "GET", url: "https://enterprise.smsgupshup.com/GatewayAPI/rest",
            bodyType: "form",
            bodyTemplate: "method=SendMessage&send_to=$$ToDigits&msg=$$Body&msg_type=$$Coding&userid={{userId}}"
                + "&auth_scheme=plain&password=$$Password&v=1.1&format=text",
            messageIdPattern: #"^\s*success\s*\|[^|]*\|\s*(\S+)"#,
            coding: ["GSM-7": "TEXT", "UCS-2": "Unicode_Text"], secrets: ["Password": "{{password}}"]))

    static let kannel = ProviderPreset(
        kind: "kannel", title: "Kannel (smsbox sendsms)",
        docs: "https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html (SMS Push: sendsms)",
        note: "Delivery reports come to each message's own callback URL (dlr-url, dlr-mask=31: delivered, failed, "
            + "buffered, submitted, rejected); UCS-2 text is sent as coding=2 with charset=UTF-8, which Kannel converts. "
            + "For long texts the sendsms-user group needs concatenation = true and max-messages of at least the parts "
            + "(else the parts go as separate SMS); Kannel then reports on the first part only.",
        fields: [
            Field("baseUrl", "smsbox URL", defaultValue: "http://127.0.0.1:13013", verbatim: true,
                  help: "scheme, host and sendsms-port of the smsbox"),
            Field("username", "Username", help: "a sendsms-user of the smsbox"),
            Field("password", "Password", secret: true, help: "that sendsms-user's password"),
            Field("from", "From", help: "the sender number or name"),
        ],
        provider: Filled(
            name: "Kannel", kind: .kannel, method: "GET",
            url: "{{baseUrl}}/cgi-bin/sendsms?username={{username}}&password=$$Password&from={{from}}&to=$$To&text=$$Body"
                + "&coding=$$Coding&charset=UTF-8&dlr-mask=31&dlr-url=$$DlrUrl",
            bodyType: "form", bodyTemplate: "", coding: ["GSM-7": "0", "UCS-2": "2"], secrets: ["Password": "{{password}}"]))

    static let jasmin = ProviderPreset(
        kind: "jasmin", title: "Jasmin SMS gateway (HTTP API)",
        docs: "https://docs.jasminsms.com/en/latest/apis/ja-http/index.html#sending-sms",
        note: "DLRs come to each message's own callback URL (dlr-url) at dlr-level 3, so a submit the SMSC rejects is "
            + "reported too; the text goes as hex-content in its own coding (GSM 03.38 codes with coding=0, UTF-16BE "
            + "with coding=8), since Jasmin sends content as UTF-8 bytes whatever the coding. Jasmin's message id is read "
            + "from its answer (Success \"<id>\").",
        fields: [
            Field("baseUrl", "HTTP API URL", defaultValue: "http://127.0.0.1:1401", verbatim: true,
                  help: "scheme, host and port of Jasmin's HTTP API"),
            Field("username", "Username", help: "a Jasmin user (jCli user -a)"),
            Field("password", "Password", secret: true, help: "that user's password"),
            Field("from", "From", help: "the sender number or name"),
        ],
        provider: Filled(
            name: "Jasmin", kind: .jasmin, method: "POST", url: "{{baseUrl}}/send", bodyType: "form",
            bodyTemplate: "username={{username}}&password=$$Password&to=$$To&from={{from}}&coding=$$Coding&hex-content=$$BodyHex"
                + "&dlr=yes&dlr-url=$$DlrUrl&dlr-level=3&dlr-method=POST",
            messageIdPattern: #"Success "([^"]+)""#,
            coding: ["GSM-7": "0", "UCS-2": "8"], secrets: ["Password": "{{password}}"]))

    static let infobip = ProviderPreset(
        kind: "infobip", title: "Infobip-style JSON (SMS API v2, text/advanced)",
        docs: "https://www.infobip.com/docs/api/channels/sms/sms-messaging/outbound-sms/send-sms-message",
        note: "Messages go in batches of 100, each with the message as its messageId; Infobip chooses GSM-7 or UCS-2 "
            + "itself. Its delivery reports (notifyUrl) are not one of the callback dialects here, so callbacks are "
            + "off: turn them on once a relay posts the generic contract.",
        fields: [
            Field("baseUrl", "Base URL", verbatim: true, help: "your account's API base URL, e.g. https://xxxxx.api.infobip.com"),
            Field("apiKey", "API key", secret: true, help: "sent as Authorization: App <key>"),
            Field("from", "From", help: "the sender number or name"),
        ],
        provider: Filled(
            name: "Infobip", kind: .generic, method: "POST", url: "{{baseUrl}}/sms/2/text/advanced", bodyType: "json",
            bodyTemplate: #"{"messages":[{"destinations":[{"to":"$$ToDigits","messageId":"$$MessageID"}],"from":"{{from}}","text":"$$Body"}]}"#,
            headers: ["Authorization": "App {{apiKey}}"], batch: BatchConfig(key: "messages", size: 100),
            messageIdPath: "messages.*.messageId", detectsEncoding: true, callbacksEnabled: false))
}
