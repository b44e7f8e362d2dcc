import Foundation

/// Adapter for Kannel delivery reports, received on the `dlr-url` we configure per message as
/// `...?meta=<our meta>&type=%d&answer=%A&ts=%T&fid=%F`.
///
/// Sources: Kannel User's Guide, `dlr-url` escape codes and `dlr-mask` values
/// (`https://www.kannel.org/download/kannel-userguide-snapshot/userguide.html`: `%d` delivery report
/// value 1 delivered to phone, 2 non-delivered to phone, 4 queued on SMSC, 8 delivered to SMSC,
/// 16 non-delivered to SMSC; `%A` the SMSC's answer, for SMPP the receipt text; `%T` Unix time;
/// `%F` the foreign (SMSC) message id); SMPP 3.4 Appendix B receipt format
/// (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`); mapping per
/// `docs/DOMAIN.md` §3 "Other dialects" (dlr 1 delivered; 2, 16 failed; 4, 8 submitted).
///
/// Fields: `meta` (ours, as we put it in the URL), `type`, `answer`, `ts` (epoch seconds, the rule
/// of every `ts`, ``EpochTimestamp``: outside 1970 to 2100 the item is refused naming the field),
/// `fid` (→ `providerMessageId`).
public enum KannelCallback {
    /// The code used for a type 16 (SMSC reject) report whose answer carries no `err:` value.
    public static let smscRejectCode = "REJECTD"

    /// Maps a Kannel `%d` value to our event kind (`docs/DOMAIN.md` §3): 1 → `.delivered`;
    /// 2, 16 → `.failed`; 4, 8 → `.submitted`; anything else → `nil`, stored as an unknown status.
    public static func kind(forType type: String) -> CallbackEventKind? {
        switch type.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "1": return .delivered
        case "2", "16": return .failed
        case "4", "8": return .submitted
        default: return nil
        }
    }

    /// The `stat:` and `err:` values of an SMPP receipt text such as
    /// `"id:123 sub:001 dlvrd:000 submit date:2411291200 done date:2411291201 stat:UNDELIV err:001 text:hello"`.
    /// Only the part before `text:` is searched (the message text could contain anything); keys
    /// match case-insensitively at a word start; values run to the next whitespace.
    public static func receiptFields(_ answer: String) -> (stat: String?, err: String?) {
        let head = receiptHead(answer)
        return (value(of: "stat:", in: head), value(of: "err:", in: head))
    }

    /// Parses one delivery report from its query parameters.
    ///
    /// - Parameter params: the decoded query parameters.
    /// - Returns: one item, or one invalid entry when `meta`/`type` are missing, `meta` or `fid` is
    ///   refused by ``CallbackMeta``, `ts` is present but not epoch time from 1970 to 2100
    ///   (``EpochTimestamp``) or `type` is not a listed value. For failed items `code` is the receipt's `err:` value (type 16 without one:
    ///   `"REJECTD"`) and `description` is the answer without its `text:` part. `providerStatus` is
    ///   the receipt's `stat:` value, else the raw `type`. `ts` is `ts`.
    ///   Never throws.
    public static func parse(params: [String: String]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let raw = support.rawJSON(params)
        let meta = support.text(params["meta"])
        let type = support.text(params["type"])
        let missing = support.missing(["meta", "type"], in: params)
        guard let meta, let type else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: type)])
        }
        let checked = support.check(ids: ["meta", "fid"], times: [("ts", .epoch)], in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: type)])
        }
        guard let kind = kind(forType: type) else {
            return CallbackParseResult(invalid: [support.unknownStatus(type, raw: raw)])
        }
        let answer = support.text(params["answer"])
        let fields: (stat: String?, err: String?) = answer.map(receiptFields) ?? (nil, nil)
        var code: String?
        var description: String?
        if kind == .failed {
            code = fields.err ?? (type == "16" ? smscRejectCode : nil)
            description = answer.flatMap { support.text(receiptHead($0)) }
        }
        let item = CallbackItem(
            kind: kind, meta: meta, ts: checked.times["ts"],
            code: code, description: description,
            providerStatus: fields.stat ?? type, providerMessageId: support.text(params["fid"]))
        return CallbackParseResult(items: [item])
    }

    /// The receipt text before its `text:` field.
    private static func receiptHead(_ answer: String) -> String {
        let bytes = Array(answer.utf8)
        return String(decoding: bytes[..<receiptHeadEnd(bytes)], as: UTF8.self)
    }

    /// The bytes of a decoded `answer` value that are read as text: those before the receipt's
    /// `text:` field. Its `text:` field is the first 20 octets of the message's own `short_message`
    /// (SMPP 3.4 Appendix B) in the message's own data coding: the raw UTF-16BE of a UCS-2 message
    /// (`text:%00G%00r%00%FC…`), half a character or a concatenation header (`%05%00%03…`). Kannel
    /// passes them on as they came and says nothing of their coding (`%c` is `-1` and `%C` the
    /// request's charset in a DLR: seen with Kannel 1.4.5), so they are never decoded, and only the
    /// head has to be UTF-8 (``CallbackDialect/utf8CheckedPart(_:)``; `docs/PITFALLS.md #25`).
    /// - Parameters: `name`, the field's name; `value`, its percent-decoded bytes.
    /// - Returns: `value` whole for any field but `answer`.
    public static func utf8CheckedPart(name: String, value: [UInt8]) -> ArraySlice<UInt8> {
        name == "answer" ? value[..<receiptHeadEnd(value)] : value[...]
    }

    /// Where the receipt's `text:` key starts in `bytes` (case-insensitive, at the start or after
    /// ASCII white space), else `bytes.count`: the one reading of where a receipt's head ends.
    private static func receiptHeadEnd(_ bytes: [UInt8]) -> Int {
        let key = Array("text:".utf8)
        var i = 0
        while i + key.count <= bytes.count {
            if i == 0 || [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[i - 1]),
                zip(bytes[i..<(i + key.count)], key).allSatisfy({ ((0x41...0x5A).contains($0) ? $0 | 0x20 : $0) == $1 })
            {
                return i
            }
            i += 1
        }
        return bytes.count
    }

    private static func value(of key: String, in text: String) -> String? {
        guard let range = keyRange(key, in: text) else { return nil }
        let rest = text[range.upperBound...]
        let value = rest.prefix { !$0.isWhitespace }
        return value.isEmpty ? nil : String(value)
    }

    /// The first case-insensitive occurrence of `key` at the start of `text` or after whitespace.
    private static func keyRange(_ key: String, in text: String) -> Range<String.Index>? {
        var searchStart = text.startIndex
        while let range = text.range(of: key, options: [.caseInsensitive], range: searchStart..<text.endIndex) {
            if range.lowerBound == text.startIndex || text[text.index(before: range.lowerBound)].isWhitespace {
                return range
            }
            searchStart = range.upperBound
        }
        return nil
    }
}
