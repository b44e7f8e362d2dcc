import Foundation
import Testing

@testable import SMSCore

@Suite("IANA zone names")
struct IANAZoneTests {
    @Test("real names resolve", arguments: ["Europe/Berlin", "America/Port-au-Prince", "Etc/GMT+2", "America/Argentina/Buenos_Aires"])
    func known(_ name: String) {
        #expect(IANAZone.named(name)?.identifier == name)
    }

    @Test("UTC resolves (Foundation names it GMT), offset 0")
    func utc() {
        #expect(IANAZone.named("UTC")?.secondsFromGMT() == 0)
    }

    @Test("a name with a character outside [A-Za-z0-9_+-/] is refused, even after its prefix resolved",
          arguments: ["Europe/Berlin\u{0}garbage", "Europe/Berlin ", " UTC", "Europe/Berlin%00", "Europe\\Berlin", "", "Europe/Bérlin"])
    func refused(_ name: String) {
        #expect(IANAZone.named("Europe/Berlin") != nil)
        #expect(IANAZone.named(name) == nil)
    }

    @Test("a fixed offset Foundation would read is no zone (issue 12); the IANA Etc/GMT names are",
          arguments: ["GMT+14", "GMT-5", "UTC+1", "UTC-05:00", "GMT+0530", "GMT+14:00", "GMT+0", "GMT-0"])
    func offsets(_ name: String) {
        #expect(IANAZone.named(name) == nil)
        #expect(IANAZone.problem(name, field: "tz")
            == "tz must be an IANA time zone name such as Europe/Berlin, or UTC (got '\(name)'); a fixed UTC offset is no zone name (Etc/GMT-14 is the IANA name of UTC+14)")
        #expect(IANAZone.named("Etc/GMT-14")?.secondsFromGMT() == 14 * 3_600)
        #expect(IANAZone.problem("Etc/GMT-14", field: "tz") == nil)
    }

    @Test("a stored legacy offset still reads (its offset in seconds) and maps to its IANA name when it has one; a name that is no zone does not",
          arguments: [
            ("GMT+14", 50_400, "Etc/GMT-14"), ("GMT-5", -18_000, "Etc/GMT+5"), ("GMT+0", 0, "UTC"), ("GMT-12", -43_200, "Etc/GMT+12"),
            ("GMT+0530", 19_800, "GMT+0530"), ("Europe/Berlin", 3_600, "Europe/Berlin"), ("Etc/GMT-14", 50_400, "Etc/GMT-14"),
          ])
    func stored(_ name: String, seconds: Int, canonical: String) {
        #expect(IANAZone.stored(name)?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_700_000_000)) == seconds)
        #expect(IANAZone.canonical(name) == canonical)
        // The mapped name is one new input takes, with the same offset.
        if canonical != name {
            #expect(IANAZone.named(canonical)?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_700_000_000)) == seconds)
        }
    }

    @Test("stored(_:) is nil for a name that is no zone; canonical(_:) leaves it alone")
    func storedNoZone() {
        for name in ["Nowhere/Land", "", "GMT+14\u{0}", "gmt+14 "] {
            #expect(IANAZone.stored(name) == nil, "\(name)")
            #expect(IANAZone.canonical(name) == name)
        }
    }

    @Test("a PATCH's draft of a campaign stored with GMT+14 takes Etc/GMT-14, which passes the strict check")
    func draftOfLegacyCampaign() {
        let campaign = Campaign(
            id: "c1", name: "n", providerId: "p1", body: "b", links: [], audience: .all, timezone: "GMT+14", goal: nil, createdAt: 0)
        #expect(CampaignDraft(campaign).timezone == "Etc/GMT-14")
        #expect(campaign.duplicated(id: "c2", now: 1).timezone == "Etc/GMT-14")
    }
}
