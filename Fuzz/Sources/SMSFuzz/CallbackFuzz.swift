import Foundation
import SMSCore

/// The callback parsers: the generic contract and the 7 dialects, through ``CallbackDialect``.
///
/// Properties, for every input and every dialect that reads it:
/// - parsing never traps, and the same input parses to the same result twice;
/// - a JSON body is refused as malformed exactly when ``JSONSyntax`` says it is not JSON, with the
///   same reason; a body that is JSON is never refused as malformed; a batch (generic, Gupshup)
///   whose only fault is a string that is not UTF-8 is read, and the entry holding it is refused
///   and kept with those bytes;
/// - at most `maxItems` items (valid plus invalid) come back;
/// - a valid item has a meta with a non-blank character, and in every dialect its meta and provider
///   message id pass ``CallbackMeta`` (one rule for all) and its `ts` is nil or 1970 to 2100
///   (``EpochTimestamp``); a click has a non-empty URL; a reply has its text (at most 512
///   characters in the generic contract);
/// - an invalid item has a reason and a raw text; its stored form is the bytes that arrived (a
///   JSON dialect's item a contiguous part of the body, Sinch and Vonage the body itself; a field
///   dialect's the field text itself), and
///   (``CallbackDialect/storedRaw(_:kind:fields:)``) parses again by its stored body kind
///   (``CallbackDialect/reparse(_:kind:bodyKind:maxItems:)``)
///   without error, to no valid item and an invalid one with the same reason (replay gives the
///   operator what they saw);
/// - form fields are read where the route reads them (``CallbackDialect/parse(kind:body:fieldText:bodyIsJSON:maxItems:now:)``):
///   a field given more than once makes the callback one invalid item naming the first such field.
enum CallbackFuzz {
    static let jsonKinds: [ProviderKind] = [.generic, .sinch, .gupshup, .vonage]
    static let fieldKinds: [ProviderKind] = [.twilio, .plivo, .jasmin, .kannel, .vonage]
    static let maxItems = 64

    static func json(_ bytes: [UInt8]) {
        let body = Data(bytes)
        let syntax = JSONSyntax.problem(in: body)
        for kind in jsonKinds {
            // Batches find their items on the bytes: a string that is not UTF-8 refuses its item.
            let batch = kind == .generic || kind == .gupshup
            let onlyStrings = batch && syntax == "the body is not valid UTF-8"
            let result: CallbackParseResult
            do {
                result = try CallbackDialect.parse(kind: kind, body: body, fields: [:], bodyIsJSON: true, maxItems: maxItems)
            } catch {
                switch error {
                case .malformedJSON(let reason):
                    check(syntax == reason, "\(kind): refused as malformed (\(reason)) but JSONSyntax says \(syntax ?? "valid JSON")")
                case .invalidUTF8:
                    check(syntax == "the body is not valid UTF-8", "\(kind): refused as invalid UTF-8 but JSONSyntax says \(syntax ?? "valid JSON")")
                case .invalidUTF8Fields:
                    check(false, "\(kind): a JSON body refused as invalid form fields: \(error)")
                case .notAnArray, .notAnObject, .groupNotAnObject, .tooManyItems:
                    check(syntax == nil || onlyStrings, "\(kind): refused as \(error) but JSONSyntax says \(syntax ?? "")")
                }
                continue
            }
            if onlyStrings {
                // The entry holding the bad bytes is refused and kept with them: for them (`… is not
                // valid UTF-8 (byte 0x…`), or for a reason that refuses it whole first (found by this
                // fuzzer: a group whose `event` is a number, a Gupshup element that is no object).
                check(result.invalid.contains { String(validating: $0.raw, as: UTF8.self) == nil },
                      "\(kind): read a body that is not UTF-8 without refusing an entry kept with its bytes: \(result.invalid.map(\.reason))")
            } else {
                check(syntax == nil, "\(kind): parsed a body that JSONSyntax refuses: \(syntax ?? "")")
            }
            checkResult(result, kind: kind, received: bytes, fieldText: nil)
            let again = try? CallbackDialect.parse(kind: kind, body: body, fields: [:], bodyIsJSON: true, maxItems: maxItems)
            check(again == result, "\(kind): the same body parsed twice gave different results")
        }
    }

    static func fields(_ bytes: [UInt8]) {
        // What the callback URL does with a form body (FormFields, the WHATWG rules).
        // The pairs are decoded where the route decodes them (a field given twice is an invalid item).
        let text = FormFields.received(form: bytes, query: "")
        let repeated = FormFields.repeatedNames(FormFields.pairs(String(decoding: text, as: UTF8.self)))
        for kind in fieldKinds {
            let result: CallbackParseResult
            do {
                result = try CallbackDialect.parse(kind: kind, body: Data(), fieldText: text, bodyIsJSON: false, maxItems: maxItems, now: nil)
            } catch {
                fail("\(kind): fields are never refused as a whole, got \(error) for \(RawBytes.escaped(text))")
            }
            checkResult(result, kind: kind, received: bytes, fieldText: text)
            if !repeated.isEmpty {
                check(result.items.isEmpty && result.invalid.count == 1
                      && result.invalid[0].reason.hasPrefix(FormFields.repeatedMessage(name: repeated[0].name, count: repeated[0].count)),
                      "\(kind): a field given twice is not one invalid item naming it: \(result)")
            }
            let again = try? CallbackDialect.parse(kind: kind, body: Data(), fieldText: text, bodyIsJSON: false, maxItems: maxItems, now: nil)
            check(again == result, "\(kind): the same fields parsed twice gave different results")
        }
    }

    static func checkResult(_ result: CallbackParseResult, kind: ProviderKind, received: [UInt8], fieldText: [UInt8]?) {
        check(result.items.count + result.invalid.count <= maxItems,
              "\(kind): \(result.items.count) valid + \(result.invalid.count) invalid items, more than maxItems \(maxItems)")
        for item in result.items {
            check(item.meta.contains(where: { !$0.isWhitespace }), "\(kind): valid item with a blank meta: \(item)")
            check(CallbackMeta.problem(item.meta) == nil, "\(kind): valid item whose meta CallbackMeta refuses: \(item)")
            if let id = item.providerMessageId {
                check(CallbackMeta.problem(id) == nil, "\(kind): valid item whose provider message id CallbackMeta refuses: \(item)")
            }
            if let ts = item.ts {
                check(ts >= 0 && ts <= 4_102_444_800, "\(kind): valid item with ts \(ts) outside 1970 to 2100: \(item)")
            }
            switch item.kind {
            case .clicked:
                check(!(item.url ?? "").isEmpty, "\(kind): valid click without a URL: \(item)")
            case .replied:
                check(item.incomingText != nil, "\(kind): valid reply without its text: \(item)")
                if kind == .generic {
                    check((item.incomingText ?? "").count <= GenericCallbackParser.maxIncomingTextLength,
                          "\(kind): reply text longer than \(GenericCallbackParser.maxIncomingTextLength) characters")
                }
            case .submitted, .delivered, .failed:
                break
            }
        }
        for bad in result.invalid {
            check(!bad.reason.isEmpty, "\(kind): invalid item without a reason: \(bad)")
            check(!bad.raw.isEmpty, "\(kind): invalid item without its raw text: \(bad)")
            let stored = CallbackDialect.storedRaw(bad, kind: kind, fields: fieldText)
            if let fieldText {
                check(stored == fieldText, "\(kind): an invalid item of fields is not stored as the field text")
            } else if kind == .sinch || kind == .vonage {
                check(stored == received, "\(kind): an invalid report is not stored as the body")
            } else if kind == .gupshup, bad.raw.first == UInt8(ascii: "{") {
                check(contains(received, bad.raw), "\(kind): an invalid event is not stored as its bytes in the body: \(bad.raw)")
            }
            let replayed: CallbackParseResult
            do {
                // As the replay route does: by the body kind stored with the error.
                replayed = try CallbackDialect.reparse(
                    stored, kind: kind, bodyKind: fieldText == nil ? .json : .fields, maxItems: maxItems)
            } catch {
                fail("\(kind): the stored form of an invalid item cannot be parsed again (\(error)): \(stored)")
            }
            check(replayed.items.isEmpty, "\(kind): replaying a stored invalid item gave valid items \(replayed.items): \(stored)")
            check(replayed.invalid.contains { $0.reason == bad.reason },
                  "\(kind): replaying a stored invalid item changed its reason from \"\(bad.reason)\" to \(replayed.invalid.map(\.reason)): \(stored)")
        }
    }

    /// Whether `part` occurs contiguously in `whole`.
    static func contains(_ whole: [UInt8], _ part: [UInt8]) -> Bool {
        guard !part.isEmpty, part.count <= whole.count else { return part.isEmpty }
        for start in 0...(whole.count - part.count) where whole[start] == part[0] {
            if whole[start..<(start + part.count)].elementsEqual(part) { return true }
        }
        return false
    }
}
