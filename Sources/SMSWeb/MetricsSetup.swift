import Foundation
import Metrics
import Prometheus
import Synchronization

/// Bootstraps swift-metrics with a Prometheus registry once per process (bootstrapping twice
/// traps, and tests build many applications).
public enum MetricsSetup {
    private static let registryBox = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The process-wide registry, bootstrapping the metrics system on first use.
    public static var registry: PrometheusCollectorRegistry {
        registryBox.withLock { box in
            if let r = box { return r }
            let r = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: r))
            box = r
            return r
        }
    }
}
