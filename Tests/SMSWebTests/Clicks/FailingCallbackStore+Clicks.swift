import Foundation
import SMSCore
import Synchronization

/// Turns the click side of ``FailingCallbackStore`` off and on (a disk that fails, then recovers).
final class ClickFailureSwitch: Sendable {
    private let on = Mutex(false)
    /// Store calls that failed while on.
    let failures = Mutex(0)
    init(failing: Bool) { on.withLock { $0 = failing } }
    func set(_ failing: Bool) { on.withLock { $0 = failing } }
    func check() throws {
        if on.withLock({ $0 }) {
            failures.withLock { $0 += 1 }
            throw FailingCallbackStore.DiskIOError()
        }
    }
}

/// The click journal's store calls forward to the real store unless the switch is on.
extension FailingCallbackStore: ClickJournalStore {
    private var journalBase: any ClickJournalStore {
        guard let store = base as? any ClickJournalStore else { preconditionFailure("the base store must be a ClickJournalStore") }
        return store
    }
    func clickJournalPosition(journal: String) async throws -> ClickJournalPosition? {
        try clicks?.check()
        return try await journalBase.clickJournalPosition(journal: journal)
    }
    func applyJournaledClicks(_ clicks: [ClickInput], through position: ClickJournalPosition, journal: String) async throws {
        try self.clicks?.check()
        try await journalBase.applyJournaledClicks(clicks, through: position, journal: journal)
    }
    func shortLinkInfo(code: String) async throws -> ShortLinkInfo? {
        try clicks?.check()
        return try await journalBase.shortLinkInfo(code: code)
    }
}
