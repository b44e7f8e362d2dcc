import ArgumentParser
import Foundation

/// `smsstats-bench`: reproducible benchmarks. Each subcommand measures a target and a baseline in
/// the same run and prints both with their ratio (the machines are shared and noisy).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smsstats-bench",
        abstract: "SMSStats benchmarks (run with -c release).",
        subcommands: [RollupBench.self, RedirectBench.self, EventsBench.self, CallbackBench.self, StatsBench.self, OverviewBench.self, DispatchBench.self, StoreBench.self, PartitionBench.self, ProfilesBench.self, WebhookBench.self])
}
