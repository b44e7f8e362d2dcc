import CoreMetrics

/// Metrics of the provider's HTTP requests (swift-metrics; exported at `/metrics` by the server):
/// - `smsstats_provider_request_duration_seconds`: histogram of one HTTP attempt, from sending the
///   request to the end of the answer (or the transport error), in seconds; every attempt of the
///   retry policy is one observation; OAuth token requests are not included.
/// - `smsstats_provider_http_errors_total{status_class}`: answers that were not 2xx, by class
///   (`1xx`, `3xx`, `4xx`, `5xx`).
/// - `smsstats_provider_transport_errors_total{reason}`: attempts without an answer: `timeout`,
///   `connection_refused`, `connect_timeout`, `unreachable` (reset, DNS, other transport errors),
///   `invalid_request` (bad URL).
///
/// No provider label: providers are configured at run time, the metric stays one series per class.
public struct ProviderMetrics: Sendable {
    let duration: Timer
    let httpErrors: [String: Counter]
    let transportErrors: [String: Counter]

    static let statusClasses = ["1xx", "3xx", "4xx", "5xx"]
    static let transportReasons = ["timeout", "connection_refused", "connect_timeout", "unreachable", "invalid_request"]

    /// - Parameter factory: where the metrics are made (the server passes its Prometheus factory;
    ///   create this after bootstrapping when using `MetricsSystem.factory`).
    public init(factory: any MetricsFactory) {
        duration = Timer(label: "smsstats_provider_request_duration_seconds", factory: factory)
        httpErrors = Dictionary(
            uniqueKeysWithValues: Self.statusClasses.map {
                ($0, Counter(label: "smsstats_provider_http_errors_total", dimensions: [("status_class", $0)], factory: factory))
            })
        transportErrors = Dictionary(
            uniqueKeysWithValues: Self.transportReasons.map {
                ($0, Counter(label: "smsstats_provider_transport_errors_total", dimensions: [("reason", $0)], factory: factory))
            })
    }

    /// The status class label of a non-2xx status: `"4xx"` for 404; `nil` for 2xx and for
    /// values outside 100–599.
    public static func statusClassLabel(_ status: Int) -> String? {
        guard (100..<600).contains(status), !(200..<300).contains(status) else { return nil }
        return "\(status / 100)xx"
    }

    /// Records one attempt: its duration, and its error when it had one.
    func record(duration d: Duration, status: Int?, transportError: String?) {
        let (s, atto) = d.components
        duration.recordNanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
        if let status, let c = Self.statusClassLabel(status) { httpErrors[c]?.increment() }
        if let transportError { transportErrors[transportError]?.increment() }
    }
}
