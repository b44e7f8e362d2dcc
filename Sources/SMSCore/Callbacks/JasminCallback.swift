import Foundation

/// Adapter for Jasmin SMS Gateway delivery receipts thrown to our `dlr-url` (form fields on POST,
/// query parameters on GET; the `dlr-url`'s own query, with the `meta` of `$$DlrUrl`, comes back
/// either way).
///
/// Source: Jasmin documentation "Receiving DLR" (HTTP API,
/// `https://docs.jasminsms.com/en/latest/apis/ja-http/receiving-dlr.html`): level 1 DLRs carry `id`,
/// `message_status` (an SMPP command status such as `ESME_ROK`) and `level`; level 2/3 DLRs also
/// carry `id_smsc`, `sub`, `dlvrd`, `subdate`, `donedate` (`YYMMDDhhmm`), `err` and `text`, with
/// `message_status` the receipt state (`DELIVRD`, `UNDELIV`, ...). Jasmin resends a DLR (every
/// 30 s, 3 times by default) unless the answer is 200 with the exact body ``acknowledgement``.
/// Mapping per `docs/DOMAIN.md` §3 "Other dialects" (SMPP `stat` column).
///
/// Checked against Jasmin's source (jookies/jasmin 0.11, `jasmin/routing/throwers.py`
/// `DLRThrower.http_dlr_callback`, `jasmin/managers/dlr.py`): every DLR carries `id` (Jasmin's
/// message id, the one `/send` answers as `Success "<id>"`), `level`, `message_status` and
/// `connector`; level 2 adds `id_smsc`, `sub`, `dlvrd`, `subdate`, `donedate`, `err` (3 digits,
/// or `ND`) and `text`. At `dlr-level=3` a submit the SMSC accepts gives a level-1 `ESME_ROK`
/// DLR and later the receipt(s); a submit it refuses gives one level-1 `ESME_R…` DLR; at level 2
/// a refused submit gives no DLR at all (so the preset asks for level 3). Jasmin reports the
/// SMPP `message_state` ENROUTE (and any state it does not know) as `UNKNOWN`, a state it keeps
/// waiting after (not in its final states).
///
/// `meta` is the `meta` of our `dlr-url` query (``DeliveryReportURL``) when present, else `id`
/// (a provider that posts one URL for all messages is matched by the provider message id);
/// `providerMessageId` is always `id`.
public enum JasminCallback {
    /// The exact response body that acknowledges a DLR to Jasmin (HTTP 200, `text/plain`).
    public static let acknowledgement = "ACK/Jasmin"

    /// The level-2 fields Jasmin sets to `ND` when the SMSC's receipt text lacks them
    /// (`jasmin/protocols/smpp/operations.py` `isDeliveryReceipt`); read as absent.
    static let notDefinedFields: Set<String> = ["sub", "dlvrd", "subdate", "donedate", "err"]

    /// The fields ``parse(params:)`` reads: the only ones whose bytes must be UTF-8
    /// (``utf8CheckedPart(name:value:)``).
    public static let readFields: Set<String> = ["id", "message_status", "meta", "err", "donedate"]

    /// The bytes of a decoded field that must be UTF-8 (``CallbackDialect/utf8CheckedPart(_:)``):
    /// all of a field this dialect reads (``readFields``), none of any other. A level-2 DLR's
    /// `text` is what followed `text:` in the SMSC's receipt, the first 20 octets of the message in
    /// its own coding (SMPP 3.4 Appendix B): for a UCS-2 message raw UTF-16BE (`%00G%00r%00…`), or
    /// half a character. Jasmin 0.11 drops the octets that do not decode as UTF-8 before it posts,
    /// another release or a proxy may not; and `connector`, `id_smsc`, `sub`, `dlvrd`, `subdate`
    /// are not read either. So a byte that is not UTF-8 there never refuses the DLR: it counts,
    /// and the request is kept as received when it is refused for another reason
    /// (`docs/PITFALLS.md #25`).
    /// - Parameters: `name`, the field's name; `value`, its percent-decoded bytes.
    public static func utf8CheckedPart(name: String, value: [UInt8]) -> ArraySlice<UInt8> {
        readFields.contains(name) ? value[...] : value[value.startIndex..<value.startIndex]
    }

    /// Maps a `message_status` (case-insensitive) to our event kind:
    /// `DELIVRD` → `.delivered`; `UNDELIV`, `REJECTD`, `EXPIRED`, `DELETED` → `.failed`;
    /// `ACCEPTD`, `ENROUTE` → `.submitted` (`docs/DOMAIN.md` §3); `UNKNOWN` (how Jasmin reports
    /// ENROUTE, an intermediate state) → `.submitted`; level-1 `ESME_ROK` (the SMSC accepted the
    /// submit) → `.submitted`; any other `ESME_…` command status (the SMSC refused the submit, like
    /// Kannel's dlr 16) → `.failed`; anything else → `nil`, stored as an unknown status.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        let word = status.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        switch word {
        case "DELIVRD": return .delivered
        case "UNDELIV", "REJECTD", "EXPIRED", "DELETED": return .failed
        case "ACCEPTD", "ENROUTE", "UNKNOWN", "ESME_ROK": return .submitted
        default: return word.hasPrefix("ESME_R") ? .failed : nil
        }
    }

    /// Parses one DLR.
    ///
    /// - Parameter params: the decoded form or query parameters.
    /// - Returns: one item, or one invalid entry when `id`/`message_status` are missing, `id` or
    ///   `meta` is refused by ``CallbackMeta``, `donedate` is present but not an SMPP date, or the status is unknown. For failed items `code` is `err` (level 2/3) or the `ESME_…` status itself
    ///   (level 1); an `ND` in `sub`, `dlvrd`, `subdate`, `donedate` or `err` counts as absent. `ts` is `donedate` read as UTC (SMPP dates carry no zone; ``EventTime`` falls
    ///   back to the receive time when implausible), `nil` if absent. Never throws.
    public static func parse(params received: [String: String]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let raw = support.rawJSON(received)
        // `ND` ("not defined") is what Jasmin writes for a receipt field the SMSC's text lacks.
        let params = received.filter { !(notDefinedFields.contains($0.key) && $0.value == "ND") }
        let id = support.text(params["id"])
        let status = support.text(params["message_status"])
        let missing = support.missing(["id", "message_status"], in: params)
        guard let id, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let checked = support.check(ids: ["id", "meta"], texts: ["err"], times: [("donedate", .smpp)], in: params)
        if !checked.problems.isEmpty {
            return CallbackParseResult(invalid: [support.refused(checked.problems, raw: raw, event: status)])
        }
        guard let kind = kind(forStatus: status) else {
            return CallbackParseResult(invalid: [support.unknownStatus(status, raw: raw)])
        }
        var code: String?
        if kind == .failed {
            code = status.uppercased().hasPrefix("ESME_") ? status : support.text(params["err"])
        }
        let item = CallbackItem(
            kind: kind, meta: support.text(params["meta"]) ?? id,
            ts: checked.times["donedate"],
            code: code, providerStatus: status, providerMessageId: id)
        return CallbackParseResult(items: [item])
    }
}
