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
}
