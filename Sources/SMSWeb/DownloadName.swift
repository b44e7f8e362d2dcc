import Foundation

/// The `Content-Disposition` of a campaign download (the stats export, the message log export).
enum DownloadName {
    /// `attachment; filename="<id>-<suffix>"`, the campaign id kept to ASCII letters, digits, `_`
    /// and `-` (a header value never carries a quote, a line break or non-ASCII text from an id).
    static func attachment(campaignId: String, suffix: String) -> String {
        let name = String(
            campaignId.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") })
        return "attachment; filename=\"\(name)-\(suffix)\""
    }
}
