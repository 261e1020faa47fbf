import CoreMetrics
import Prometheus

/// A swift-metrics factory that writes into a Prometheus registry, as swift-prometheus' `PrometheusMetricsFactory`
/// does, but gives every family a `# HELP` line. swift-metrics has no place for a description, and the stock factory
/// registers every family with an empty one, which `promtool check metrics` rejects ("no help text"). The texts are
/// ``MetricHelp``'s; a family it does not know (a library counting through the global system) still gets one.
struct DescribedMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// For what this factory does not make itself with help (histograms' buckets, destroying).
    private let stock: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.stock = PrometheusMetricsFactory(registry: registry)
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: MetricHelp.text(for: label))
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: MetricHelp.text(for: label))
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: MetricHelp.text(for: label))
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(name: label, labels: dimensions, help: MetricHelp.text(for: label)) }
        let buckets = stock.valueHistogramBuckets[label] ?? stock.defaultValueHistogramBuckets
        return registry.makeValueHistogram(name: label, labels: dimensions, buckets: buckets, help: MetricHelp.text(for: label))
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = stock.durationHistogramBuckets[label] ?? stock.defaultDurationHistogramBuckets
        return registry.makeDurationHistogram(name: label, labels: dimensions, buckets: buckets, help: MetricHelp.text(for: label))
    }

    func destroyCounter(_ handler: any CounterHandler) { stock.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { stock.destroyFloatingPointCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { stock.destroyMeter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { stock.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { stock.destroyTimer(handler) }
}

/// The `# HELP` text of each family Cuecast counts (README's Metrics table says the same, with the labels).
enum MetricHelp {
    static let texts: [String: String] = [
        "cuecast_streams_open": "Event streams open now, by kind and stream.",
        "cuecast_connections_opened_total": "Event streams opened, by kind.",
        "cuecast_connections_closed_total": "Event streams closed, by reason.",
        "cuecast_resumes_total": "Streams opened with Last-Event-ID, by whether the id was in history.",
        "cuecast_no_content_total": "204 No Content answers to stream requests (the client had the end already).",
        "cuecast_subscriber_refusals_total": "Streams refused with 503 at --max-subscribers.",
        "cuecast_events_published_total": "Events published, by source.",
        "cuecast_deliveries_total": "Events written to subscribers.",
        "cuecast_written_bytes_total": "Bytes of the events written to subscribers.",
        "cuecast_publish_responses_total": "Answers to publishing requests (generateEvent, triggers), by status.",
        "cuecast_scenario_reloads_total": "Scenario files reloaded while serving, by result.",
        "cuecast_http_requests_total": "HTTP answers, by route pattern and status.",
        "cuecast_history_bytes": "Bytes every channel's and live stream's history holds now.",
        "cuecast_history_limit_bytes": "The memory budget for retained history (--history-memory).",
        "cuecast_history_evicted_total": "Retained events dropped, oldest first, to stay within --history-memory.",
        "cuecast_cluster_insert_statements_total": "Statements that stored publishes in the cluster's PostgreSQL (one per batch).",
        "cuecast_cluster_inserted_rows_total": "Publishes and station entries stored in the cluster's PostgreSQL.",
        "cuecast_cluster_rows_notified_total": "Stored rows this instance applied straight from a NOTIFY payload.",
        "cuecast_cluster_rows_read_total": "Stored rows this instance read back from the cluster's table (catch-up, gaps, large events).",
    ]

    static func text(for family: String) -> String {
        texts[family] ?? "\(family) (counted through swift-metrics)"
    }
}
