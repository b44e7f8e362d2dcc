import Foundation
import SMSCore

/// Remembers ``BotDetector``'s verdict per user agent (a pure function of it: the lists are fixed
/// while the server runs), so the redirect pays the 1,510-pattern scan (about 10 µs) once per
/// distinct user agent, not once per hit. Bounded: at `capacity` entries an arbitrary one is
/// dropped for each new one. HEAD requests and a missing user agent are answered without it.
final class BotVerdictCache: @unchecked Sendable {
    let detector: BotDetector
    let capacity: Int
    private let lock = NSLock()
    private var verdicts: [String: String?] = [:]

    init(detector: BotDetector, capacity: Int = 20_000) {
        self.detector = detector
        self.capacity = capacity
    }

    /// The same answer as ``BotDetector/botReason(method:userAgent:)``.
    func botReason(method: String, userAgent: String?) -> String? {
        guard !(method.utf8.count == 4 && method.uppercased() == "HEAD"), let ua = userAgent else { return detector.botReason(method: method, userAgent: userAgent) }
        if let known = lock.withLock({ verdicts[ua] }) { return known }
        let verdict = detector.botReason(method: method, userAgent: ua)
        lock.withLock {
            if verdicts.count >= capacity, verdicts[ua] == nil { verdicts.remove(at: verdicts.startIndex) }
            verdicts[ua] = .some(verdict)
        }
        return verdict
    }

    var count: Int { lock.withLock { verdicts.count } }
}
