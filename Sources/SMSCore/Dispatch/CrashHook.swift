import Foundation

/// **Test only.** Named points of the dispatch path where a crash test makes the process kill
/// itself with SIGKILL (an uncatchable death, like a trap): `SMSSTATS_TEST_CRASH_AT=<step>` in the
/// environment of `smsstats serve`. Unset (always, outside the crash tests) it does nothing but
/// compare one cached optional. Used by `DispatchCrashTests`; never set it in production.
public enum CrashHook {
    /// The steps of dispatching one request's messages, in order.
    public enum Step: String, Sendable, CaseIterable {
        /// Inside the claim transaction, before it commits.
        case claim
        /// After the claim committed, before the provider call.
        case send
        /// After the provider answered, before the answer is recorded.
        case answer
        /// After the answer committed, before the derived work (state machine, rollups, attribution).
        case record
        /// Inside the derived work's transaction, before it commits.
        case derive
    }

    static let armed: Step? = ProcessInfo.processInfo.environment["SMSSTATS_TEST_CRASH_AT"].flatMap(Step.init(rawValue:))

    /// Kills the process (SIGKILL) when `SMSSTATS_TEST_CRASH_AT` names `step`.
    public static func reach(_ step: Step) {
        guard let armed, armed == step else { return }
        kill(getpid(), SIGKILL)
    }
}
