import Foundation
import Logging
import SMSCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The redirect's crash-safe write-behind click journal.
///
/// **Append** (``append(_:)``, before the 302 is sent): the hit is encoded as one line
/// (``ClickJournalRecord``) and written to the current segment file with ONE `write(2)`, appends
/// serialised by a lock. Once `write(2)` has returned, the bytes are in the kernel's page cache:
/// they survive a crash of the process (`kill -9`, a trap), and are lost only if the machine
/// itself goes down before the kernel writes them back. That is the same durability as the
/// SQLite store it feeds: WAL mode with `PRAGMA synchronous = NORMAL` does not fsync at commit
/// either, so the last commits also live only in the page cache until a checkpoint. Redirects
/// answered before the journal would be weaker (a process crash loses them); fsync per hit would
/// be stronger than the store itself.
///
/// **Drain**: a background task applies queued records to the store in batches (at most
/// ``Options/maxBatch``) through ``ClickJournalStore/applyJournaledClicks(_:through:journal:)``,
/// which stores the clicks (the same semantics as a synchronous redirect) and the journal position
/// they reach in one transaction. **Start-up** (``open(directory:store:options:logger:nodeId:)``): every record
/// past the stored position is applied before the journal (and the server) accepts hits, so each
/// record is applied exactly once whatever moment a crash hit. A torn last record (no `\n`) and a
/// line failing its checksum are skipped and logged. Segments rotate at
/// ``Options/segmentBytes`` and at least every ``Options/segmentSeconds``; fully applied ones are
/// deleted. An erasure runs inside ``forgetting(timeout:_:)``, which leaves no file holding a hit
/// from before it.
///
/// **Identity** (``id``): kept in the file `journal-id` of the directory, created on first open.
/// A store shared by several servers (PostgreSQL) stores one position per journal id, so a node
/// finds its own position again after a restart under any node id. One process at a time owns a
/// directory (an exclusive `flock` on `journal.lock`): a second server given the same directory
/// refuses to start instead of applying the same records twice.
///
/// **Bounded memory**: records not yet applied are also queued in memory (parsed once). When more
/// than ``Options/maxBacklog`` are queued, or the last ``Options/failuresBeforeFallback`` batches
/// failed, ``append(_:)`` returns `false` and the redirect records its hit synchronously instead
/// (group commit, answered after its commit; a store failure there is a 503).
public final class ClickJournal: @unchecked Sendable {
    public struct Options: Sendable {
        /// Queued (not yet applied) records above which redirects wait for their commit instead.
        public var maxBacklog = 50_000
        /// Most records per store transaction.
        public var maxBatch = 1_000
        /// A segment file is closed and a new one started once it would exceed this many bytes.
        public var segmentBytes: Int64 = 64 << 20
        /// Consecutive failed batches after which redirects wait for their commit instead.
        public var failuresBeforeFallback = 3
        /// Run the background drainer (`false`: tests call ``drainOnce()`` themselves).
        public var autoDrain = true
        /// Shortest time between the starts of two batches while fewer than ``maxBatch`` records
        /// wait: hits arriving meanwhile go into the same transaction (fewer commits, less CPU
        /// taken from the requests). Reads see a click at most about this much later. 50 ms: in
        /// the redirect benchmark 0.60–0.65 of the constant rate against 0.54–0.62 at 20 ms
        /// (BENCHMARKS.md "redirect"); stats a twentieth of a second late are still current.
        public var batchInterval: Duration = .milliseconds(50)
        /// Pause after a failed batch, times the number of consecutive failures (at most 10×).
        public var retryDelay: Duration = .milliseconds(100)
        /// Longest time a segment takes new hits: with ``autoDrain``, a segment holding records is
        /// closed this often and deleted once applied (``retire()``), so a journal file keeps an
        /// applied hit (its user agent and IP hash) for about this long, at most about twice
        /// this; a node whose journal never saw an erasure forgets the erased person's hits within
        /// that time (`docs/ARCHITECTURE.md` "Click journal").
        public var segmentSeconds: Duration = .seconds(60)
        /// The drainer's own thread runs at this nice value (``DrainThread``; Linux, 0–19), so the
        /// redirects get the CPU first and a batch never holds a thread of the shared pool;
        /// `nil`: the drainer runs on the shared pool like the requests. While more than
        /// ``urgentBacklog`` records wait, batches run on the shared pool at the requests'
        /// priority (the backlog cannot grow for want of CPU). Measured in BENCHMARKS.md
        /// "The drain yields to the redirects".
        public var drainNice: Int32? = 10
        /// Backlog above which batches run at the requests' priority (see ``drainNice``); below
        /// ``maxBacklog``, where redirects start waiting for their commit.
        public var urgentBacklog = 20_000
        public init() {}
    }

    /// What start-up found in the journal.
    public struct RecoveryReport: Sendable, Equatable {
        /// The stored position replay started from (`nil`: none stored).
        public var from: ClickJournalPosition?
        /// Records applied at start-up (they were journaled but not yet applied).
        public var replayed = 0
        /// Segment files read.
        public var segments = 0
        /// Bytes of torn last records ignored (no `\n`).
        public var tornBytes = 0
        /// Complete lines skipped: checksum mismatch or not a record.
        public var corrupt = 0
    }

    struct Entry {
        var click: ClickInput
        var position: ClickJournalPosition
    }

    public let directory: URL
    /// The journal's id (file `journal-id`): the key of its position in the store.
    public let id: String
    let store: any ClickJournalStore
    let options: Options
    let logger: Logger
    /// What ``open(directory:store:options:logger:)`` replayed.
    public let recovery: RecoveryReport

    private let lock = NSLock()
    // Guarded by `lock`.
    private var fd: Int32 = -1
    private var segment: Int64
    private var offset: Int64 = 0
    private var oldestSegment: Int64
    private var queue: [Entry] = []
    private var head = 0
    private var applying = false
    private var failures = 0
    private var closed = false
    private var wakeDrainer: CheckedContinuation<Void, Never>?
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var drainerTask: Task<Void, Never>?
    private var retireTask: Task<Void, Never>?
    /// The position of the last record applied (`nil`: none since opening).
    private var applied: ClickJournalPosition?
    private var drainThread: DrainThread?
    private var paused = false
    private var refused = 0
    /// The open `journal.lock` (exclusive `flock`), closed by ``close()``.
    private var lockFD: Int32

    private init(
        directory: URL, id: String, lockFD: Int32, store: any ClickJournalStore, options: Options, logger: Logger,
        recovery: RecoveryReport, segment: Int64
    ) {
        self.directory = directory
        self.id = id
        self.lockFD = lockFD
        self.store = store
        self.options = options
        self.logger = logger
        self.recovery = recovery
        self.segment = segment
        self.oldestSegment = segment
    }

    /// Opens the journal in `directory` (created if missing): takes the directory's lock, reads or
    /// creates its id, applies every record past the store's position of this journal, deletes
    /// the replayed segments, starts a new segment and, with ``Options/autoDrain``, the drainer.
    /// - Parameter nodeId: the server's node id, the start of a new journal's id (`<nodeId>.<12
    ///   hex digits>`; `journal.<…>` without one), so an operator sees whose journal a stored
    ///   position is. An existing journal keeps its id.
    /// - Throws: the store's error (replay stops; nothing is lost, the next start retries),
    ///   ``JournalLockedError`` when another process holds the directory, or a file error when the
    ///   directory, its id or the new segment cannot be created.
    public static func open(
        directory: URL, store: any ClickJournalStore, options: Options = Options(), logger: Logger, nodeId: String? = nil
    ) async throws -> ClickJournal {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lockFD = try lockDirectory(directory)
        let id: String
        let position: ClickJournalPosition?
        do {
            id = try journalId(directory, nodeId: nodeId)
            position = try await store.clickJournalPosition(journal: id)
        } catch {
            Glibc.close(lockFD)
            throw error
        }
        do {
            return try await open(
                directory: directory, id: id, lockFD: lockFD, position: position, store: store, options: options, logger: logger)
        } catch {
            Glibc.close(lockFD)
            throw error
        }
    }

    private static func open(
        directory: URL, id: String, lockFD: Int32, position: ClickJournalPosition?, store: any ClickJournalStore,
        options: Options, logger: Logger
    ) async throws -> ClickJournal {
        var report = RecoveryReport(from: position)
        var last = position?.segment ?? 0
        for (number, url) in try ClickJournalSegment.list(directory) {
            last = max(last, number)
            if let position, number < position.segment {
                try FileManager.default.removeItem(at: url)
                continue
            }
            let bytes = [UInt8](try Data(contentsOf: url))
            var start = position?.segment == number ? Int(position?.offset ?? 0) : 0
            if start > bytes.count {
                logger.error("click journal: stored position past the end of the file", metadata: ["file": "\(url.lastPathComponent)", "position": "\(start)", "size": "\(bytes.count)"])
                start = bytes.count
            }
            let scan = ClickJournalSegment.scan(bytes, from: start)
            report.segments += 1
            for c in scan.corrupt {
                logger.warning("click journal: damaged record skipped", metadata: ["file": "\(url.lastPathComponent)", "offset": "\(c.offset)", "reason": "\(c.reason)"])
            }
            report.corrupt += scan.corrupt.count
            if scan.tornBytes > 0 {
                logger.warning("click journal: torn last record ignored", metadata: ["file": "\(url.lastPathComponent)", "bytes": "\(scan.tornBytes)"])
                report.tornBytes += scan.tornBytes
            }
            var i = 0
            while i < scan.records.count {
                let chunk = scan.records[i..<min(i + options.maxBatch, scan.records.count)]
                try await store.applyJournaledClicks(
                    chunk.map(\.click), through: ClickJournalPosition(segment: number, offset: chunk.last!.end), journal: id)
                i += chunk.count
            }
            report.replayed += scan.records.count
            try FileManager.default.removeItem(at: url)
        }
        if report.segments > 0 {
            logger.info("click journal: replayed", metadata: ["journal": "\(id)", "records": "\(report.replayed)", "segments": "\(report.segments)", "from": "\(position.map { "\($0)" } ?? "start")"])
        }
        let journal = ClickJournal(
            directory: directory, id: id, lockFD: lockFD, store: store, options: options, logger: logger, recovery: report,
            segment: last + 1)
        try journal.lock.withLock { try journal.openSegment() }
        if options.autoDrain {
            journal.startDrainer()
            journal.startRetiring()
        }
        return journal
    }

    /// Another process holds the journal directory (its `journal.lock`).
    public struct JournalLockedError: Error, CustomStringConvertible {
        public var directory: String
        public var description: String {
            "the click journal \(directory) is in use by another process (one server per journal directory)"
        }
    }

    /// Takes the exclusive `flock` of `<directory>/journal.lock` without waiting; the kernel drops
    /// it when the process dies, so a SIGKILLed server's restart gets it again.
    static func lockDirectory(_ directory: URL) throws -> Int32 {
        let path = directory.appendingPathComponent("journal.lock").path
        let f = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw JournalFileError(path: path, errno: errno) }
        guard flock(f, LOCK_EX | LOCK_NB) == 0 else {
            let e = errno
            Glibc.close(f)
            if e == EWOULDBLOCK { throw JournalLockedError(directory: directory.path) }
            throw JournalFileError(path: path, errno: e)
        }
        return f
    }

    /// The id in `<directory>/journal-id`, created (written to a temporary file, then renamed) when
    /// missing: `<nodeId>.<12 hex digits>`, or `journal.<…>`.
    static func journalId(_ directory: URL, nodeId: String?) throws -> String {
        let file = directory.appendingPathComponent("journal-id")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !id.isEmpty { return id }
        }
        let id = (nodeId ?? "journal") + "." + String(ClickJournalRecord.newClickId().suffix(12))
        let temporary = directory.appendingPathComponent("journal-id.new")
        try Data((id + "\n").utf8).write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else { throw JournalFileError(path: file.path, errno: errno) }
        return id
    }

    /// Opens the current segment file for appending. Caller holds `lock`.
    private func openSegment() throws {
        let path = directory.appendingPathComponent(ClickJournalSegment.fileName(segment)).path
        let f = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw JournalFileError(path: path, errno: errno) }
        fd = f
        offset = Int64(lseek(f, 0, SEEK_END))
    }

    struct JournalFileError: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "cannot open \(path): \(String(cString: strerror(errno)))" }
    }

    /// Journals one hit (``ClickInput/clickId`` is set here when missing). Returns `true` once the
    /// record is written (the caller may answer the redirect), `false` when the caller must record
    /// the hit synchronously: backlog over ``Options/maxBacklog``, the store failing, the journal
    /// closed, or the write failed (a partial write is cut off again, so the file stays a sequence
    /// of whole records).
    public func append(_ click: ClickInput) -> Bool {
        var click = click
        if click.clickId == nil { click.clickId = ClickJournalRecord.newClickId() }
        let line = ClickJournalRecord.encode(click)
        var failure: String?
        let (ok, wake): (Bool, CheckedContinuation<Void, Never>?) = lock.withLock {
            guard !closed, queue.count - head < options.maxBacklog, failures < options.failuresBeforeFallback else {
                refused += 1
                return (false, nil)
            }
            do {
                if fd >= 0, offset > 0, offset + Int64(line.count) > options.segmentBytes {
                    Glibc.close(fd)
                    fd = -1
                    segment += 1
                }
                if fd < 0 { try openSegment() }
            } catch {
                failure = "\(error)"
                return (false, nil)
            }
            let n = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n == line.count else {
                failure = n < 0 ? String(cString: strerror(errno)) : "short write (\(n) of \(line.count) bytes)"
                if n > 0 { _ = ftruncate(fd, off_t(offset)) }
                return (false, nil)
            }
            offset += Int64(n)
            queue.append(Entry(click: click, position: ClickJournalPosition(segment: segment, offset: offset)))
            if paused { return (true, nil) }
            let w = wakeDrainer
            wakeDrainer = nil
            return (true, w)
        }
        wake?.resume()
        if let failure { logger.error("click journal: append failed; recording synchronously", metadata: ["error": "\(failure)"]) }
        return ok
    }

    /// Appends refused so far (backlog over its limit, store failing, or closed): hits recorded
    /// synchronously instead.
    public var fallbacks: Int { lock.withLock { refused } }

    /// Records journaled but not yet applied.
    public var backlog: Int { lock.withLock { queue.count - head } }

    /// Holds (`true`) or releases (`false`) the background drainer: benchmarks measure the
    /// redirect without the drain's share of the CPU, then release it and wait in ``drained()``.
    /// Hits are still journaled while held (up to ``Options/maxBacklog``).
    public func holdDrain(_ hold: Bool) {
        let wake: CheckedContinuation<Void, Never>? = lock.withLock {
            paused = hold
            guard !hold else { return nil }
            defer { wakeDrainer = nil }
            return wakeDrainer
        }
        wake?.resume()
    }

    /// The nice value of the drainer's thread in force (`nil`: on the shared pool, or
    /// `setpriority` refused).
    public var drainerNice: Int32? { lock.withLock { drainThread }?.appliedNice }

    /// Returns once every record appended so far is applied (at once when none is pending).
    /// Tests and the demo call it before reading stats; it does not return while the store fails.
    public func drained() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lock.withLock {
                if queue.count == head { return true }
                drainWaiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Applies the next batch (at most ``Options/maxBatch`` queued records) and stores its
    /// position; returns how many records were applied (0: none queued, another batch running,
    /// or the store failed: the records stay queued). The drainer calls it; tests with
    /// `autoDrain == false` call it by hand.
    @discardableResult
    public func drainOnce() async -> Int {
        let batch: [Entry] = lock.withLock {
            guard !applying, queue.count > head else { return [] }
            applying = true
            return Array(queue[head..<min(head + options.maxBatch, queue.count)])
        }
        guard let through = batch.last?.position else { return 0 }
        do {
            try await store.applyJournaledClicks(batch.map(\.click), through: through, journal: id)
        } catch {
            let n = lock.withLock {
                applying = false
                failures += 1
                return failures
            }
            logger.error("click journal: applying a batch failed", metadata: ["records": "\(batch.count)", "failures": "\(n)", "error": "\(error)"])
            return 0
        }
        let (waiters, obsolete): ([CheckedContinuation<Void, Never>], Range<Int64>) = lock.withLock {
            applying = false
            failures = 0
            applied = through
            head += batch.count
            if head >= 4_096, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            let obsolete = oldestSegment..<through.segment
            oldestSegment = max(oldestSegment, through.segment)
            guard queue.count == head else { return ([], obsolete) }
            defer { drainWaiters = [] }
            return (drainWaiters, obsolete)
        }
        for n in obsolete {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(ClickJournalSegment.fileName(n)))
        }
        for w in waiters { w.resume() }
        return batch.count
    }

    private func startDrainer() {
        let thread = options.drainNice.map { DrainThread(name: "click-journal-drain", nice: $0) }
        let body: @Sendable () async -> Void = { [self] in
            while true {
                let (work, stop) = lock.withLock { (queue.count > head && (!paused || closed), closed) }
                if !work {
                    if stop { return }
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let now = lock.withLock {
                            if (queue.count > head && !paused) || closed { return true }
                            wakeDrainer = c
                            return false
                        }
                        if now { c.resume() }
                    }
                    continue
                }
                let started = ContinuousClock.now
                let count: Int
                if thread != nil, backlog > options.urgentBacklog {
                    // Falling behind: this batch at the requests' priority.
                    count = await withTaskExecutorPreference(globalConcurrentExecutor) { await drainOnce() }
                } else {
                    count = await drainOnce()
                }
                if count > 0 {
                    let wait = options.batchInterval - (ContinuousClock.now - started)
                    if wait > .zero, backlog < options.maxBatch, !lock.withLock({ closed }) { try? await Task.sleep(for: wait) }
                } else {
                    let (stop, n) = lock.withLock { (closed, failures) }
                    if stop { return }
                    if n > 0 { try? await Task.sleep(for: options.retryDelay * min(n, 10)) }
                }
            }
        }
        let task = thread.map { Task(executorPreference: $0, operation: body) } ?? Task(operation: body)
        lock.withLock {
            drainerTask = task
            drainThread = thread
        }
    }

    /// Hits journaled before ``forgetting(timeout:_:)`` could not all be applied in time (the
    /// store failing or far behind).
    public struct NotAppliedError: Error, CustomStringConvertible {
        public var pending: Int
        public var description: String {
            "the click journal still holds \(pending) hit(s) not yet applied to the database"
        }
    }

    /// Runs `body` (an erasure) between two steps that leave no journal file holding a hit that
    /// came before it:
    /// 1. the current segment is closed (later hits go to a new file) and every record written
    ///    so far is applied to the store (waiting at most `timeout`), so `body` sees every hit
    ///    in the database;
    /// 2. after `body`, every closed segment is overwritten with zeros (`fdatasync`ed) and
    ///    deleted: they hold only applied records.
    /// Redirects go on meanwhile: appends wait only for the file switch (one `close(2)`).
    /// - Throws: ``NotAppliedError`` when the records are not applied within `timeout` (`body`
    ///   not run, nothing deleted); what `body` throws (the closed segments are still deleted).
    public func forgetting<T: Sendable>(timeout: Duration, _ body: () async throws -> T) async throws -> T {
        let cut = rotate()
        try await waitApplied(cut.through, timeout: timeout)
        let value: T
        do {
            value = try await body()
        } catch {
            delete(through: cut.segment, overwrite: true)
            throw error
        }
        delete(through: cut.segment, overwrite: true)
        return value
    }

    /// Closes the current segment when it holds records, then deletes every closed segment once
    /// its records are applied (files only unlinked). The retiring task calls it every
    /// ``Options/segmentSeconds``.
    /// - Returns: segment files deleted.
    @discardableResult
    func retire() async -> Int {
        let cut = rotate()
        guard (try? await waitApplied(cut.through, timeout: .seconds(5))) != nil else { return 0 }
        return delete(through: cut.segment, overwrite: false)
    }

    /// Switches appends to a new segment (when the current one holds records) and answers the
    /// last closed segment and the position of the last record queued (`nil`: all applied).
    private func rotate() -> (segment: Int64, through: ClickJournalPosition?) {
        lock.withLock {
            if fd >= 0, offset > 0 {
                Glibc.close(fd)
                fd = -1
                segment += 1
                offset = 0
            }
            return (segment - 1, queue.count > head ? queue.last?.position : nil)
        }
    }

    /// Returns once the record at `position` is applied (at once for `nil`).
    /// - Throws: ``NotAppliedError`` after `timeout`.
    private func waitApplied(_ position: ClickJournalPosition?, timeout: Duration) async throws {
        guard let position else { return }
        let deadline = ContinuousClock.now + timeout
        while true {
            let (done, pending) = lock.withLock { ((applied.map { $0 >= position } ?? false), queue.count - head) }
            if done { return }
            if ContinuousClock.now >= deadline { throw NotAppliedError(pending: pending) }
            if await drainOnce() == 0 { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Deletes the segment files numbered `segment` and below (all applied), first overwriting
    /// them with zeros and `fdatasync`ing with `overwrite`. - Returns: files deleted.
    @discardableResult
    private func delete(through segment: Int64, overwrite: Bool) -> Int {
        var deleted = 0
        for (n, url) in (try? ClickJournalSegment.list(directory)) ?? [] where n <= segment {
            if overwrite { Self.zero(url.path) }
            if (try? FileManager.default.removeItem(at: url)) != nil { deleted += 1 }
        }
        lock.withLock { oldestSegment = max(oldestSegment, segment + 1) }
        return deleted
    }

    /// Overwrites the file at `path` with zeros in place and syncs them to the disk (best effort).
    static func zero(_ path: String) {
        let f = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard f >= 0 else { return }
        defer { Glibc.close(f) }
        let size = Int(lseek(f, 0, SEEK_END))
        _ = lseek(f, 0, SEEK_SET)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var left = size
        while left > 0 {
            let n = zeros.withUnsafeBytes { Glibc.write(f, $0.baseAddress, min(left, $0.count)) }
            if n <= 0 { return }
            left -= n
        }
        _ = fdatasync(f)
    }

    private func startRetiring() {
        let every = options.segmentSeconds
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: every)
                if Task.isCancelled || lock.withLock({ closed }) { return }
                await retire()
            }
        }
        lock.withLock { retireTask = task }
    }

    /// What a crash leaves (tests only): the drainer stopped, the segment file and the directory
    /// lock closed as the kernel closes them for a killed process, nothing applied or deleted.
    func abandon() async {
        let retiring = lock.withLock { retireTask }
        retiring?.cancel()
        await retiring?.value
        let (task, wake) = lock.withLock {
            closed = true
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
            if lockFD >= 0 { Glibc.close(lockFD) }
            lockFD = -1
            queue.removeAll()
            head = 0
            let w = wakeDrainer
            wakeDrainer = nil
            return (drainerTask, w)
        }
        task?.cancel()
        wake?.resume()
        await task?.value
        lock.withLock { drainThread }?.shutdown()
    }

    /// Stops taking hits (later ``append(_:)`` calls return `false`), applies what is queued
    /// (unless the store fails: those records stay in the journal for the next start), closes the
    /// file and, when everything was applied, deletes the segment files.
    public func close() async {
        let retiring = lock.withLock { retireTask }
        retiring?.cancel()
        await retiring?.value
        let (task, wake) = lock.withLock {
            closed = true
            let w = wakeDrainer
            wakeDrainer = nil
            return (drainerTask, w)
        }
        wake?.resume()
        if let task { await task.value } else { while await drainOnce() > 0 {} }
        lock.withLock { drainThread }?.shutdown()
        let (empty, last, held) = lock.withLock {
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
            let held = lockFD
            lockFD = -1
            return (queue.count == head, segment, held)
        }
        defer { if held >= 0 { Glibc.close(held) } }
        if empty {
            for (n, url) in (try? ClickJournalSegment.list(directory)) ?? [] where n <= last {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }
}
