import Foundation

/// The carrier / network a receipt reports for its message: an MCC-MNC code (ITU-T E.212: the
/// 3-digit mobile country code and the 2- or 3-digit mobile network code, e.g. `26202` for
/// Vodafone Germany), `docs/DOMAIN.md` §3 "Carrier / network".
///
/// Where it comes from: Vonage's DLR field `network-code`, the generic contract's optional item
/// field `network`. The other dialects carry none (Twilio's status callback, Kannel's DLR by
/// default, Jasmin's DLR).
///
/// **Decision:** a reported value is kept on the callback item as received (``CallbackItem/network``,
/// so the event log keeps the raw text); only a valid one (``valid(_:)``: 5 or 6 ASCII digits,
/// ``InputLimits/networkCodeDigits``, surrounding white space ignored) is stored on the message.
/// A bad value is ignored, never a refused receipt.
///
/// **Decision (order independence):** a message's network is the smallest valid code among all
/// its logged callback items (``merged(_:_:)``, digits compared as text): a join on a total order,
/// so the same set of callbacks gives the same network in any arrival order, and a re-delivery
/// changes nothing. Receipts of one message rarely name two networks (a number ported while the
/// message was under way); when they do, no receipt is more authoritative than another, and a
/// rule on the value alone does not move when event times are re-taken (`docs/DOMAIN.md` §4).
public enum NetworkCode {
    /// The code in `raw`, or `nil` when absent or not 5–6 ASCII digits after trimming white space.
    public static func valid(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let code = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard InputLimits.networkCodeDigits.contains(code.utf8.count),
            code.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return code
    }

    /// A message's network after one more item: the smaller of the stored code and the item's
    /// valid code (either may be absent). Commutative, associative and idempotent. The stores
    /// write it as a conditional update (`SET network = code WHERE network IS NULL OR network >
    /// code`, text compared byte by byte), the same join.
    /// - Parameters:
    ///   - stored: the message's code so far (already valid), or `nil`.
    ///   - reported: the item's raw value (``CallbackItem/network``), or `nil`.
    public static func merged(_ stored: String?, _ reported: String?) -> String? {
        guard let code = valid(reported) else { return stored }
        guard let stored else { return code }
        return Array(code.utf8).lexicographicallyPrecedes(Array(stored.utf8)) ? code : stored
    }
}
