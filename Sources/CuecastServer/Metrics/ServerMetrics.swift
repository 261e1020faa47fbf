import CoreMetrics
import CuecastCore
import HTTPTypes
import Prometheus
import Synchronization

/// What the server counts, for `GET /metrics` (Prometheus) and the live view (`/api/stats/stream`).
///
/// Every figure is made through swift-metrics with the factory given here, never `MetricsSystem`'s global one: the
/// executable bootstraps the global system with the same factory and passes it in, and each test server gets a
/// registry of its own, so servers in one test process never count into each other.
///
/// Labels stay bounded: routes are the router's patterns, statuses are HTTP's, scenario names are the catalog's,
/// and channel names, which anyone who may publish can make up, keep their own label only for the first
/// ``ChannelLabels/limit`` seen (`other` after that).
///
/// The hot path stays hot: a fan-out turn adds its deliveries and bytes with one increment each, however many
/// subscribers it reached (`LoopFanout`).
public final class ServerMetrics: Sendable {
    // swift-metrics' types (Prometheus has its own of the same names).
    typealias Counter = CoreMetrics.Counter
    typealias Meter = CoreMetrics.Meter

    /// Where the figures are kept, for `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The factory that writes into `registry`, with a `# HELP` for every family: the executable bootstraps the
    /// global system with it.
    public let factory: any MetricsFactory

    private let deliveries: Counter
    private let bytesWritten: Counter
    private let noContent: Counter
    private let subscriberRefusals: Counter
    private let resumesFound: Counter
    private let resumesNotFound: Counter
    private let published: [EventSource: Counter]
    private let closed: [CloseReason: Counter]
    private let reloadsGood: Counter
    private let reloadsBroken: Counter
    /// The history budget's figures, read when `/metrics` is asked for (`refreshHistory`).
    private let history: (used: CoreMetrics.Gauge, limit: CoreMetrics.Gauge, evicted: Counter)
    private let historySource = Mutex<(budget: HistoryBudget?, evictedReported: Int)>((nil, 0))
    /// Figures made on first use, by label values (open streams by name, requests by route and status, ...).
    private let labelled = Mutex<[LabelKey: Labelled]>([:])
    let channelLabels = ChannelLabels()

    /// Running totals the live view turns into rates; Prometheus computes its own from the counters.
    private let totals = Totals()

    /// Where an event came from.
    enum EventSource: String, CaseIterable, Sendable {
        /// A scenario's playback (live or solo).
        case scenario
        /// `POST /generateEvent` (or the cat fact of `GET /generateEvent`).
        case publish
        /// A scenario's trigger.
        case trigger
    }

    /// A registry of its own and the swift-metrics factory that writes into it.
    public convenience init() {
        let registry = PrometheusCollectorRegistry()
        self.init(registry: registry, factory: DescribedMetricsFactory(registry: registry))
    }

    /// Counts through `factory`; `registry` is what `/metrics` prints (the one `factory` writes into).
    public init(registry: PrometheusCollectorRegistry, factory: any MetricsFactory) {
        self.registry = registry
        self.factory = factory
        deliveries = Counter(label: "cuecast_deliveries_total", factory: factory)
        bytesWritten = Counter(label: "cuecast_written_bytes_total", factory: factory)
        noContent = Counter(label: "cuecast_no_content_total", factory: factory)
        subscriberRefusals = Counter(label: "cuecast_subscriber_refusals_total", factory: factory)
        resumesFound = Counter(label: "cuecast_resumes_total", dimensions: [("result", "found")], factory: factory)
        resumesNotFound = Counter(label: "cuecast_resumes_total", dimensions: [("result", "not_found")], factory: factory)
        reloadsGood = Counter(label: "cuecast_scenario_reloads_total", dimensions: [("result", "good")], factory: factory)
        reloadsBroken = Counter(label: "cuecast_scenario_reloads_total", dimensions: [("result", "broken")], factory: factory)
        history = (
            CoreMetrics.Gauge(label: "cuecast_history_bytes", factory: factory), CoreMetrics.Gauge(label: "cuecast_history_limit_bytes", factory: factory),
            Counter(label: "cuecast_history_evicted_total", factory: factory)
        )
        published = Dictionary(uniqueKeysWithValues: EventSource.allCases.map { source in
            (source, Counter(label: "cuecast_events_published_total", dimensions: [("source", source.rawValue)], factory: factory))
        })
        closed = Dictionary(uniqueKeysWithValues: CloseReason.allLabelled.map { reason in
            (reason, Counter(label: "cuecast_connections_closed_total", dimensions: [("reason", reason.metricLabel)], factory: factory))
        })
    }

    // MARK: Counting

    /// A fan-out turn (or a replay) wrote `events` events to each of `subscribers` subscribers, `bytes` in all.
    func delivered(events: Int, subscribers: Int, bytes: Int) {
        let deliveries = events * subscribers
        if deliveries > 0 {
            self.deliveries.increment(by: deliveries)
            totals.deliveries.add(deliveries, ordering: .relaxed)
        }
        if bytes > 0 { bytesWritten.increment(by: bytes) }
    }

    /// A stream request answered `204 No Content`: the client already had the end.
    func answeredNoContent() { noContent.increment() }

    /// A stream refused with `503` at the subscriber cap.
    func refusedSubscriber() { subscriberRefusals.increment() }

    func published(_ count: Int = 1, from source: EventSource) {
        guard count > 0 else { return }
        published[source]?.increment(by: count)
        totals.events.add(count, ordering: .relaxed)
    }

    /// A `Last-Event-ID` was placed in history (`found`) or not (the stream replays what it has, with a notice).
    func resumed(found: Bool) {
        (found ? resumesFound : resumesNotFound).increment()
    }

    func reloaded(good: Bool) {
        (good ? reloadsGood : reloadsBroken).increment()
    }

    /// A stream opened: counted by kind, and held open by kind and name until `streamClosed`.
    func streamOpened(_ stream: StreamLabel) {
        metric(.opened(stream.kind)).counter?.increment()
        metric(.open(stream)).meter?.increment()
        totals.open.add(1, ordering: .relaxed)
    }

    func streamClosed(_ stream: StreamLabel, reason: CloseReason) {
        metric(.open(stream)).meter?.decrement()
        closed[reason.labelled]?.increment()
        totals.open.subtract(1, ordering: .relaxed)
    }

    /// An HTTP answer, by route pattern (the router's, such as `/streams/{name}`) and status.
    func answered(route: String, status: HTTPResponse.Status) {
        metric(.request(route: route, status: status.code)).counter?.increment()
    }

    /// A publishing request's answer (`POST /generateEvent`, a trigger), by status.
    func publishAnswered(_ status: HTTPResponse.Status) {
        metric(.publish(status: status.code)).counter?.increment()
    }

    /// The budget whose use `/metrics` shows.
    func watchHistory(_ budget: HistoryBudget) {
        historySource.withLock { $0.budget = budget }
    }

    /// Brings the history figures up to date, just before they are printed.
    func refreshHistory() {
        historySource.withLock { source in
            guard let budget = source.budget else { return }
            history.used.record(budget.usedBytes)
            history.limit.record(budget.limitBytes)
            let evicted = budget.evictedFrames
            if evicted > source.evictedReported { history.evicted.increment(by: evicted - source.evictedReported) }
            source.evictedReported = evicted
        }
    }

    // MARK: Reading (the live view)

    /// Events published and deliveries made since the server started, and streams open now.
    var snapshot: (events: Int, deliveries: Int, open: Int) {
        (totals.events.load(ordering: .relaxed), totals.deliveries.load(ordering: .relaxed), totals.open.load(ordering: .relaxed))
    }

    // MARK: Labelled figures

    private enum LabelKey: Hashable {
        case opened(StreamLabel.Kind)
        case open(StreamLabel)
        case request(route: String, status: Int)
        case publish(status: Int)
    }

    private enum Labelled {
        case counter(Counter)
        case meter(Meter)

        var counter: Counter? { if case .counter(let counter) = self { counter } else { nil } }
        var meter: Meter? { if case .meter(let meter) = self { meter } else { nil } }
    }

    /// The figure for `key`, made the first time it is asked for. Not on the delivery path: a stream opening or
    /// closing, or an HTTP answer.
    private func metric(_ key: LabelKey) -> Labelled {
        labelled.withLock { made in
            if let existing = made[key] { return existing }
            let new: Labelled =
                switch key {
                case .opened(let kind):
                    .counter(Counter(label: "cuecast_connections_opened_total", dimensions: [("kind", kind.rawValue)], factory: factory))
                case .open(let stream):
                    .meter(Meter(label: "cuecast_streams_open", dimensions: [("kind", stream.kind.rawValue), ("stream", stream.name)], factory: factory))
                case .request(let route, let status):
                    .counter(Counter(label: "cuecast_http_requests_total", dimensions: [("route", route), ("status", String(status))], factory: factory))
                case .publish(let status):
                    .counter(Counter(label: "cuecast_publish_responses_total", dimensions: [("status", String(status))], factory: factory))
                }
            made[key] = new
            return new
        }
    }

    private final class Totals: Sendable {
        let events = Atomic<Int>(0)
        let deliveries = Atomic<Int>(0)
        let open = Atomic<Int>(0)
    }
}

extension CloseReason {
    /// The reasons `cuecast_connections_closed_total` tells apart; a cancelled subscription is a client gone.
    static let allLabelled: [CloseReason] = [.finished, .overflow, .clientGone, .shutdown, .dropped]

    var labelled: CloseReason { self == .cancelled ? .clientGone : self }

    /// `sentinel` is a stream that reached its end (its sentinel, or the last cue of a scenario without one).
    var metricLabel: String {
        switch labelled {
        case .finished: "sentinel"
        case .overflow: "cut_off"
        case .clientGone, .cancelled: "client_gone"
        case .shutdown: "shutdown"
        case .dropped: "dropped"
        }
    }
}
