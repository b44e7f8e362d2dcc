import ArgumentParser
import Foundation
import SMSCore

/// The pure state machine: applying receipts and computing rollup deltas, against the baseline of
/// merging the same facts without computing deltas.
struct RollupBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup", abstract: "State machine + rollup delta throughput (pure core).")

    @Option(help: "Messages.") var messages = 200_000

    func run() throws {
        printMachine()
        var states = [MessageState](repeating: MessageState(dispatch: .sent, dispatchedAt: 1_700_000_000), count: messages)
        let facts: [MessageFact] = (0..<messages).map {
            $0 % 10 == 0
                ? .receipt(kind: .failed, at: 1_700_000_050, code: "914", description: nil)
                : .receipt(kind: .delivered, at: 1_700_000_030, code: nil, description: nil)
        }
        var copy = states
        let baseline = measure {
            for i in 0..<messages { copy[i].apply(facts[i]) }
        }
        var total = RollupDelta()
        let full = measure {
            for i in 0..<messages {
                let old = states[i]
                states[i].apply(facts[i])
                total.add(MessageContribution.delta(from: old, to: states[i], segments: 1))
            }
        }
        print(String(format: "merge only:        %.0f facts/s", Double(messages) / baseline))
        print(String(format: "merge + delta:     %.0f facts/s", Double(messages) / full))
        print(String(format: "ratio full/merge:  %.2f", baseline / full))
        print("delivered rollup: \(total[RollupKey(.delivered)] ?? 0)")
    }
}
