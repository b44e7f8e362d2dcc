import Foundation

/// Latency samples and a throughput figure.
struct BenchStats {
    var samples: [Double] = []  // seconds

    mutating func add(_ seconds: Double) { samples.append(seconds) }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let i = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[i]
    }

    var ms50: String { String(format: "%.3f ms", percentile(50) * 1000) }
    var ms95: String { String(format: "%.3f ms", percentile(95) * 1000) }
    var ms99: String { String(format: "%.3f ms", percentile(99) * 1000) }
}

/// Wall time of a block, seconds.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func measureAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Prints the machine line every BENCHMARKS.md figure carries.
func printMachine() {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let mem = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
    print(String(format: "machine: %d cores, %.0f GiB, %@", cores, mem, ProcessInfo.processInfo.operatingSystemVersionString))
}
