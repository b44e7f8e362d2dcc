import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A task executor backed by one dedicated OS thread with a raised nice value (Linux, per thread:
/// `setpriority(PRIO_PROCESS, 0, nice)` on the thread itself): the click journal's drainer runs its Swift work here
/// instead of on the shared concurrency pool, so a batch's encoding and planning never hold one
/// of the (on a 2-core node: two) pool threads that answer redirects, and the kernel's scheduler
/// gives the request threads the CPU first when both want it (nice 10: weight 110 against 1,024
/// for a request thread). Jobs run in the order they were enqueued.
///
/// The thread ends after ``shutdown()`` once its queue is empty; a job enqueued after that still
/// runs (on the global pool), so an awaiting task never hangs.
final class DrainThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopped = false
    /// The nice value the thread runs at (0–19; what `setpriority` accepted: see ``appliedNice``).
    let nice: Int32
    private let applied = NSLock()
    private var appliedValue: Int32?

    /// Starts the thread. `nice`: 0 (as the request threads) to 19 (lowest).
    init(name: String, nice: Int32) {
        self.nice = nice
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// The nice value in force on the thread (`nil` until it started or when `setpriority` failed).
    var appliedNice: Int32? { applied.withLock { appliedValue } }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let accepted = condition.withLock {
            guard !stopped else { return false }
            jobs.append(unowned)
            condition.signal()
            return true
        }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Lets the thread end once the jobs queued so far have run.
    func shutdown() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func run() {
        #if canImport(Glibc)
        // Linux keeps the nice value per thread: `who` 0 is the calling thread only.
        let ok = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        let value: Int32? = ok ? getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) : nil
        applied.withLock { appliedValue = value }
        #endif
        let executor = asUnownedTaskExecutor()
        while true {
            let batch: [UnownedJob] = condition.withLock {
                while jobs.isEmpty && !stopped { condition.wait() }
                defer { jobs.removeAll(keepingCapacity: true) }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
