import Metrics
import Prometheus
import SMSCore

/// The domain metrics exported at `/metrics` (Prometheus text format), next to Hummingbird's HTTP
/// metrics. Names follow the Prometheus conventions: counters end in `_total`, units are in the
/// name (`_seconds`); labels take a few fixed values only (never a phone number, user, campaign
/// or provider id). The table is in README.md ("Metrics").
///
/// ``shared`` writes to the process-wide registry (``MetricsSetup/registry``); a test passes its
/// own ``init(registry:)`` so that its counts are not mixed with those of tests running at the
/// same time. Counters are created once here, so a hit costs one atomic increment.
public final class AppMetrics: Sendable {
    /// Where these metrics live; `/metrics` writes it out.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory on ``registry`` (hand it to ``HTTPProviderGateway``).
    public let factory: PrometheusMetricsFactory

    let callbackApplied: Metrics.Counter
    let callbackDuplicates: Metrics.Counter
    let callbackPending: Metrics.Counter
    let callbackInvalid: Metrics.Counter
    let redirectHuman: Metrics.Counter
    let redirectBot: Metrics.Counter
    let redirectNotFound: Metrics.Counter
    let redirectExpired: Metrics.Counter
    let journalFallbacks: Metrics.Counter
    let journalBacklog: Metrics.Gauge
    let eventsAccepted: Metrics.Counter
    let eventsDuplicate: Metrics.Counter
    let eventsInvalid: Metrics.Counter
    let dispatched: [DispatchOutcome: Metrics.Counter]
    let ingestionErrors: [IngestionSource: Metrics.Counter]
    /// Webhook events by delivery result (`delivered`, `failed`: a non-2xx answer, `gone`: a 410,
    /// `error`: no answer), counted per event of each request.
    let webhookDeliveries: [String: Metrics.Counter]
    /// Pending webhook events of enabled subscriptions.
    let webhookOutboxDepth: Metrics.Gauge
    /// Age of the oldest undelivered webhook event, seconds (0 when none).
    let webhookOldestAge: Metrics.Gauge

    /// The process-wide metrics (``MetricsSetup/registry``).
    public static let shared = AppMetrics(registry: MetricsSetup.registry)

    /// Metrics on `registry` (default: a new, private one).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let f = PrometheusMetricsFactory(registry: registry)
        factory = f
        func counter(_ name: String, _ labels: [(String, String)] = []) -> Metrics.Counter {
            Metrics.Counter(label: name, dimensions: labels, factory: f)
        }
        callbackApplied = counter("smsstats_callback_items_applied_total")
        callbackDuplicates = counter("smsstats_callback_items_duplicate_total")
        callbackPending = counter("smsstats_callback_items_pending_total")
        callbackInvalid = counter("smsstats_callback_items_invalid_total")
        func redirect(_ kind: RedirectKind) -> Metrics.Counter {
            counter("smsstats_redirect_hits_total", [("kind", kind.rawValue)])
        }
        redirectHuman = redirect(.human)
        redirectBot = redirect(.bot)
        redirectNotFound = redirect(.notFound)
        redirectExpired = redirect(.expired)
        journalFallbacks = counter("smsstats_click_journal_fallbacks_total")
        journalBacklog = Metrics.Gauge(label: "smsstats_click_journal_backlog_records", factory: f)
        eventsAccepted = counter("smsstats_conversion_events_total", [("result", "accepted")])
        eventsDuplicate = counter("smsstats_conversion_events_total", [("result", "duplicate")])
        eventsInvalid = counter("smsstats_conversion_events_total", [("result", "invalid")])
        dispatched = Dictionary(
            uniqueKeysWithValues: DispatchOutcome.allCases.map {
                ($0, counter("smsstats_messages_dispatched_total", [("outcome", $0.rawValue)]))
            })
        webhookDeliveries = Dictionary(
            uniqueKeysWithValues: ["delivered", "failed", "gone", "error"].map {
                ($0, counter("smsstats_webhook_deliveries_total", [("result", $0)]))
            })
        webhookOutboxDepth = Metrics.Gauge(label: "smsstats_webhook_outbox_depth_events", factory: f)
        webhookOldestAge = Metrics.Gauge(label: "smsstats_webhook_oldest_undelivered_age_seconds", factory: f)
        ingestionErrors = Dictionary(
            uniqueKeysWithValues: IngestionSource.allCases.map {
                ($0, counter("smsstats_ingestion_errors_total", [("source", $0.rawValue)]))
            })
    }

    /// What a redirect hit was (label `kind` of `smsstats_redirect_hits_total`).
    enum RedirectKind: String, Sendable {
        /// A click: 302 for a browser GET.
        case human
        /// A bot or link-preview hit (HEAD, crawler user agent): 302, stored, not a click.
        case bot
        /// Unknown or malformed code: 404.
        case notFound = "not_found"
        /// The link's lifetime passed: 404.
        case expired
    }

    /// Where a message ended at dispatch (label `outcome` of `smsstats_messages_dispatched_total`).
    enum DispatchOutcome: String, CaseIterable, Sendable {
        /// The provider answered 2xx.
        case sent
        /// The provider refused it or could not be reached, after the retry policy.
        case failed
        /// Held out: a member of the control group (at publish).
        case control
        /// Not sent: the profile opted out (at publish).
        case optedOut = "opted_out"
        /// Not sent: no phone on the profile (at publish).
        case noPhone = "no_phone"
        /// Not sent: phone not valid E.164 (at publish).
        case invalidPhone = "invalid_phone"
        /// Not sent: the frequency cap was reached (at claim time).
        case frequencyCapped = "frequency_capped"
        /// Taken out of the loop after repeated failures (``DeadLetterPolicy``).
        case deadLetter = "dead_letter"
        /// Not sent: the personalised text is over the size cap (at publish, ``MessageSizeLimit``).
        case messageTooLong = "message_too_long"
    }

    /// The `source` of an ingestion error (label of `smsstats_ingestion_errors_total`).
    enum IngestionSource: String, CaseIterable, Sendable {
        case callback
        case events
    }

    func recordCallback(applied a: Int, duplicates d: Int, pending p: Int, invalid i: Int) {
        if a > 0 { callbackApplied.increment(by: a) }
        if d > 0 { callbackDuplicates.increment(by: d) }
        if p > 0 { callbackPending.increment(by: p) }
        if i > 0 { callbackInvalid.increment(by: i) }
    }

    /// One redirect hit (the redirect's hot path: one atomic increment, no lookup).
    func redirect(_ kind: RedirectKind) {
        switch kind {
        case .human: redirectHuman.increment()
        case .bot: redirectBot.increment()
        case .notFound: redirectNotFound.increment()
        case .expired: redirectExpired.increment()
        }
    }

    func conversionEvents(accepted: Int, duplicates: Int, invalid: Int) {
        if accepted > 0 { eventsAccepted.increment(by: accepted) }
        if duplicates > 0 { eventsDuplicate.increment(by: duplicates) }
        if invalid > 0 { eventsInvalid.increment(by: invalid) }
    }

    /// Counts ingestion errors just stored (``SMSStore/recordIngestionErrors(_:)``).
    func ingestionErrorsRecorded(_ count: Int, source: IngestionSource) {
        if count > 0 { ingestionErrors[source]!.increment(by: count) }
    }
}

extension AppMetrics: DispatchObserver {
    public func published(_ messages: [NewMessage]) {
        var counts: [DispatchOutcome: Int] = [:]
        for m in messages {
            switch m.dispatch {
            case .control: counts[.control, default: 0] += 1
            case .dispatchError:
                switch m.dispatchErrorReason {
                case DispatchErrorReason.optedOut.description: counts[.optedOut, default: 0] += 1
                case DispatchErrorReason.noPhone.description: counts[.noPhone, default: 0] += 1
                case DispatchErrorReason.invalidPhoneNumber.description: counts[.invalidPhone, default: 0] += 1
                case let reason? where reason.hasPrefix("message too long:"): counts[.messageTooLong, default: 0] += 1
                default: counts[.failed, default: 0] += 1
                }
            case .queued, .sent: break
            }
        }
        for (outcome, n) in counts { dispatched[outcome]!.increment(by: n) }
    }

    public func handedOff(_ results: [DispatchResult]) {
        var sent = 0
        for r in results { if case .sent = r.outcome { sent += 1 } }
        if sent > 0 { dispatched[.sent]!.increment(by: sent) }
        if results.count > sent { dispatched[.failed]!.increment(by: results.count - sent) }
    }

    public func capped(_ count: Int) { dispatched[.frequencyCapped]!.increment(by: count) }

    public func deadLettered(_ count: Int) { dispatched[.deadLetter]!.increment(by: count) }
}
