import SMSCore
import Testing

@Suite("SuspectClaim: claims re-queued after a crash go alone")
struct SuspectClaimTests {
    @Test("every combination of the two facts")
    func decisions() {
        #expect(SuspectClaim.decide(suspectQueued: true, suspectInFlight: false) == .suspect)
        #expect(SuspectClaim.decide(suspectQueued: true, suspectInFlight: true) == .fresh(waitIfNone: true))
        #expect(SuspectClaim.decide(suspectQueued: false, suspectInFlight: true) == .fresh(waitIfNone: false))
        #expect(SuspectClaim.decide(suspectQueued: false, suspectInFlight: false) == .fresh(waitIfNone: false))
    }

    @Test("a suspect claim takes 1 of any request size; a fresh one the whole request")
    func limits() {
        #expect(SuspectClaim.suspect.limit(100) == 1)
        #expect(SuspectClaim.suspect.limit(1) == 1)
        #expect(SuspectClaim.fresh(waitIfNone: true).limit(100) == 100)
        #expect(SuspectClaim.fresh(waitIfNone: false).limit(7) == 7)
    }
}
