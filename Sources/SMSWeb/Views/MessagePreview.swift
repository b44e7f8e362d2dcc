import Foundation
import SMSCore

/// The counts the new-campaign form shows under the message, computed on the server with the
/// core's own rules, so the form works without JavaScript (the page's script recomputes the same
/// numbers live while typing, from the alphabets and limits written into the form).
///
/// - `characters`: characters as typed (grapheme clusters).
/// - `links`: http(s) URLs found by ``LinkExtractor`` (each becomes a short link; at most
///   ``CampaignDraft/maxLinks``).
/// - `sent`: ``SegmentCounter`` on the body **as it will be sent**, every link replaced by a short
///   link of `shortLinkLength` characters (`{public URL}/l/` + a 10-character code).
/// - `costWarning`: ``EncodingCostWarning`` on that body (UCS-2 or a spilled segment that
///   multiplies the cost), computed on the server only (shown after "Update counts").
struct MessagePreview: Equatable {
    var characters: Int
    var links: Int
    var sent: SegmentCount
    var shortLinkLength: Int
    /// What the body's encoding or length costs extra (``EncodingCostWarning``), on the body as sent.
    var costWarning: EncodingCostWarning?

    init(body: String, linkBaseURL: String) {
        let sample = "\(linkBaseURL)/l/" + String(repeating: "0", count: ShortCode.length)
        shortLinkLength = sample.count
        characters = body.count
        let extracted = LinkExtractor.extract(from: body)
        links = extracted.count
        let asSent = LinkExtractor.rewrite(body, links: extracted) { _, _ in sample }
        sent = SegmentCounter.count(asSent)
        costWarning = EncodingCostWarning.check(asSent)
    }

    /// Characters per SMS for the sent body's encoding and length: 160/153 (GSM-7), 70/67 (UCS-2).
    var perSegment: Int {
        switch sent.encoding {
        case .gsm7: sent.segments > 1 ? SegmentCounter.gsm7MultiPart : SegmentCounter.gsm7SinglePart
        case .ucs2: sent.segments > 1 ? SegmentCounter.ucs2MultiPart : SegmentCounter.ucs2SinglePart
        }
    }

    var encodingName: String { sent.encoding == .gsm7 ? "GSM-7" : "UCS-2 (Unicode)" }

    var object: [String: Any] {
        [
            "characters": characters, "links": links, "units": sent.units, "segments": sent.segments,
            "encoding": encodingName, "perSegment": perSegment, "tooManyLinks": links > CampaignDraft.maxLinks,
            "maxLinks": CampaignDraft.maxLinks, "shortLinkLength": shortLinkLength,
            "segmentsWord": sent.segments == 1 ? "segment" : "segments", "linksWord": links == 1 ? "link" : "links",
            "costWarning": costWarning?.message() ?? "", "hasCostWarning": costWarning != nil,
        ]
    }
}
