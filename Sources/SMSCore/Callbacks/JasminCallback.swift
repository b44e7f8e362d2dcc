import Foundation

/// Adapter for Jasmin SMS Gateway delivery receipts thrown to our `dlr-url` (form fields on POST,
/// query parameters on GET).
///
/// Source: Jasmin documentation "Receiving DLR" (HTTP API,
/// `https://docs.jasminsms.com/en/latest/apis/ja-http/receiving-dlr.html`): level 1 DLRs carry `id`,
/// `message_status` (an SMPP command status such as `ESME_ROK`) and `level`; level 2/3 DLRs also
/// carry `id_smsc`, `sub`, `dlvrd`, `subdate`, `donedate` (`YYMMDDhhmm`), `err` and `text`, with
/// `message_status` the receipt state (`DELIVRD`, `UNDELIV`, ...). Jasmin resends a DLR (every
/// 30 s, 3 times by default) unless the answer is 200 with the exact body ``acknowledgement``.
/// Mapping per `docs/DOMAIN.md` §3 "Other dialects" (SMPP `stat` column).
///
/// Jasmin only reports its own id, so `meta` and `providerMessageId` are both `id`.
public enum JasminCallback {
    /// The exact response body that acknowledges a DLR to Jasmin (HTTP 200, `text/plain`).
    public static let acknowledgement = "ACK/Jasmin"

    /// Maps a `message_status` (case-insensitive) to our event kind:
    /// `DELIVRD` → `.delivered`; `UNDELIV`, `REJECTD`, `EXPIRED`, `DELETED` → `.failed`;
    /// `ACCEPTD`, `ENROUTE` → `.submitted` (`docs/DOMAIN.md` §3); level-1 `ESME_ROK` (the SMSC accepted
    /// the submit) → `.submitted`; any other `ESME_…` command status (the SMSC refused the submit,
    /// like Kannel's dlr 16) → `.failed`; anything else (e.g. `UNKNOWN`) → `nil`, stored as an
    /// unknown status.
    public static func kind(forStatus status: String) -> CallbackEventKind? {
        let word = status.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        switch word {
        case "DELIVRD": return .delivered
        case "UNDELIV", "REJECTD", "EXPIRED", "DELETED": return .failed
        case "ACCEPTD", "ENROUTE", "ESME_ROK": return .submitted
        default: return word.hasPrefix("ESME_R") ? .failed : nil
        }
    }

    /// Parses one DLR.
    ///
    /// - Parameter params: the decoded form or query parameters.
    /// - Returns: one item, or one invalid entry when `id`/`message_status` are missing, `id` is
    ///   refused by ``CallbackMeta``, `donedate` is present but not an SMPP date, or the status is unknown. For failed items `code` is `err` (level 2/3) or the `ESME_…` status itself
    ///   (level 1). `ts` is `donedate` read as UTC (SMPP dates carry no zone; ``EventTime`` falls
    ///   back to the receive time when implausible), `nil` if absent. Never throws.
    public static func parse(params: [String: String]) -> CallbackParseResult {
        let support = CallbackDialectSupport.self
        let raw = support.rawJSON(params)
        let id = support.text(params["id"])
        let status = support.text(params["message_status"])
        let missing = support.missing(["id", "message_status"], in: params)
        guard let id, let status else {
            return CallbackParseResult(invalid: [support.missingFields(missing, raw: raw, event: status)])
        }
        let checked = support.check(ids: ["id"], texts: ["err"], times: [("donedate", .smpp)], in: params)
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
            kind: kind, meta: id,
            ts: checked.times["donedate"],
            code: code, providerStatus: status, providerMessageId: id)
        return CallbackParseResult(items: [item])
    }
}
