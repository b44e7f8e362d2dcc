import Logging
import ServiceLifecycle

/// Runs with the server and, on graceful shutdown, closes the click journal: queued records are
/// applied and the segment files deleted (whatever is left is replayed at the next start).
struct ClickJournalService: Service {
    let journal: ClickJournal

    func run() async throws {
        try? await gracefulShutdown()
        await journal.close()
    }
}
