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
}
