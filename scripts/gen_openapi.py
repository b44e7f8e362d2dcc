#!/usr/bin/env python3
"""Writes Sources/SMSWeb/Resources/openapi.json (the API contract). Edit here, run, commit both."""
import json, pathlib, re

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The numeric ranges the server enforces live once, in Sources/SMSCore/Input/InputLimits.swift
# (`public static let name = InputRange(integer: lo...hi, ...)`); the contract copies them from there.
def read_limits():
    text = (ROOT / "Sources/SMSCore/Input/InputLimits.swift").read_text()
    def num(t):
        t = t.replace("_", "")
        return int(t) if re.fullmatch(r"-?\d+", t) else float(t)
    ranges, constants = {}, {}
    for m in re.finditer(r"public static let (\w+) = InputRange\((integer|number): (-?[\d_.]+)\.\.\.(-?[\d_.]+)([^\n]*)\)\n", text):
        name, kind, lo, hi, rest = m.groups()
        d = {"type": kind, "minimum": num(lo), "maximum": num(hi)}
        if "excludingMinimum: true" in rest: d["exclusiveMinimum"] = True
        if "excludingMaximum: true" in rest: d["exclusiveMaximum"] = True
        fd = re.search(r"fractionDigits: (\d+)", rest)
        if fd: d["description"] = f"at most {fd.group(1)} fraction digits"
        ranges[name] = d
    for m in re.finditer(r"public static let (\w+) = (\d[\d_]*)\n", text):
        constants[m.group(1)] = num(m.group(2))
    return ranges, constants
RANGES, CONSTANTS = read_limits()
# The numeric-text pattern of SMSCore's one reader (DecimalText.plainNumberPattern), read from the source.
PLAIN_NUMBER = re.search(r'plainNumberPattern = #"(.*)"#', (pathlib.Path(__file__).resolve().parent.parent / "Sources/SMSCore/Input/DecimalText.swift").read_text()).group(1)
def rng(name, desc=None, **extra):
    d = dict(RANGES[name], **extra)
    if desc: d["description"] = desc + (", " + RANGES[name]["description"] if "description" in RANGES[name] else "")
    return d

WEBHOOK_EVENTS = ["message.sent", "message.delivered", "message.failed", "message.clicked", "message.replied", "profile.opted_out", "profile.opted_in", "conversion", "campaign.completed"]
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def body(schema, ctype="application/json"): return {"required": True, "content": {ctype: {"schema": schema}}}
def ok(desc, schema=None, code="200", ctype="application/json"):
    r = {"description": desc}
    if schema is not None: r["content"] = {ctype: {"schema": schema}}
    return {code: r}
err = {"description": "error", "content": {"application/json": {"schema": ref("Error")}}}
# The dashboard's pages answer their errors (a wrong sign-in: 401) as HTML pages, not JSON.
html_err = {"description": "error page (HTML)", "content": {"text/html": {"schema": {"type": "string"}}}}
def op(summary, responses, req=None, params=None, auth=True, tags=None, html=False):
    o = {"summary": summary, "responses": {**responses, "4XX": html_err if html else err}}
    if req: o["requestBody"] = req
    if params: o["parameters"] = params
    if not auth: o["security"] = []
    return o
# A path identifier read as text (SMSWeb PathParameter.text: campaign and provider ids, providerId,
# meta, userId) holding a control character is a 400 naming it (docs/DOMAIN.md §1): its pattern says so.
PATH_TEXT_IDS = {"id", "providerId", "meta", "userId"}
def p(name, where="path", schema=None, required=True, desc=None):
    if schema is None and where == "path" and name in PATH_TEXT_IDS:
        schema = {"type": "string", "pattern": r"^[^\x00-\x1F\x7F]*$"}
    d = {"name": name, "in": where, "required": required, "schema": {"type": "string"} if schema is None else schema}
    if desc: d["description"] = desc
    return d
cid = p("id", desc="campaign id")
sid = p("id", schema={"type": "integer", "minimum": 1, "maximum": 9223372036854775807}, desc="segment id, 1 to 9223372036854775807, ASCII digits only (percent-decoded first); anything else is a 400 naming the range, an unknown id a 404")
wid = p("id", schema={"type": "integer", "minimum": 1, "maximum": 9223372036854775807}, desc="webhook subscription id, 1 to 9223372036854775807, ASCII digits only; anything else is a 400 naming the range, an unknown id a 404")
variant = p("variant", "query", rng("variantIndex"), False, "one variant; default all")
limit = p("limit", "query", rng("listLimit", default=CONSTANTS["listLimitDefault"]), False,
  f"rows to return, {RANGES['listLimit']['minimum']}-{RANGES['listLimit']['maximum']} (default {CONSTANTS['listLimitDefault']}); ASCII digits only (no sign, no spaces); anything else is a 400 naming the range (the rule of every list)")
# Names and chosen identifiers: InputLimits.nameLength / identifierLength (Unicode code points).
NAME = {"type": "string", "maxLength": CONSTANTS["nameLength"]}; IDENT = {"type": "string", "maxLength": CONSTANTS["identifierLength"]}
S = {"type": "string"}; I = {"type": "integer"}; N = {"type": "number"}; B = {"type": "boolean"}
# The overview's period (SMSCore OverviewPeriod): whole local days of tz, from and to inclusive.
DATE = {"type": "string", "pattern": r"^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}
period_params = [p("from", "query", DATE, False, f"first local day, YYYY-MM-DD from 1970-01-01 to 2099-12-31 (default: to - 29 days); a date not in the calendar, after to, or a span over {RANGES['overviewDays']['maximum']} days is a 400 naming from"),
  p("to", "query", DATE, False, "last local day (inclusive), YYYY-MM-DD (default: today in tz)"),
  p("tz", "query", S, False, "IANA zone name or UTC (a fixed offset such as GMT+14 is refused: Etc/GMT-14 is its IANA name); default UTC")]
# The message log's filters, cursor and unmask (the JSON pages and the exports).
log_query = [p("cursor", "query", S, False, "nextCursor of the previous page, as given (anything else is a 400)"),
      p("outcome", "query", {"type": "string", "enum": ["queued", "sent", "pending", "delivered", "failed", "dispatch_error", "control"]}, False, "pending: an intermediate receipt came; sent: accepted, no receipt yet"),
      p("clicked", "query", {"type": "string", "enum": ["true", "false"]}, False, "a human clicked a link"),
      p("converted", "query", {"type": "string", "enum": ["true", "false"]}, False, "a conversion is attributed"),
      p("errorCode", "query", S, False, "a failure code or a dispatch reason, exactly"), variant,
      p("unmask", "query", {"type": "string", "enum": ["true", "false"]}, False, "true: the full phone; default masked")]
# `ts` of a callback item and an event: one rule (SMSCore EpochTimestamp).
TS = {"oneOf": [rng("epochSeconds", "epoch seconds (fractions dropped)"), rng("epochMilliseconds", "epoch milliseconds (values above 1e12)"),
  {"type": "string", "pattern": PLAIN_NUMBER, "description": "the same number as text (no spaces, no + sign), same ranges"}],
  "description": "1970-01-01 to 2100-01-01: epoch seconds, or above 1e12 epoch milliseconds, as a number or a numeric string"}
obj = lambda props, req=(): {"type": "object", "properties": props, **({"required": list(req)} if req else {})}
# Free-form numbers (docs/DOMAIN.md §1 "Numbers and keys from outside"): a profile property's numbers
# (any depth) and a segment rule's number value lie within InputLimits.propertyNumber (±2^53) and are
# held exactly by a double as written; an event's property numbers a double does not hold are kept as text.
PN_MAX = RANGES["propertyNumber"]["maximum"]
S_NO_NUL = {"type": "string", "pattern": r"^[^\x00]*$"}
PROPERTY_NUMBER = rng("propertyNumber", f"within ±2^53 (±{PN_MAX}), held exactly as written: an integer beyond it, more digits than a double keeps (17 significant), or a magnitude such as 1e300 is a 400 naming the field; send such a value as a string")
# A property's value: any JSON value; a number at the top level stated with its range (nested arrays and
# objects are free in the contract, the same rule applies to their numbers).
PROPS = {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, PROPERTY_NUMBER, B, {"type": "array"}, {"type": "object"}], "nullable": True}, "description": f"free properties (string, number, boolean, null, arrays, objects); every number, at any depth, is within ±{PN_MAX} and held exactly by a double as written (123456789012345678901234567890, 1e300 and 0.12345678901234567891 are a 400 naming the path: send such a value as a string)"}
# The regions a phone's default region may name: those of the vendored numbering plans.
_phone_metadata = pathlib.Path(__file__).resolve().parent.parent / "Sources/SMSCore/Resources/phone-metadata.json"
REGIONS = sorted(json.loads(_phone_metadata.read_text())["regions"])
region = {"type": "string", "enum": REGIONS, "description": "ISO 3166-1 alpha-2 region (capitals) whose national numbering plan reads a phone written without + (0151 23456789 with DE); a + phone ignores it"}

schemas = {
 "Error": obj({"error": obj({"message": S})}),
 "ProviderInput": obj({"name": NAME, "kind": {"type": "string", "enum": ["generic","twilio","vonage","plivo","sinch","gupshup","kannel","jasmin"]},
   "method": {"type": "string", "enum": ["POST","GET"]}, "url": S, "bodyType": {"type": "string", "enum": ["json","form"]},
   "bodyTemplate": {"type": "string", "description": "$$To, $$Body, $$MessageID, $$CampaignID, $$TemplateID, $$TemplateVariables, $$DlrUrl, $$Coding, $$Unicode, $$Segments, $$Encoding, $$BodyUCS2Hex; $$To and $$Body (or $$BodyUCS2Hex, or $$TemplateID) in the url or here; may be empty for GET"},
   "headers": {"type": "object", "additionalProperties": S, "description": "sent with every request; values of credential headers (Authorization, Cookie, names containing key/token/secret/password/auth/signature/session) are shown back as ********"}, "batch": obj({"key": S, "size": rng("batchSize")}, ["key", "size"]),
   "callbacksEnabled": B, "messageIdPath": {"type": "string", "description": "dotted path into a JSON answer holding the provider's message id, e.g. messages.*.id (* = the message's position in a batch)"},
   "messageIdPattern": {"type": "string", "maxLength": 500, "description": "a regular expression (ICU) with exactly one capture group reading the provider's message id from a text answer, e.g. Success \"([^\"]+)\" for Jasmin; the i-th match is the i-th message of a batch; not with messageIdPath"},
   "messageIdHeader": {"type": "string", "description": "the answer header holding the provider's message id (its value, or messageIdPattern searched in it); not with messageIdPath"},
   "ratePerSecond": rng("ratePerSecond", "messages per second (token bucket); absent = no limit"),
   "webhookSigningKey": {"type": "string", "description": "the key the provider signs its callbacks with; its own signature is then required and checked (stale and replayed ones refused): Twilio: the auth token (X-Twilio-Signature); Plivo: the auth token (X-Plivo-Signature-V3 with its nonce); Vonage: the signature secret (a signed webhook's JWT, HS256 with payload_hash, or the SMS API's sig, HMAC-MD5/SHA1/SHA256/SHA512 or md5hash, with timestamp); Sinch: the callback HMAC secret (x-sinch-webhook-signature over body, nonce and timestamp). Write-only: shown back as ********"},
   "requireSignature": {"type": "boolean", "description": "callbacks must carry X-SMSStats-Signature (the URL secret alone is refused)"},
   "maxConcurrency": rng("maxConcurrency", "requests in flight at once (default 4)"),
   "coding": {"type": "object", "additionalProperties": False, "properties": {k: {"type": "string", "minLength": 1, "pattern": r"^[^\x00-\x1F\x7F]*$"} for k in ["GSM-7", "UCS-2"]}, "description": "the gateway's value for each encoding, filled into $$Coding: keys GSM-7 and UCS-2, e.g. {\"GSM-7\": \"0\", \"UCS-2\": \"2\"} (Kannel), 8 for UCS-2 (Jasmin, SMPP data_coding); both keys when $$Coding is used"},
   "secrets": {"type": "object", "additionalProperties": S, "description": "values of $$Name placeholders that are credentials (a gateway's password in its url or body): name -> value; shown back as ********"},
   "detectsEncoding": {"type": "boolean", "description": "the gateway chooses GSM-7 or UCS-2 from the text itself (Twilio, Plivo, Sinch, Infobip): no warning for UCS-2 campaign text"},
   "auth": ref("ProviderAuth")}, ["name","url","bodyTemplate"]),
 "ProviderAuth": obj({"type": {"type": "string", "enum": ["none","basic","bearer","oauth2"]}, "username": S, "password": S, "token": S,
   "tokenUrl": S, "clientId": S, "clientSecret": S, "scope": S, "clientAuthMethod": {"type": "string", "enum": ["basic","body"]}}, ["type"]),
 "PresetInput": obj({"preset": {"type": "string", "enum": ["twilio","vonage","plivo","sinch","gupshup","kannel","jasmin","infobip"], "description": "a kind of GET /api/v1/provider-presets"},
   "name": NAME, "fields": {"type": "object", "additionalProperties": S, "description": "the preset's fields by name (credentials, sender); a field left out takes its default"},
   "ratePerSecond": rng("ratePerSecond", "messages per second (token bucket); absent = no limit"),
   "maxConcurrency": rng("maxConcurrency", "requests in flight at once (default 4)")}, ["preset"]),
 "ProviderPreset": obj({"kind": S, "title": S, "docs": {"type": "string", "description": "the provider's page documenting the request the preset makes"}, "note": S,
   "fields": {"type": "array", "items": obj({"name": S, "title": S, "secret": B, "required": B, "default": S, "help": S, "choices": {"type": "array", "items": S, "description": "the only values the field takes"}}, ["name", "title", "secret", "required", "help"])},
   "fills": {"type": "object", "description": "the provider fields the preset fills ({{field}} stands for a field's value): name, kind (callback dialect), method, url, bodyType, bodyTemplate, headers, auth, batch, messageIdPath, messageIdPattern, coding, detectsEncoding, callbacksEnabled, webhookSigningKey, secrets"}},
   ["kind", "title", "docs", "note", "fields", "fills"]),
 "Provider": {"allOf": [ref("ProviderInput"), obj({"id": S, "callbackUrl": S, "callbackSecret": S, "createdAt": I,
   "disabled": {"type": "boolean", "description": "true after POST .../disable: no new sends (its messages stay queued), callbacks still accepted; absent = enabled"},
   "previousCallbackSecret": {"type": "string", "description": "present while a rotated secret's grace period may run; always shown as ********"},
   "previousSecretValidUntil": {"type": "integer", "description": "epoch seconds until which the previous callback secret is accepted"},
   "version": {"type": "integer", "description": "1 more with every change (absent = 0); the ETag, for If-Match on PATCH"}})]},
 "RotationInput": obj({"graceSeconds": rng("graceSeconds", "seconds the previous secret is still accepted (default 86400 = 24 h; 0 = refused at once; at most 30 days)")}),
 "SecretRotation": obj({"callbackUrl": S, "callbackSecret": S, "previousSecretValidUntil": {"type": "integer", "description": "epoch seconds; the previous secret is refused from then on"}},
   ["callbackUrl", "callbackSecret", "previousSecretValidUntil"]),
 "ProviderInUse": obj({"error": obj({"message": S}), "campaigns": {"type": "array", "items": obj({"id": S, "name": S}, ["id", "name"])}}, ["error", "campaigns"]),
 "ProfileInput": obj({"userId": IDENT, "phone": S, "name": NAME, "properties": PROPS, "region": ref("Region"),
   "optedOut": {"type": "boolean", "description": "true opts the profile out, false clears an opt-out (as PATCH does); absent keeps the stored state"}}, ["userId"]),
 "Region": region,
 "Profile": obj({"userId": S, "phone": {"type": "string", "nullable": True, "description": "E.164 when phoneValid, else as it was given"},
   "phoneValid": B, "name": {"type": "string", "nullable": True}, "properties": {"type": "object"}, "optedOut": B,
   "country": {"type": "string", "nullable": True, "description": "ISO 3166-1 alpha-2 region of a valid phone (libphonenumber's region_code_for_number); null without one"},
   "messages": {"type": "array", "items": {"$ref": "#/components/schemas/ProfileMessage"}, "description": "only on GET /api/v1/profiles/{userId}: the newest 50, newest first"}},
   ["userId", "phone", "phoneValid", "name", "properties", "optedOut", "country"]),
 "ProfileMessage": obj({"messageId": I, "campaignId": S, "variant": I, "body": S, "segments": I, "createdAt": I,
   "state": {"type": "object", "description": "dispatch status and the times (epoch seconds) of dispatch, receipts and the first click"},
   "outcome": {"type": "string", "enum": ["queued", "dispatch_error", "sent", "submitted", "failed", "delivered", "control"]}},
   ["messageId", "campaignId", "variant", "body", "segments", "createdAt", "state", "outcome"]),
 "ProfilePage": obj({"profiles": {"type": "array", "items": {"$ref": "#/components/schemas/Profile"}},
   "nextCursor": {"type": "string", "nullable": True, "description": "pass as cursor for the next page; null at the end"}}, ["profiles", "nextCursor"]),
 "ProfilePatch": {**obj({"phone": S, "region": ref("Region"), "name": NAME, "properties": {**PROPS, "description": "merged: a key set to null is removed; " + PROPS["description"] + " (judged in what the PATCH gives, not in properties stored before)"}, "optedOut": B}), "additionalProperties": False},
 "SegmentRule": obj({"field": {"type": "string", "pattern": "^(country|optedOut|properties\\..+)$", "description": "properties.<name>, country (ISO 3166-1 alpha-2 of the valid phone) or optedOut"},
   "op": {"type": "string", "enum": ["eq", "ne", "in", "exists", "gt", "gte", "lt", "lte"], "description": "country: eq, ne, in, exists; optedOut: eq, ne, exists"},
   "value": {"anyOf": [S_NO_NUL, PROPERTY_NUMBER, B, {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"anyOf": [S_NO_NUL, PROPERTY_NUMBER, B]}}], "nullable": True,
     "description": f"eq/ne: a string, number or boolean (country: a region, optedOut: a boolean); in: a non-empty array of those; exists: true (default) or false; gt/gte/lt/lte: a number or an ISO 8601 date-time. A number lies within ±{PN_MAX}, held exactly as written (a long id goes as a string, compared as text). A comparison of values of different types is no match, never an error"}},
   ["field", "op"]),
 "SegmentInput": obj({"name": NAME, "match": {"type": "string", "enum": ["all", "any"], "description": "default all"},
   "rules": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/SegmentRule"}}}, ["name", "rules"]),
 "SegmentPatch": {**obj({"name": NAME, "match": {"type": "string", "enum": ["all", "any"]},
   "rules": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/SegmentRule"}}}), "additionalProperties": False},
 "Segment": obj({"id": I, "name": S, "match": {"type": "string", "enum": ["all", "any"]}, "rules": {"type": "array", "items": {"$ref": "#/components/schemas/SegmentRule"}},
   "createdAt": I, "updatedAt": I}, ["id", "name", "match", "rules", "createdAt", "updatedAt"]),
 "WebhookInput": obj({"url": {"type": "string", "maxLength": 2000, "pattern": "^[hH][tT][tT][pP][sS]?://[^\\s#]+$", "description": "an absolute http or https URL with a host and no fragment"},
   "events": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": WEBHOOK_EVENTS}},
   "campaignId": {"type": "string", "nullable": True, "description": "only this campaign's events (an existing campaign); null or absent: every campaign's"},
   "enabled": {"type": "boolean", "description": "default true; false pauses deliveries (events still queue); true re-enables one a receiver's 410 disabled"}}, ["url", "events"]),
 "WebhookPatch": {**obj({"url": {"type": "string", "maxLength": 2000, "pattern": "^[hH][tT][tT][pP][sS]?://[^\\s#]+$"},
   "events": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": WEBHOOK_EVENTS}},
   "campaignId": {"type": "string", "nullable": True}, "enabled": B}), "additionalProperties": False},
 "WebhookDeliveries": obj({"lastStatus": {"type": "integer", "nullable": True, "description": "HTTP status of the last delivery request; null before the first or when it got no answer"},
   "lastError": {"type": "string", "nullable": True}, "lastAttemptAt": {"type": "integer", "nullable": True, "description": "epoch seconds"},
   "lastLatencyMs": {"type": "integer", "nullable": True, "description": "milliseconds"}, "consecutiveFailures": I, "failedAttempts": I,
   "deliveredEvents": I, "queueDepth": {"type": "integer", "description": "events waiting"}, "failedEvents": {"type": "integer", "description": "events given up after 24 h of retries (replayable)"}},
   ["consecutiveFailures", "failedAttempts", "deliveredEvents", "queueDepth", "failedEvents"]),
 "WebhookEvent": obj({"eventId": S, "type": {"type": "string", "enum": WEBHOOK_EVENTS}, "meta": {"type": "string", "nullable": True}, "campaignId": {"type": "string", "nullable": True},
   "version": {"type": "integer", "description": "the message's state version at the event: greater for a later change of the same message"}, "occurredAt": I, "queuedAt": I, "attempts": I,
   "status": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "lastError": {"type": "string", "nullable": True}, "deliveredAt": {"type": "integer", "nullable": True}},
   ["eventId", "type", "meta", "campaignId", "version", "occurredAt", "queuedAt", "attempts", "status", "lastError", "deliveredAt"]),
 "Webhook": obj({"id": I, "url": S, "events": {"type": "array", "items": {"type": "string", "enum": WEBHOOK_EVENTS}},
   "campaignId": {"type": "string", "nullable": True}, "enabled": B, "disabledReason": {"type": "string", "nullable": True, "description": "why deliveries stopped (a receiver's 410)"},
   "createdAt": I, "updatedAt": I, "deliveries": ref("WebhookDeliveries"),
   "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/]+={0,2}$", "description": "only in the creation's answer: the Standard Webhooks signing secret, never shown again"}},
   ["id", "url", "events", "campaignId", "enabled", "disabledReason", "createdAt", "updatedAt", "deliveries"]),
 "SegmentPreview": obj({"count": I, "sample": {"type": "array", "items": {"$ref": "#/components/schemas/Profile"}, "description": "the first 10 matching profiles in user id order"}}, ["count", "sample"]),
 "ErasureReport": obj({"userId": S, "profileDeleted": B, "rows": {"type": "object", "additionalProperties": I, "description": "rows changed per table.column"}}, ["userId", "profileDeleted", "rows"]),
 "ProfileReport": obj({"upserted": {"type": "integer", "description": "distinct profiles written (user ids): a userId given twice in one request counts once, the later one wins"}, "rejected": I, "warnings": {"type": "array", "items": obj({"row": {"type": "integer", "description": "CSV: the line the record starts on (header = 1); JSON: the index from 0"}, "userId": S, "problem": S})}}),
 "Goal": obj({"event": S, "windowMinutes": rng("goalWindowMinutes", "conversion window, minutes (1 minute to 10 years)"),
   "revenueProperty": {"type": "string", "description": f"the event property holding the revenue; an event whose value there is present (not null) but not a valid amount of revenueUnit (text that is not a plain decimal, a boolean, an array, an object), a number beyond ±{RANGES['revenueMajorUnits']['maximum']} major units (major) or ±{RANGES['revenueMinorUnits']['maximum']} cents (minor), or has more fraction digits than the unit allows (major: whole cents, 2 digits; minor: none), is refused by POST /api/v1/events naming the property and the allowed form (kept as an ingestion error, replayable)"},
   "revenueUnit": {"type": "string", "enum": ["major","minor"], "default": "major", "description": "major: the revenue property is a decimal amount in major units with at most 2 fraction digits (49.99 or \"49.99\"), converted to integer cents with decimal arithmetic; minor: an integer count of cents (4999 or \"4999\"). Text must be a plain decimal -?digits(.digits)?: an event whose revenue is \"1e3\", \" 5\", \"+7\" or \"NaN\" is invalid"},
   "filters": {"type": "array", "items": obj({"property": S,
   "op": {"type": "string", "enum": ["equals","notEquals","contains","greaterThan","lessThan"]}, "value": {}})}}, ["event","windowMinutes"]),
 "Variant": obj({"body": S, "percent": rng("variantPercent", "percent from 0.01 to 100; the variants add up to 100")}, ["body","percent"]),
 "SendAt": {"oneOf": [rng("sendAtEpochSeconds", "epoch seconds (before 2100-01-01T00:00:00Z)"), {"type": "string", "description": "ISO 8601: with Z or an offset = absolute; without = wall time in the campaign's time zone; must resolve to the same range as the number (1970 to 2100)"}]},
 "CampaignInput": obj({"name": NAME, "providerId": S, "body": {"type": "string", "description": "Mustache template ({{first_name}}, {{name}}, {{properties.city}}); required unless variants"},
   "variants": {"type": "array", "maxItems": 5, "items": ref("Variant")}, "defaults": {"type": "object", "additionalProperties": S, "description": "field name -> text when a profile lacks it"},
   "sendAt": ref("SendAt"), "customValues": {"type": "object", "additionalProperties": S, "description": "$$Name values of the provider template"}, "templateId": S,
   "audience": {"oneOf": [obj({"userIds": {"type": "array", "minItems": 1, "items": S}}, ["userIds"]), obj({"all": {"type": "boolean", "enum": [True]}}, ["all"]), obj({"segmentId": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807, "description": "a saved audience segment; who it matches is frozen at publish"}}, ["segmentId"])],
     "description": "exactly one of the three shapes; two selectors, or a key of none, is a 400 naming audience"},
   "timezone": S, "goal": ref("Goal"), "controlGroupPercent": rng("controlGroupPercent", "percent of the audience held out: 0 (none) or 0.01 to 99.99")}, ["name","providerId","audience"]),
 "Campaign": obj({"id": S, "name": S, "providerId": S, "body": S, "links": {"type": "array", "items": S}, "audience": {}, "timezone": S,
   "goal": ref("Goal"), "controlGroupPercent": N, "status": {"type": "string", "enum": ["draft","scheduled","sending","paused","completed","stopped"], "description": "paused: taken out of dispatch after repeated dead letters (pausedReason); POST .../resume sends again"},
   "createdAt": I, "publishedAt": I, "sendAt": I, "stoppedAt": I, "pausedReason": S, "pausedAt": I, "variants": {"type": "array", "items": ref("Variant")}, "defaults": {"type": "object"},
   "customValues": {"type": "object"}, "templateId": S,
   "archivedAt": {"type": "integer", "description": "epoch seconds; present once archived (hidden from the default list, stats kept)"},
   "rawPurgedAt": {"type": "integer", "description": "epoch seconds; present once its raw history was purged (retention); its stats are kept"},
   "completedAt": {"type": "integer", "description": "epoch seconds; when it completed (absent for campaigns completed before this was recorded)"},
   "progress": obj({k: I for k in ["queued","inFlight","deadLetters","sent","sentSegments","dispatchErrors","controlGroup","targeted"]}),
   "warnings": {"type": "array", "items": S, "description": "only in the answer of a creation, when there are any: e.g. a text that needs UCS-2 sent through a provider whose url and template carry no coding placeholder (and not detectsEncoding); a body whose encoding multiplies its cost (a character that makes it UCS-2 and costs more segments, named with its code point, or at most 10 characters spilling into one more segment)"}}),
 "DeadLetter": obj({"messageId": I, "campaignId": S, "userId": S, "meta": S,
   "providerAnswer": {"type": "string", "enum": ["sent","failed"], "description": "the provider's recorded answer; absent = unknown (the process died during the provider call)"},
   "providerMessageId": S, "sendAttempts": {"type": "integer", "description": "provider calls made for it"}, "error": S, "deadLetteredAt": {"type": "integer", "description": "epoch seconds"}},
   ["messageId","campaignId","userId","meta","sendAttempts","error","deadLetteredAt"]),
 "StopResult": obj({"summary": obj({"stopped": I, "inFlight": I}), "campaign": ref("Campaign")}),
 "PublishSummary": obj({"queued": I, "control": I, "dispatchErrors": I, "missingUserIds": {"type": "array", "items": S}}),
 "Stats": obj({k: I for k in ["sent","sentSegments","delivered","inferredDelivered","failed","pending","queued","dispatchErrors","controlGroup",
   "targeted","clicks","uniqueClicks","botHits","convertedUsers","clickThroughConversions","revenueCents","controlConvertedUsers","replies","optOuts"]}
   | {k: {"type": "number", "description": "percent 0-100"} for k in ["ctr","deliveryRate","convertedPercent","controlConvertedPercent","lift"]}
   | {"revenue": N, "arpu": N, "incrementalRevenue": N, "callbacksEnabled": B, "ctrDenominator": {"type": "string", "enum": ["delivered","sent"]}}),
 "Trend": obj({"granularity": S, "timezone": {"type": "string", "description": "the zone the periods are local to: tz, else the campaign's zone, else UTC when the stored zone is no zone at all (see zoneNote)"},
   "zoneNote": {"type": "string", "description": "present only when the campaign's stored zone is no zone at all (a legacy GMT+99 or an empty name) and the trend fell back to UTC: the campaign's stored time zone 'GMT+99' is no time zone; UTC is used"},
   "callbacksEnabled": B, "ctrDenominator": {"type": "string", "enum": ["delivered","sent"]},
   "buckets": {"type": "array", "items": obj({"start": {"type": "string", "description": "local YYYY-MM-DD (Monday for weeks, 1st for months)"},
   "sent": I, "delivered": I, "clicked": I, "clicks": I, "ctr": {"type": "number", "description": "percent 0-100, same denominator as the summary"}})}}),
 "VariantStats": {"allOf": [ref("Stats"), obj({"variant": I})]},
 "StatsSummary": {"allOf": [ref("Stats"), obj({"variants": {"type": "array", "items": ref("VariantStats"), "description": "present when the campaign has more than one variant"}})]},
 "Funnel": obj({"callbacksEnabled": B, "ctrDenominator": {"type": "string", "enum": ["delivered","sent"]}, "ctr": N, "clickThroughConversions": I,
   "steps": {"type": "array", "items": obj({"step": {"type": "string", "enum": ["sent","delivered","clicked","converted"]}, "users": I, "tracked": B,
   "rate": {"type": "number", "description": "percent 0-100: 100, deliveryRate, ctr, convertedPercent"}, "formula": S, "percentOfSent": N})}}),
 "Link": obj({"index": {"type": "integer", "description": "the campaign link's index from 0 in body order; -1 for the other-links row"},
   "url": {"type": "string", "nullable": True, "description": "the campaign link's URL; null on the other-links row"},
   "other": {"type": "boolean", "description": "true on the last row, when present: provider-reported clicks on URLs that are none of the campaign's links"},
   "label": {"type": "string", "description": "Link <n> (n from 1), or Other links (reported by the provider)"},
   "clicks": I, "uniqueClicks": I, "share": {"type": "number", "description": "percent 0-100 of all human clicks; the rows add up to 100"}, "botHits": I}),
 "Errors": obj({"dispatch": {"type": "array", "items": obj({"reason": S, "count": I})},
   "delivery": {"type": "array", "items": obj({"code": S, "description": S, "category": S, "count": I})}}),
 "Latency": obj({"delivered": {"type": "integer", "description": "messages delivered by a receipt (an inferred delivery, a click without a receipt, has no delivery time and is not counted)"},
   **{k: {"type": "integer", "nullable": True, "description": "seconds: the upper bound of the histogram bucket holding this nearest-rank percentile of sent -> delivered (604800 for more than 7 days); null without data"} for k in ["p50Seconds","p90Seconds","p99Seconds"]},
   "within": obj({k: {"type": "number", "nullable": True, "description": f"percent 0-100 of delivered with a latency of at most {k[:-1]} seconds (exact: a bucket bound); null when delivered is 0"} for k in ["10s","60s","600s","3600s"]}, ["10s","60s","600s","3600s"]),
   "firstClick": obj({"clicked": {"type": "integer", "description": "sent messages with a human click"},
     "p50Seconds": {"type": "integer", "nullable": True, "description": "seconds, sent -> first human click, bucket upper bound"},
     "p90Seconds": {"type": "integer", "nullable": True, "description": "seconds, sent -> first human click, bucket upper bound"},
     "resolutionSeconds": {"type": "integer", "nullable": True, "description": "the widest bucket holding p50 or p90"}}, ["clicked","p50Seconds","p90Seconds","resolutionSeconds"]),
   "resolutionSeconds": {"type": "integer", "nullable": True, "description": "the widest bucket holding p50, p90 or p99: each is at most this many seconds above the true value; 1 s buckets up to 60 s, coarser above; null without data or over 7 days"},
   "histogram": {"type": "array", "description": "the non-empty sent -> delivered buckets, ascending", "items": obj({
     "upToSeconds": {"type": "integer", "description": "inclusive upper bound, seconds; absent for the open bucket over 7 days"},
     "widthSeconds": {"type": "integer", "description": "seconds; absent for the open bucket"}, "count": I}, ["count"])}},
   ["delivered","p50Seconds","p90Seconds","p99Seconds","within","firstClick","resolutionSeconds","histogram"]),
 "Breakdown": obj({"by": {"type": "string", "enum": ["country","provider","variant","carrier"]},
   "rows": {"type": "array", "description": "most sent first (ties by key); the rows add up to the campaign's totals", "items": obj({
     "key": {"type": "string", "description": "country: ISO 3166-1 alpha-2 region of the E.164 number, or unknown without a valid one; provider: the provider id; variant: the variant number; carrier: MCC-MNC, unknown (no provider dialect reports one yet)"},
     **{k: I for k in ["sent","delivered","failed","pending","uniqueClicks"]},
     "deliveryRate": {"type": "number", "description": "percent 0-100, delivered / sent"},
     "ctr": {"type": "number", "description": "percent 0-100, unique clicked / delivered with callbacks, else / sent"},
     "errors": {"type": "array", "items": obj({"code": {"type": "string", "description": "delivery error code, (none) for a failure without one"}, "count": I}, ["code","count"])}},
     ["key","sent","delivered","failed","pending","deliveryRate","uniqueClicks","ctr","errors"])}}, ["by","rows"]),
 "Overview": obj({"from": {"type": "string", "description": "first local day, YYYY-MM-DD"}, "to": {"type": "string", "description": "last local day (inclusive), YYYY-MM-DD"},
   "timezone": {"type": "string", "description": "the IANA zone of the days"}, "minSent": {"type": "integer", "description": "the fewest sent messages of a ranked campaign"},
   "totals": obj({"campaigns": {"type": "integer", "description": "campaigns active in the period: a message sent, delivered, failed or clicked in it"},
     **{k: {"type": "integer", "description": "sum of the active campaigns' all-time /stats " + k} for k in ["sent","delivered","failed","pending","uniqueClicks","clicks","convertedUsers","revenueCents"]},
     "ctrDenominatorCount": {"type": "integer", "description": "sum of each campaign's CTR denominator: delivered with callbacks, else sent"},
     "deliveryRate": {"type": "number", "description": "percent 0-100, sum delivered / sum sent"}, "ctr": {"type": "number", "description": "percent 0-100, sum uniqueClicks / ctrDenominatorCount"},
     "revenue": {"type": "number", "description": "revenueCents / 100"}},
     ["campaigns","sent","delivered","failed","pending","deliveryRate","uniqueClicks","clicks","ctrDenominatorCount","ctr","convertedUsers","revenueCents","revenue"]),
   "cost": {"type": "array", "description": "per currency (by code): the sum of the active campaigns' /cost totals; campaigns whose provider has no price table are left out", "items": obj({
     "currency": S, "total": {"type": "number", "description": "major units"}, "totalMicros": I, "campaigns": I}, ["currency","total","totalMicros","campaigns"])},
   "trend": {"type": "array", "description": "one point per local day of the period, summed over the active campaigns", "items": obj({"start": {"type": "string", "description": "local YYYY-MM-DD"},
     "sent": I, "delivered": I, "clicked": I, "clicks": I, "ctr": {"type": "number", "description": "percent 0-100: clicked / the sum of each campaign's CTR denominator that day"}}, ["start","sent","delivered","clicked","clicks","ctr"])},
   "rankings": obj({k: {"nullable": True, "description": d, **obj({e: obj({"id": S, "name": S, "value": {"type": "number", "description": "percent 0-100"}, "sent": I}, ["id","name","value","sent"]) for e in ["best","worst"]}, ["best","worst"])}
     for k, d in [("deliveryRate", "among campaigns with callbacks and at least minSent sent; null when none"), ("ctr", "among campaigns with at least minSent sent; null when none")]}, ["deliveryRate","ctr"]),
   "topErrors": {"type": "array", "description": "failed messages by delivery error code over the active campaigns, most first, at most 10", "items": obj({"code": S, "count": I}, ["code","count"])},
   "campaigns": {"type": "array", "description": "the active campaigns, most sent first (ties by id): each one's all-time /stats numbers", "items": obj({
     "id": S, "name": S, "status": S, "providerId": S, "callbacksEnabled": B, "periodSent": {"type": "integer", "description": "messages sent in the period"},
     **{k: I for k in ["sent","delivered","failed","pending","uniqueClicks","convertedUsers","revenueCents"]},
     "deliveryRate": {"type": "number", "description": "percent 0-100"}, "ctr": {"type": "number", "description": "percent 0-100"},
     "ctrDenominator": {"type": "string", "enum": ["delivered","sent"]}, "revenue": N,
     "cost": {"nullable": True, "description": "the campaign's /cost total; null without a price table", **obj({"currency": S, "total": N, "totalMicros": I}, ["currency","total","totalMicros"])}},
     ["id","name","status","providerId","callbacksEnabled","periodSent","sent","delivered","failed","pending","deliveryRate","uniqueClicks","ctr","ctrDenominator","convertedUsers","revenueCents","revenue","cost"])}},
   ["from","to","timezone","minSent","totals","cost","trend","rankings","topErrors","campaigns"]),
 "Comparison": obj({"campaigns": {"type": "array", "description": "in the order of ids", "items": obj({"id": S, "name": S, "status": S,
   "stats": ref("Stats"),
   "latency": obj({"delivered": I, **{k: {"type": "integer", "nullable": True, "description": "seconds, sent -> delivered, as /latency"} for k in ["p50Seconds","p90Seconds","resolutionSeconds"]}}, ["delivered","p50Seconds","p90Seconds","resolutionSeconds"]),
   "cost": {"nullable": True, "description": "as /cost; null without a price table", **obj({"currency": S, "total": N, "totalMicros": I,
     "perDelivered": {"type": "number", "nullable": True, "description": "total / delivered, major units; null without a delivered message"}}, ["currency","total","totalMicros","perDelivered"])}},
   ["id","name","status","stats","latency","cost"])}}, ["campaigns"]),
 "PriceTable": obj({"currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code, three capital letters"},
   "defaultPerSegment": rng("pricePerSegment", "price of one SMS segment to a country not in perCountry (or of unknown country), decimal major units; stored exactly as integer micro-units (1/1,000,000)"),
   "perCountry": {"type": "object", "additionalProperties": rng("pricePerSegment", "price of one segment to this country, major units"),
     "description": "destination country (ISO 3166-1 alpha-2 in capitals, a region of the numbering plans such as DE; anything else is a 400) -> price per segment"}},
   ["currency","defaultPerSegment"]),
 "CampaignCost": obj({"currency": S, "total": {"type": "number", "description": "sum of segments x price per segment over the countries, major units"},
   "totalMicros": {"type": "integer", "description": "the total, exact, in micro-units (1/1,000,000 of a major unit)"},
   "byCountry": {"type": "array", "description": "countries with sent segments, most costly first; segments are those of every message the provider accepted (sent, delivered, failed, pending)", "items": obj({
     "country": {"type": "string", "description": "ISO 3166-1 alpha-2 of the E.164 number (as the country breakdown), unknown without a valid one (default price)"},
     "segments": I, "cost": {"type": "number", "description": "segments x pricePerSegment, major units"}, "costMicros": I,
     "pricePerSegment": {"type": "number", "description": "the price applied, major units"}}, ["country","segments","cost","costMicros","pricePerSegment"])},
   **{k: {"type": "number", "nullable": True, "description": f"total / {d}, major units rounded to a micro-unit (half away from zero); null when there is none"}
      for k, d in [("perDelivered", "delivered messages"), ("perClick", "unique clicks (messages with a human click)"), ("perConversion", "converted users")]},
   "return": {"type": "number", "nullable": True, "description": "revenue - total, major units, when the campaign's goal has a revenueProperty (its revenue taken in the price table's currency); else null"}},
   ["currency","total","totalMicros","byCountry","perDelivered","perClick","perConversion","return"]),
 "Event": obj({"eventId": {"type": "string", "maxLength": CONSTANTS["identifierLength"], "description": "idempotency key: a repeated eventId is a duplicate; the first stored wins"},
   "userId": {"type": "string", "maxLength": CONSTANTS["identifierLength"], "description": "kept even when no profile has it yet (attributed once a campaign sends to that user)"}, "name": {"type": "string", "maxLength": 256},
   "ts": {**TS, "description": TS["description"] + "; more than 24 h in the future is invalid (kept as an ingestion error)"},
   "properties": {"type": "object", "description": "free properties; a number a double does not hold as written (an integer beyond ±2^53 such as a numeric order id 123456789012345678901234567890, or more than 17 significant digits) is stored as its literal text, every digit, and the event is kept"}}, ["eventId","userId","name","ts"]),
 "MessageLogItem": obj({"meta": S, "campaignId": S, "userId": S, "phone": {"type": "string", "nullable": True, "description": "E.164, masked (+4915*******78) unless unmask=true"},
   "outcome": {"type": "string", "enum": ["queued", "sent", "pending", "delivered", "failed", "dispatch_error", "control"]}, "variant": I,
   "sentAt": {"type": "integer", "nullable": True, "description": "epoch seconds"}, "deliveredAt": {"type": "integer", "nullable": True, "description": "epoch seconds; the delivered receipt, else the first human click"},
   "firstClickAt": {"type": "integer", "nullable": True, "description": "epoch seconds, first human click"}, "convertedAt": {"type": "integer", "nullable": True, "description": "epoch seconds, earliest qualifying conversion event"},
   "segments": I, "errorCode": {"type": "string", "nullable": True}, "errorDescription": {"type": "string", "nullable": True},
   "dispatchReason": {"type": "string", "nullable": True}, "providerMessageId": {"type": "string", "nullable": True},
   "clicks": {"type": "array", "items": obj({"link": I, "clicks": I}, ["link", "clicks"]), "description": "human clicks per link index, links without clicks left out"}},
   ["meta", "campaignId", "userId", "phone", "outcome", "variant", "sentAt", "deliveredAt", "firstClickAt", "convertedAt", "segments", "errorCode", "errorDescription", "dispatchReason", "providerMessageId", "clicks"]),
 "MessageLogEvent": obj({"type": {"type": "string", "description": "queued, sent, dispatch_error, control (the message's record); submitted, delivered, failed, clicked, replied (callbacks); click, bot_hit (redirect hits); conversion"},
   "at": {"type": "integer", "description": "event time, epoch seconds"}, "receivedAt": {"type": "integer", "nullable": True}, "providerId": {"type": "string", "nullable": True},
   "code": {"type": "string", "nullable": True}, "description": {"type": "string", "nullable": True}, "linkIndex": {"type": "integer", "nullable": True},
   "botReason": {"type": "string", "nullable": True}, "eventId": {"type": "string", "nullable": True}, "attributed": {"type": "boolean", "nullable": True}},
   ["type", "at", "receivedAt", "providerId", "code", "description", "linkIndex", "botReason", "eventId", "attributed"]),
 "MessageLogPage": obj({"items": {"type": "array", "items": ref("MessageLogItem")},
   "nextCursor": {"type": "string", "nullable": True, "description": "pass as cursor for the next page; null at the end"}}, ["items", "nextCursor"]),
 "ClickHit": obj({"id": I, "messageId": I, "linkIndex": I, "at": {"type": "integer", "description": "epoch seconds"}, "userAgent": S,
   "ipHash": {"type": "string", "description": "salted SHA-256 of the client IP, hex; raw IPs are never stored"}, "isBot": B, "botReason": S}),
 "EventResult": obj({"stored": I, "duplicates": I, "invalid": {"type": "array", "items": obj({"index": I, "reason": S})}}),
 "CallbackGroup": obj({"event": {"type": "string", "enum": ["delivered","failed","clicked","replied"]}, "data": {"type": "array", "items": obj({
   "meta": S, "ts": {**TS, "description": TS["description"] + "; more than 24 h after the server clock is an invalid item (kept as an ingestion error)"}, "description": S, "code": S, "url": S, "shorturl": S, "incomingText": S, "toPhone": S,
   "network": {"type": "string", "description": "optional (a number is kept as its decimal text): the carrier's MCC-MNC (5 or 6 digits, e.g. 26202) for breakdown?by=carrier; kept as received, another value is ignored (never a refused item); the smallest valid code of a message's callbacks wins (docs/DOMAIN.md section 3 Carrier / network)"}}, ["meta","ts"])}}, ["event","data"]),
 "CallbackSuccess": obj({"status": S, "message": S, "data": obj({"processed_events": I, "timestamp": I})}),
 "CallbackError": obj({"status": S, "error_code": I, "details": obj({"missing_fields": {"type": "array", "items": S}, "invalid_items": {"type": "array", "items": {}}, "message": S})}),
 "IngestionError": obj({"id": I, "source": S, "providerId": S, "reason": S,
   "raw": {"type": "string", "description": "the input as text when rawUTF8 is true (exact, NUL included); else an escape form: \\xNN for a byte that is not UTF-8, \\u{NN} for a control character, \\\\ for a backslash"},
   "rawUTF8": {"type": "boolean", "description": "the bytes are valid UTF-8 (raw is then exactly them)"},
   "rawBase64": {"type": "string", "format": "byte", "description": "the input byte for byte as received (base64, RFC 4648), as far as shown (see rawTruncated)"},
   "rawBytes": {"type": "integer", "minimum": 0, "description": "size of the whole stored input, bytes"},
   "rawTruncated": {"type": "boolean", "description": "true only when the list cut the input to its first 65,536 bytes; GET /api/v1/ingestion-errors/{id} shows it whole"},
   "receivedAt": I, "replayedAt": I}, ["id", "source", "reason", "raw", "rawUTF8", "rawBase64", "rawBytes", "rawTruncated", "receivedAt"]),
 "ReplayInput": obj({"raw": {"type": "string", "description": "corrected callback body as text (optional; default: the stored bytes)"},
   "rawBase64": {"type": "string", "format": "byte", "description": "corrected callback body as bytes (base64, RFC 4648; not together with raw)"}}),
 "ReplayResult": obj({"applied": I, "duplicates": I, "pending": I, "replayedAt": {"type": "integer", "description": "epoch seconds"}}),
 "UnmatchedCallback": obj({"id": I, "providerId": S, "meta": S, "providerMessageId": S, "event": S,
   "receivedAt": {"type": "integer", "description": "epoch seconds"}, "attempts": I, "item": {"type": "object"}}),
}
# The provider's version as its ETag (optimistic concurrency of PATCH).
def tagged(resp, what="the provider's version in quotes, e.g. \"3\""):
    for r in resp.values(): r["headers"] = {"ETag": {"description": what, "schema": S}}
    return resp
# Every write to one provider (PATCH, rotate-secret, disable, enable): If-Match, ETag, 409 and 412.
provider_if_match = [p("id"), p("If-Match", "header", S, False, "the ETag of GET (a version in quotes, e.g. \"3\"), or *")]
def provider_write(resp):
    return {**tagged(resp), "409": {"description": "changed by another request meanwhile", "content": {"application/json": {"schema": ref("Error")}}},
        "412": {"description": "If-Match names another version", "content": {"application/json": {"schema": ref("Error")}}}}
CAMPAIGN_TAG = "a digest of the stored campaign in quotes (16 hex digits, e.g. \"3f1c0a9e5b27d4e8\"); any change gives another"
cb_params = [p("providerId"), p("secret", "query", S, False, "the provider's callback secret (or X-Callback-Secret, or a signature, or token)"),
  p("token", "query", S, False, "a message's own callback token, as $$DlrUrl puts it (22 characters of base64url: the first 128 bits of HMAC-SHA256(secret, 'dlr1:' + meta)); valid with the meta it was minted for, under the current secret or the previous one during its grace period; every item must then report on that message (401 otherwise)"),
  p("meta", "query", S, False, "with token: the message the token is for"),
  p("X-SMSStats-Timestamp", "header", S, False, "epoch seconds; with X-SMSStats-Signature; at most 300 s off"),
  p("X-SMSStats-Signature", "header", S, False, "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>"),
  p("X-Twilio-Signature", "header", S, False, "Twilio providers with webhookSigningKey"),
  p("X-Plivo-Signature-V3", "header", S, False, "Plivo providers with webhookSigningKey: base64 HMAC-SHA256 (auth token) of the URL, sorted parameters and nonce; one or more, comma-separated"),
  p("X-Plivo-Signature-V3-Nonce", "header", S, False, "with X-Plivo-Signature-V3; a nonce seen within 300 s is a replay (401)"),
  p("x-sinch-webhook-signature", "header", S, False, "Sinch providers with webhookSigningKey: base64 HMAC-SHA256 of body + '.' + nonce + '.' + timestamp"),
  p("x-sinch-webhook-signature-nonce", "header", S, False, "with x-sinch-webhook-signature; seen before = replay (401)"),
  p("x-sinch-webhook-signature-timestamp", "header", S, False, "epoch seconds, at most 300 s off"),
  p("Authorization", "header", S, False, "Vonage providers with webhookSigningKey: Bearer <JWT> of a signed webhook (HS256, iat within 300 s, payload_hash = hex SHA-256 of the body, jti not seen before); else the sig and timestamp parameters of the SMS API")]
cb_responses = {**ok("processed (Jasmin: text ACK/Jasmin)", ref("CallbackSuccess")),
    "400": {"description": "unreadable body or invalid items (valid ones applied; invalid ones kept as ingestion errors)", "content": {"application/json": {"schema": ref("CallbackError")}}},
    "401": {"description": "missing or wrong secret, token or signature, or an item on another message than the token's"}, "404": {"description": "unknown provider"},
    "405": {"description": "a method the provider's dialect does not take (generic, Sinch, Gupshup: POST only; others: GET or POST); Allow header; when authenticated, kept as an ingestion error (method, path, query without the secret)"},
    "413": {"description": "body over 5 MB or over 10,000 items"},
    "415": {"description": "a Content-Encoding other than identity, a multipart/... body, or a JSON body (application/json, application/...+json) to a form dialect (form dialects read application/x-www-form-urlencoded, JSON dialects application/json); kept as an ingestion error"},
    "503": {"description": "storage unavailable; retry"}}
uid = p("userId", desc="the user id, percent-encoded as one path segment (a%20b is the user id 'a b'); a malformed escape (%zz, a % without two hex digits), bytes that are no UTF-8, or a control character (%00) is a 400 naming userId. The user id 'import' is /api/v1/profiles/import (GET, PATCH, DELETE) or %69mport")
# GET, PATCH and DELETE of one profile: at /api/v1/profiles/{userId}, and at /api/v1/profiles/import for
# the user id 'import' (POST there is the CSV import).
def profile_ops(params, note=""):
    return {
    "get": op(note + "One profile with its country and its newest 50 messages (404 unknown)", ok("profile", ref("Profile")), params=params),
    "patch": op(note + "Change phone (normalised; an invalid one is a 400), region (for a national-form phone), name, properties (merged; null removes a key) or optedOut; validated like the upsert: a 400 names the field and changes nothing", ok("profile", ref("Profile")), body(ref("ProfilePatch")), params=params),
    "delete": op(note + "Erase a person: the profile is deleted; their messages, events, clicks and conversions are kept for the stats under a random pseudonym, with phone, texts, user agents, IP hashes and other conversion properties removed; the phone's digits are masked in pending callbacks; every ingestion error whose raw bytes or reason name the person (the user id as a whole token, JSON-escaped or percent-encoded; the phone's digits in any written form) is deleted, so no replay can store them again (counted under ingestion_errors.raw). Stats and reconcile are unchanged. With the click journal on, its hits are applied first and its files holding them are overwritten and deleted after the erasure. 404 without a profile or messages; 409 while a message of the user is queued",
        {**ok("what was changed", ref("ErasureReport")), "409": {"description": "messages of the user are queued or in flight; nothing was changed"},
         "503": {"description": "the click journal could not apply its hits within 10 s (the database failing); nothing was erased; Retry-After: 5", "content": {"application/json": {"schema": ref("Error")}}}}, params=params)}
paths = {
 "/api/v1/providers": {"post": op("Create a provider: every field, or a preset (GET /api/v1/provider-presets) and its fields", ok("created", ref("Provider"), "201"), body({"oneOf": [ref("ProviderInput"), ref("PresetInput")]})),
                       "get": op("List providers", ok("providers", {"type": "array", "items": ref("Provider")}))},
 "/api/v1/provider-presets": {"get": op("Ready providers for known gateways: each one's fields and what it fills", ok("presets", {"type": "array", "items": ref("ProviderPreset")}))},
 "/api/v1/providers/{id}": {"get": op("Get a provider (ETag: its version)", tagged(ok("provider", ref("Provider"))), params=[p("id")]),
    "patch": op("Change any fields a creation takes (credentials included; null clears an optional one): merged into the provider and validated as a creation; a 400 names the field and its range and changes nothing. A secret field holding the mask ******** that views show is a 400 naming it (leave the field out to keep the secret). With If-Match, a provider at another version is a 412; a change made by another request while this one ran is a 409 (412 with If-Match). \"kind\": null makes the kind generic; a change of kind (null included) while a campaign using the provider is scheduled, sending or paused or finished less than 24 h ago (its receipt window) is a 409 naming those campaigns, and nothing changes (the kind decides how their receipts are read)",
        provider_write(ok("provider", ref("Provider"))), body(ref("ProviderPatch")), params=provider_if_match),
    "delete": op("Delete a provider no campaign uses (409 naming the campaigns otherwise)", {"204": {"description": "deleted"},
        "409": {"description": "campaigns use it", "content": {"application/json": {"schema": ref("ProviderInUse")}}}}, params=[p("id")])},
 "/api/v1/providers/{id}/rotate-secret": {"post": op("New callback secret; the previous one is still accepted for graceSeconds, then 401. With If-Match, a provider at another version is a 412 that changes nothing; a change made by another request while this one ran is a 409 (412 with If-Match)", provider_write(ok("rotated", ref("SecretRotation"))),
    {"required": False, "content": {"application/json": {"schema": ref("RotationInput")}}}, provider_if_match)},
 "/api/v1/providers/{id}/disable": {"post": op("Disable: the dispatcher sends none of its messages (they stay queued, campaigns stay sending); callbacks are still accepted. If-Match as for PATCH", provider_write(ok("provider", ref("Provider"))), params=provider_if_match)},
 "/api/v1/providers/{id}/enable": {"post": op("Enable a disabled provider: its queued messages are sent. If-Match as for PATCH", provider_write(ok("provider", ref("Provider"))), params=provider_if_match)},
 "/api/v1/providers/{id}/prices": {"get": op("The provider's price table (404 when it has none)", ok("price table", ref("PriceTable")), params=[p("id")]),
    "put": op("Replace the provider's price table: a price per SMS segment per destination country, a default, a currency (decimal major units, stored exactly as micro-units); a 400 names the field and its range (0 to 1000, at most 6 fraction digits)", ok("price table", ref("PriceTable")), body(ref("PriceTable")), params=[p("id")])},
 "/api/v1/profiles": {"post": op(f"Upsert profiles by userId (at most {CONSTANTS['profilesPerRequest']:,} per request; more is a 413 naming the cap)", {**ok("report", ref("ProfileReport")), "413": {"description": f"more than {CONSTANTS['profilesPerRequest']:,} profiles, or a body over 50 MB; the connection is closed"}}, body({"type": "array", "maxItems": CONSTANTS["profilesPerRequest"], "items": ref("ProfileInput")})),
    "get": op("List profiles in user id order (byte order), filtered (all filters AND). A page may hold fewer than limit profiles when the filters match few (at most 20,000 profiles are read per page); the end is nextCursor null. property.<name>=<value> filters on a property's text form (42, true, Berlin); property.=… without a name is a 400",
      ok("page", ref("ProfilePage")), params=[limit, p("cursor", "query", S, False, "nextCursor of the previous page, as given (anything else is a 400)"),
        p("q", "query", S, False, "user id prefix (case-sensitive), or a prefix of the E.164 phone as typed (+49151, 0049 151 and 49151 all find every +49151…), or a whole phone in any format (normalised to E.164)"),
        p("country", "query", ref("Region"), False, "ISO 3166-1 alpha-2 region of the profile's valid phone"),
        p("optedOut", "query", {"type": "string", "enum": ["true", "false"]}, False)])},
 "/api/v1/profiles/{userId}": profile_ops([uid]),
 "/api/v1/segments": {"post": op("Save an audience segment: rules over profile properties, phone country and opt-out, combined with all or any; a 400 names every wrong field", ok("created", ref("Segment"), "201"), body(ref("SegmentInput"))),
    "get": op("List audience segments by id", ok("segments", {"type": "array", "items": ref("Segment")}))},
 "/api/v1/segments/{id}": {"get": op("One audience segment (404 unknown)", ok("segment", ref("Segment")), params=[sid]),
    "patch": op("Change name, match or rules (rules replaced whole); validated as a creation; a 400 names the field and changes nothing", ok("segment", ref("Segment")), body(ref("SegmentPatch")), params=[sid]),
    "delete": op("Delete a segment (409 naming the draft or scheduled campaigns whose audience it is; a sent campaign's audience was frozen at publish)",
        {"204": {"description": "deleted"}, "409": {"description": "unsent campaigns use it", "content": {"application/json": {"schema": ref("ProviderInUse")}}}}, params=[sid])},
 "/api/v1/webhooks": {"post": op("Subscribe a URL to events (signed with the Standard Webhooks scheme); the answer holds the signing secret (whsec_<base64>) once, never again; a 400 names every wrong field", ok("created", ref("Webhook"), "201"), body(ref("WebhookInput"))),
    "get": op("List webhook subscriptions by id, with their delivery stats", ok("webhooks", {"type": "array", "items": ref("Webhook")}))},
 "/api/v1/webhooks/{id}": {"get": op("One webhook subscription with its delivery stats (404 unknown)", ok("webhook", ref("Webhook")), params=[wid]),
    "patch": op("Change url, events, campaignId or enabled; validated as a creation; a 400 names the field and changes nothing", ok("webhook", ref("Webhook")), body(ref("WebhookPatch")), params=[wid]),
    "delete": op("Delete a subscription and its undelivered events", {"204": {"description": "deleted"}}, params=[wid])},
 "/api/v1/webhooks/{id}/events": {"get": op("A subscription's events by status (failed by default: given up after 24 h of retries), newest first", ok("events", {"type": "array", "items": ref("WebhookEvent")}),
    params=[wid, p("status", "query", {"type": "string", "enum": ["pending", "delivered", "failed"], "default": "failed"}, False), limit])},
 "/api/v1/webhooks/{id}/replay": {"post": op("Queue the subscription's failed events again (attempts from 0, 24 h from now)", ok("replayed", obj({"replayed": I}, ["replayed"])), params=[wid])},
 "/api/v1/segments/{id}/preview": {"get": op("How many profiles the segment matches now, and a sample", ok("preview", ref("SegmentPreview")), params=[sid])},
 "/api/v1/profiles/import": {**profile_ops(None, "The profile whose user id is 'import' (POST on this path is the CSV import). "), "post": op(f"Import profiles from CSV (header row; userId, phone, name, other columns become text properties as written: a cell 123456789012345678901234567890 is that text, every digit). All or nothing: a file that is not UTF-8 or not well-formed RFC 4180 CSV (unterminated quoted field, a row whose field count differs from the header's, an empty or repeated header name) is a 400 naming the line (line <n>: <problem>) and imports nothing. A userId repeated on a later row is imported (the later row wins) with a warning naming both lines. The file is the raw body (text/csv); a multipart/form-data upload is a 415. At most {CONSTANTS['profilesPerRequest']:,} rows per request (more is a 413 naming the cap). A phone_region column gives a row's default region for a phone without + (a value that is no region: the row is rejected, with a warning naming the cell); the region query parameter applies to rows without one", {**ok("report", ref("ProfileReport")), "413": {"description": f"more than {CONSTANTS['profilesPerRequest']:,} rows, or a body over 50 MB; the connection is closed"}}, body(S, "text/csv"),
    params=[p("region", "query", ref("Region"), False, "default region for phones without + on rows without a phone_region")])},
 "/api/v1/campaigns": {"post": op("Create a campaign (draft)", ok("created", ref("Campaign"), "201"), body(ref("CampaignInput"))),
                       "get": op("List campaigns, newest first (no cursor: the newest limit ones, as every list); archived ones only with archived=true, with the others with include=archived", ok("campaigns", {"type": "array", "items": ref("Campaign")}), params=[limit,
                           p("archived", "query", {"type": "string", "enum": ["true", "false"]}, False, "true: archived campaigns only; false (default): those not archived"),
                           p("include", "query", {"type": "string", "enum": ["archived"]}, False, "archived: every campaign, archived or not")])},
 "/api/v1/campaigns/{id}": {"get": op("Get a campaign with progress (ETag: a digest of the campaign)", tagged(ok("campaign", ref("Campaign")), CAMPAIGN_TAG), params=[cid]),
    "patch": op("Change a draft's fields (any a creation takes; null clears an optional one): merged into the draft and validated exactly like a creation; a 400 names the field and changes nothing; sendAt schedules it. 409 naming the status when it is not a draft, or while it is being published. With If-Match, a campaign at another ETag (changed since it was read) is a 412 that changes nothing",
        {**tagged(ok("campaign", ref("Campaign")), CAMPAIGN_TAG), "409": {"description": "not a draft, or being published", "content": {"application/json": {"schema": ref("Error")}}},
         "412": {"description": "If-Match names another ETag", "content": {"application/json": {"schema": ref("Error")}}}},
        body(ref("CampaignPatch")), params=[cid, p("If-Match", "header", S, False, "the ETag of GET (in quotes), or *")]),
    "delete": op("Delete a draft (409 naming the status otherwise)", {"204": {"description": "deleted"},
        "409": {"description": "not a draft, or being published", "content": {"application/json": {"schema": ref("Error")}}}}, params=[cid])},
 "/api/v1/campaigns/{id}/duplicate": {"post": op("A new draft with the campaign's definition (any status), a new id and the name '<name> (copy)'", ok("the new draft", ref("Campaign"), "201"), params=[cid])},
 "/api/v1/campaigns/{id}/archive": {"post": op("Archive a finished (completed or stopped) campaign: hidden from the default list, stats kept; 409 naming the status otherwise",
    {**ok("campaign", ref("Campaign")), "409": {"description": "not finished", "content": {"application/json": {"schema": ref("Error")}}}}, params=[cid])},
 "/api/v1/campaigns/{id}/unschedule": {"post": op("A scheduled campaign back to draft (sendAt cleared); 409 naming the status otherwise, or while it is being published",
    {**ok("campaign", ref("Campaign")), "409": {"description": "not scheduled, or being published", "content": {"application/json": {"schema": ref("Error")}}}}, params=[cid])},
 "/api/v1/campaigns/{id}/publish": {"post": op("Publish a draft campaign (or a scheduled one whose sendAt has come): the audience is resolved now and frozen (the messages recorded are who was targeted)",
    {**ok("summary", ref("PublishSummary")), "409": {"description": "not a draft or scheduled campaign; being published elsewhere; the audience matches no profile (audience is empty: segment N matches no profile (or does not exist); nothing was published); or scheduled for later (campaign is scheduled for <UTC time> (in N s) and is sent then: it keeps its schedule; unschedule, then publish, to send now)", "content": {"application/json": {"schema": ref("Error")}}}}, params=[cid])},
 "/api/v1/campaigns/{id}/schedule": {"post": op("Schedule a draft (or reschedule) at sendAt; the audience is resolved when it is sent (matching nobody then: 0 messages, completed)", ok("campaign", ref("Campaign")), body(obj({"sendAt": ref("SendAt")}, ["sendAt"])), params=[cid])},
 "/api/v1/campaigns/{id}/stop": {"post": op("Stop a campaign: its unsent messages become 'campaign stopped' dispatch errors", ok("stopped", ref("StopResult")), params=[cid])},
 "/api/v1/campaigns/{id}/dead-letters": {"get": op("Messages taken out of dispatch after repeated failures (a claim found after a crash with 2 provider calls; derived work failing 3 times), oldest first, with their errors", ok("dead letters", {"type": "array", "items": ref("DeadLetter")}), params=[cid, limit])},
 "/api/v1/campaigns/{id}/resume": {"post": op("Resume a paused campaign (409 when it is not paused)", ok("campaign", ref("Campaign")), params=[cid])},
 "/api/v1/campaigns/{id}/stats": {"get": op("Campaign stats (rates are percent 0-100)", ok("stats", ref("StatsSummary")), params=[cid])},
 "/api/v1/campaigns/{id}/trend": {"get": op("Message trend", ok("trend", ref("Trend")), params=[cid,
    p("granularity", "query", {"type": "string", "enum": ["day","week","month"]}, False), p("tz", "query", S, False, "IANA zone name or UTC (a fixed offset such as GMT+14 is refused: Etc/GMT-14 is its IANA name); default the campaign's"), variant])},
 "/api/v1/campaigns/{id}/funnel": {"get": op("Influenced conversion funnel: Sent, Delivered, Clicked, Converted users", ok("funnel", ref("Funnel")), params=[cid, variant])},
 "/api/v1/campaigns/{id}/export.csv": {"get": op("Summary, trend and split of clicks as CSV (RFC 4180, UTF-8 with BOM)", ok("CSV file", S, ctype="text/csv"), params=[cid,
    p("granularity", "query", {"type": "string", "enum": ["day","week","month"]}, False), p("tz", "query", S, False, "IANA zone name or UTC (a fixed offset such as GMT+14 is refused: Etc/GMT-14 is its IANA name); default the campaign's")])},
 "/api/v1/campaigns/{id}/links": {"get": op("Split of clicks", ok("links", {"type": "array", "items": ref("Link")}), params=[cid, variant])},
 "/api/v1/campaigns/{id}/hits": {"get": op("Stored redirect hits, newest first: human clicks and bot / link-preview hits (HEAD, crawler user agents) flagged with their reason", ok("hits", {"type": "array", "items": ref("ClickHit")}), params=[cid,
    p("kind", "query", {"type": "string", "enum": ["all","bots","humans"]}, False), limit])},
 "/api/v1/campaigns/{id}/messages": {"get": op("The campaign's message log, in message id order (keyset: stable while messages are added), filtered (all filters AND). A page may hold fewer than limit items when the filters match few (at most 20,000 messages are read per page); the end is nextCursor null",
    ok("page", ref("MessageLogPage")), params=[cid, limit] + log_query)},
 "/api/v1/campaigns/{id}/messages.csv": {"get": op("The campaign's message log as CSV, streamed (constant memory, any size): every message the filters keep, in message id order, no limit (cursor: start after that page). RFC 4180, UTF-8 without BOM, CRLF line ends; a header line of the item's keys (meta, campaignId, userId, phone, outcome, variant, sentAt, deliveredAt, firstClickAt, convertedAt, segments, errorCode, errorDescription, dispatchReason, providerMessageId, clicks); null is an empty cell; clicks as link:clicks pairs joined by ';' (0:2;1:1); text cells starting with = + - @ tab or CR get a leading ' (formula injection), phones not",
    ok("CSV file (Content-Disposition: attachment; filename=\"<id>-messages.csv\")", S, ctype="text/csv"), params=[cid] + log_query)},
 "/api/v1/campaigns/{id}/messages.ndjson": {"get": op("The campaign's message log as NDJSON, streamed (constant memory, any size): one MessageLogItem per line, exactly as in the JSON pages, every message the filters keep in message id order, no limit (cursor: start after that page)",
    ok("NDJSON file (Content-Disposition: attachment; filename=\"<id>-messages.ndjson\")", S, ctype="application/x-ndjson"), params=[cid] + log_query)},
 "/api/v1/messages/{meta}": {"get": op("One message's log item plus events: its history (the message's record, dispatch, callbacks / DLRs, redirect hits, the user's goal events) in event-time order; 404 for an unknown meta",
    ok("message", ref("MessageLogDetail")), params=[p("meta", desc="the message's meta"), p("unmask", "query", {"type": "string", "enum": ["true", "false"]}, False, "true: the full phone; default masked")])},
 "/api/v1/messages": {"get": op("Support lookup: the messages of every campaign with this provider message id (in any stored form) or this phone (normalised to E.164), newest first; exactly one of the two (else a 400)",
    ok("page", ref("MessageLogPage")), params=[limit, p("cursor", "query", S, False, "nextCursor of the previous page, as given (anything else is a 400)"),
      p("providerMessageId", "query", S, False, "the provider's message id"), p("phone", "query", S, False, "a phone in any format (normalised to E.164; not a phone: 400)"),
      p("unmask", "query", {"type": "string", "enum": ["true", "false"]}, False, "true: the full phone; default masked")])},
 "/api/v1/campaigns/{id}/errors": {"get": op("Dispatch and delivery errors", ok("errors", ref("Errors")), params=[cid, variant])},
 "/api/v1/campaigns/{id}/breakdown": {"get": op("Sent, delivered, failed, pending, delivery rate, unique clicks, CTR and delivery errors per destination country, provider, variant or carrier; country reads the campaign's messages (cost grows with the campaign), the others the rollups", ok("breakdown", ref("Breakdown")), params=[cid, p("by", "query", {"type": "string", "enum": ["country","provider","variant","carrier"]}, True, "the dimension; anything else is a 400 listing these")])},
 "/api/v1/campaigns/{id}/breakdown.csv": {"get": op("The breakdown's rows as CSV (RFC 4180, UTF-8 with BOM; text cells guarded against formula injection): one header line (the dimension, sent, delivered, failed, pending, deliveryRate, uniqueClicks, ctr, errors as code:count pairs) and one line per row", ok("CSV file", S, ctype="text/csv"), params=[cid, p("by", "query", {"type": "string", "enum": ["country","provider","variant","carrier"]}, True, "the dimension; anything else is a 400 listing these")])},
 "/api/v1/campaigns/{id}/latency.csv": {"get": op("The delivery-latency histogram as CSV (RFC 4180, UTF-8 with BOM): overSeconds, upToSeconds, count, percentOfDelivered per non-empty bucket, ascending", ok("CSV file", S, ctype="text/csv"), params=[cid, variant])},
 "/api/v1/campaigns/{id}/cost": {"get": op("What the campaign cost: sent segments per destination country x its provider's price per segment (PUT /api/v1/providers/{id}/prices), the total, per delivered message, per click, per conversion, and the return (revenue - cost) when the goal has revenue; 404 when the provider has no price table. Reads the campaign's messages like the country breakdown", ok("cost", ref("CampaignCost")), params=[cid])},
 "/api/v1/overview": {"get": op("All campaigns active in a period (a message sent, delivered, failed or clicked in it) at a glance: totals (the sums of their /stats), cost per currency, the daily trend, best and worst delivery rate and CTR, top error codes, one row per campaign. Reads the rollups (O(campaigns x buckets)); a campaign priced by per-country prices reads its messages as /cost does",
    ok("overview", ref("Overview")), params=period_params + [p("minSent", "query", rng("overviewMinSent", default=CONSTANTS["overviewMinSentDefault"]), False,
      f"the fewest sent messages of a ranked campaign (default {CONSTANTS['overviewMinSentDefault']}); ASCII digits only; anything else is a 400 naming the range")])},
 "/api/v1/breakdown": {"get": op("The per-campaign breakdowns of the campaigns active in a period, added key by key: rows add up to the overview's totals (country reads the campaigns' messages, as the per-campaign breakdown does)",
    ok("breakdown", ref("Breakdown")), params=[p("by", "query", {"type": "string", "enum": ["country","provider","variant","carrier"]}, True, "the dimension; anything else is a 400 listing these")] + period_params)},
 "/api/v1/compare": {"get": op("2 to 5 campaigns side by side: each one's /stats summary, /latency p50 and p90, /cost total and cost per delivered message",
    ok("comparison", ref("Comparison")), params=[p("ids", "query", {"type": "string", "pattern": r"^[^,\x00-\x1F\x7F]+(,[^,\x00-\x1F\x7F]+){%d,%d}$" % (RANGES["compareCampaigns"]["minimum"] - 1, RANGES["compareCampaigns"]["maximum"] - 1)}, True,
      f"{RANGES['compareCampaigns']['minimum']} to {RANGES['compareCampaigns']['maximum']} campaign ids separated by commas, each once; fewer, more, a repeated or an unknown id is a 400 naming ids")])},
 "/api/v1/campaigns/{id}/latency": {"get": op("Delivery speed: sent -> delivered percentiles and within-10 s/60 s/600 s/3600 s shares, sent -> first click, from fixed histogram buckets in the rollups (1 s up to 60 s, coarser above)", ok("latency", ref("Latency")), params=[cid, variant])},
 "/api/v1/events": {"post": op("Ingest conversion events (idempotent by eventId)", {**ok("result", ref("EventResult")), "400": {"description": "some events invalid (the valid ones were stored); or the body is not valid JSON (message names the byte) or not an array", "content": {"application/json": {"schema": ref("EventResult")}}}, "413": {"description": "more than 10,000 events in one request"}}, body({"type": "array", "items": ref("Event")}))},
 "/api/v1/ingestion-errors": {"get": op("Invalid input kept for operators, newest first; a raw over 64 KiB is cut (rawTruncated: true)", ok("errors", {"type": "array", "items": ref("IngestionError")}), params=[limit])},
 "/api/v1/ingestion-errors/{id}": {"get": op("One ingestion error with its whole raw input (404 unknown)", ok("error", ref("IngestionError")), params=[p("id", "path", {"type": "integer", "minimum": 1, "maximum": 9223372036854775807}, True, "1 to 9223372036854775807, ASCII digits only")])},
 "/api/v1/ingestion-errors/{id}/replay": {"post": op("Parse a stored callback item again, byte for byte, with its provider's dialect and apply it, or a correction given as raw (text) or rawBase64 (bytes); an events error (source events) is read again by POST /api/v1/events' rules and its events stored at their original receive time, idempotent by eventId (applied = stored, duplicates = ids stored before). At most once: 400 bad body, 404 unknown, 409 already replayed, 422 still invalid",
    {**ok("applied", ref("ReplayResult")), "409": {"description": "already replayed"}, "422": {"description": "still invalid, neither a callback nor an events error, or provider gone"}},
    {"required": False, "content": {"application/json": {"schema": ref("ReplayInput")}}}, [p("id", schema={"type": "integer", "minimum": 1, "maximum": 9223372036854775807}, desc="1 to 9223372036854775807, ASCII digits only")])},
 "/api/v1/callbacks/unmatched": {"get": op("Callback items whose message was still unknown 24 h after they arrived (oldest first)",
    ok("unmatched", {"type": "array", "items": ref("UnmatchedCallback")}), params=[limit])},
 "/callbacks/{providerId}": {
    "post": op("Delivery callback in the provider's dialect (kind): generic JSON groups (docs/DOMAIN.md section 3), Vonage/Sinch/Gupshup JSON, Twilio/Plivo/Jasmin form fields, Kannel query",
        cb_responses, {"required": True, "content": {"application/json": {"schema": {"type": "array", "items": ref("CallbackGroup")}},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "additionalProperties": S}}}}, cb_params, auth=False),
    "get": op("Delivery callback as query parameters (Kannel dlr-url: meta, type=%d, answer=%A, ts=%T, fid=%F; Vonage/Plivo/Jasmin GET)",
        cb_responses, None, cb_params, auth=False)},
 "/l/{code}": {"get": op("Click redirect (302 to the stored URL byte for byte; 404 page when unknown or expired). A crawler or link-preview user agent is recorded as a bot hit, not a click", {"302": {"description": "redirect"}, "404": {"description": "unknown or expired link (HTML)"}}, params=[p("code")], auth=False),
   "head": op("Same answer as GET; always recorded as a bot hit", {"302": {"description": "redirect"}, "404": {"description": "unknown or expired link"}}, params=[p("code")], auth=False)},
 "/health": {"get": op("Liveness: the process serves HTTP (never touches the database)", ok("alive", obj({"status": {"type": "string", "enum": ["ok"]}}, ["status"])), auth=False)},
 "/ready": {"get": op("Readiness, for a load balancer: the database answers within 2 s, every migration this build knows is applied, and the server is not draining (SIGTERM)",
    {**ok("ready", obj({"status": {"type": "string", "enum": ["ready"]}}, ["status"])),
     "503": {"description": "not ready: send traffic to another server", "content": {"application/json": {"schema": obj({
        "status": {"type": "string", "enum": ["unavailable"]},
        "reason": {"type": "string", "description": "draining | database unreachable | migrations missing: <ids>"}}, ["status", "reason"])}}}}, auth=False)},
 "/metrics": {"get": op("Prometheus metrics", ok("metrics", S, ctype="text/plain"), auth=False)},
 "/openapi.json": {"get": op("This document", ok("OpenAPI document"), auth=False)},
 "/login": {"get": op("Dashboard sign-in page", ok("HTML", S, ctype="text/html"), auth=False, html=True), "post": op("Dashboard sign-in (form field token; a wrong one is the sign-in page again with 401)", {"303": {"description": "signed in, cookie set"}}, auth=False, html=True)},
 "/": {"get": op("Dashboard home: the overview of a period (from, to, tz as GET /api/v1/overview; default the last 30 days) and the campaign list (the sign-in page, 200, without a session cookie)", ok("HTML", S, ctype="text/html"), auth=False, html=True)},
 "/compare": {"get": op("Dashboard: campaigns side by side (ids as GET /api/v1/compare, or one id parameter per checked campaign; the sign-in page, 200, without a session cookie)", ok("HTML", S, ctype="text/html"), auth=False, html=True)},
 "/campaigns/{id}": {"get": op("Dashboard: campaign page (the sign-in page, 200, without a session cookie)", ok("HTML", S, ctype="text/html"), params=[
    p("id", schema=S, desc="campaign id; without a session the sign-in page (200) answers whatever it holds"),
    p("granularity", "query", {}, False, "day (default), week or month; with a session anything else is a 400 page; without one the sign-in page (200) answers whatever the parameter holds")], auth=False, html=True)},
 "/api/v1/dashboard/login-links": {"post": op("Mint a one-time dashboard sign-in link (valid 60 s, single use; next must be a local path)",
    {**ok("link", obj({"url": S, "expiresInSeconds": I}), code="201"), "413": {"description": "a body over 16,000 bytes (the message names the limit); the connection is closed", "content": {"application/json": {"schema": ref("Error")}}}}, {"required": False, "content": {"application/json": {"schema": obj({"next": {"type": "string", "nullable": True, "description": "a local path; default /"}})}}})},
 "/login/once/{nonce}": {"get": op("Dashboard: redeem a one-time sign-in link (303 to next with the session cookie; an unknown, used or expired one is the sign-in page with 401)", {"303": {"description": "signed in"}}, params=[p("nonce")], auth=False, html=True)},
}
# Request bodies are decoded with Swift's Codable: an optional field may also be null (= absent).
# Each nullable field gets its own copy: the shared schemas (S, I, N, B, …) are used all over the
# spec, and marking one of them would make every plain string (number, …) of the spec nullable.
def nullable_optionals(schema):
    req = set(schema.get("required", []))
    schema["properties"] = dict(schema.get("properties", {}))
    for name, prop in list(schema["properties"].items()):
        if name in req: continue
        if "$ref" in prop or "oneOf" in prop:
            prop = {"allOf" if "$ref" in prop else "oneOf": [prop] if "$ref" in prop else prop["oneOf"], "nullable": True,
                    **({"description": prop["description"]} if "description" in prop else {})}
        else:
            prop = {**prop, "nullable": True}
        schema["properties"][name] = prop
        if prop.get("type") == "object" and "properties" in prop: nullable_optionals(prop)
# Text from outside (docs/DOMAIN.md §1, SMSCore TextInput): no text field of a request body may
# hold U+0000, and an identifier no control character; both are a 400 naming the field. Stated as a
# pattern on every plain string of the request bodies (a replay's raw callback text is exempt).
NO_NUL = r"^[^\x00]*$"; NO_CONTROL = r"^[^\x00-\x1F\x7F]*$"
IDENTIFIERS = {"ProfileInput": ["userId"], "ProfilePatch": ["phone"], "Event": ["eventId", "userId", "name"], "ProviderInput": ["url"]}
def text_patterns(schema, identifiers=()):
    if not isinstance(schema, dict): return schema
    if schema.get("type") == "string" and "enum" not in schema and "pattern" not in schema and "format" not in schema:
        return {**schema, "pattern": NO_NUL}
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: ({**v, "pattern": NO_CONTROL} if k in identifiers and v.get("type") == "string" else text_patterns(v))
                             for k, v in out["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), dict): out[key] = text_patterns(out[key])
    for key in ("oneOf", "anyOf", "allOf"):
        if key in out: out[key] = [text_patterns(x) for x in out[key]]
    return out
for name in ["ProviderInput", "PresetInput", "ProviderAuth", "ProfileInput", "Goal", "CampaignInput", "Event", "ProfilePatch", "SegmentInput", "SegmentPatch", "WebhookInput", "WebhookPatch"]:
    schemas[name] = text_patterns(schemas[name], IDENTIFIERS.get(name, ()))
schemas["ProviderInput"]["properties"]["headers"]["additionalProperties"] = {
    **schemas["ProviderInput"]["properties"]["headers"].get("additionalProperties", S), "pattern": NO_CONTROL}
# A PATCH takes the fields of a creation, none required.
# One message (GET /api/v1/messages/{meta}): the log item plus its history.
schemas["MessageLogDetail"] = json.loads(json.dumps(schemas["MessageLogItem"]))
schemas["MessageLogDetail"]["properties"]["events"] = {"type": "array", "items": ref("MessageLogEvent"), "description": "the history in event-time order"}
schemas["MessageLogDetail"]["required"] = schemas["MessageLogDetail"]["required"] + ["events"]
schemas["ProviderPatch"] = {**json.loads(json.dumps(schemas["ProviderInput"])), "additionalProperties": False}
schemas["ProviderPatch"].pop("required", None)
schemas["CampaignPatch"] = {**json.loads(json.dumps(schemas["CampaignInput"])), "additionalProperties": False}
schemas["CampaignPatch"].pop("required", None)
for name in ["ProviderInput", "PresetInput", "ProviderAuth", "ProfileInput", "Goal", "CampaignInput", "Event", "ReplayInput", "ProviderPatch", "CampaignPatch", "RotationInput", "ProfilePatch", "SegmentPatch", "WebhookPatch"]:
    nullable_optionals(schemas[name])

# Request bodies are decoded by one strict decoder (SMSCore JSONBody.decode): a key the route does not
# take is a 400 naming it, so every object of a request body is closed (additionalProperties: false).
# Free-form objects (properties, defaults, headers, customValues) keep their additionalProperties.
# The provider as answered carries more fields than its input: its view gets an open copy first.
schemas["ProviderFields"] = json.loads(json.dumps(schemas["ProviderInput"]))
schemas["Provider"]["allOf"][0] = ref("ProviderFields")
def closed(schema):
    if not isinstance(schema, dict): return schema
    out = dict(schema)
    if "properties" in out:
        out["properties"] = {k: closed(v) for k, v in out["properties"].items()}
        out.setdefault("additionalProperties", False)
    for key in ("items",):
        if isinstance(out.get(key), dict): out[key] = closed(out[key])
    for key in ("oneOf", "anyOf", "allOf"):
        if key in out: out[key] = [closed(x) for x in out[key]]
    return out
REQUEST_SCHEMAS = ["ProviderInput", "PresetInput", "ProviderAuth", "ProfileInput", "Goal", "Variant", "CampaignInput", "Event", "ReplayInput", "RotationInput",
  "ProviderPatch", "CampaignPatch", "ProfilePatch", "SegmentInput", "SegmentPatch", "SegmentRule", "WebhookInput", "WebhookPatch"]
for name in REQUEST_SCHEMAS:
    schemas[name] = closed(schemas[name])
# A PATCH body is a merge patch (RFC 7396): application/merge-patch+json is taken as well as
# application/json. Any other Content-Type on a route with a body is a 415 (the server reads these
# content maps: AdminRequestContractMiddleware).
for path, ops in paths.items():
    content = ops.get("patch", {}).get("requestBody", {}).get("content", {})
    if "application/json" in content: content["application/merge-patch+json"] = content["application/json"]
# Open-ended query parameter names the server takes (x-query-prefixes; any other unknown query
# parameter is a 400 naming it): property.<name>=<value> filters of the profile list.
paths["/api/v1/profiles"]["get"]["x-query-prefixes"] = ["property."]
for path, method in [("/api/v1/campaigns/{id}/schedule", "post"), ("/api/v1/dashboard/login-links", "post")]:
    content = paths[path][method]["requestBody"]["content"]["application/json"]
    content["schema"] = closed(content["schema"])

# Links for stateful testing (schemathesis): a created provider or campaign feeds its id to the
# operations on it.
def link_ops(source, targets, param):
    links = {}
    for path, method, name in targets:
        ref = "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method
        links[name] = {"operationRef": ref, "parameters": {param: "$response.body#/id"}}
    source["links"] = links
link_ops(paths["/api/v1/providers"]["post"]["responses"]["201"], [
  ("/api/v1/providers/{id}", "get", "GetProvider"), ("/callbacks/{providerId}", "post", "PostCallback"),
  ("/callbacks/{providerId}", "get", "GetCallback")], "id")
for l in paths["/api/v1/providers"]["post"]["responses"]["201"]["links"].values():
    if "providerId" in l["operationRef"]: l["parameters"] = {"providerId": "$response.body#/id"}
link_ops(paths["/api/v1/campaigns"]["post"]["responses"]["201"], [
  (path, method, "".join(w.capitalize() for w in (method + path.replace("/api/v1/campaigns/{id}", "campaign")).replace(".", "/").replace("/", " ").split()))
  for path in paths if path.startswith("/api/v1/campaigns/{id}") for method in paths[path]], "id")
doc = {"openapi": "3.0.3", "info": {"title": "SMSStats API", "version": "1.0.0",
  "description": "Self-hosted SMS campaign engine. Admin routes need Authorization: Bearer <admin token>."},
  "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
  "security": [{"bearer": []}], "paths": paths}
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/SMSWeb/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
print(out)
