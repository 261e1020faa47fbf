import CuecastCore
import Foundation
import Synchronization

/// One second of Cuecast's own figures, as the live view sends them.
struct ServerStats: Sendable {
    struct OpenStreams: Sendable {
        let path: String
        let subscribers: Int
    }

    let time: Date
    let uptimeSeconds: Int
    let subscribers: Int
    let maxSubscribers: Int
    let eventsPerSecond: Double
    let deliveriesPerSecond: Double
    let eventsTotal: Int
    let deliveriesTotal: Int
    /// `nil` where the process's resident set cannot be read (not Linux).
    let residentBytes: Int?
    /// The busiest stream paths, most subscribers first.
    let streams: [OpenStreams]

    var json: JSONValue {
        .object([
            ("time", .string(time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))),
            ("uptimeSeconds", .integer(Int64(uptimeSeconds))),
            ("subscribers", .integer(Int64(subscribers))),
            ("maxSubscribers", .integer(Int64(maxSubscribers))),
            ("eventsPerSecond", .number(eventsPerSecond)),
            ("deliveriesPerSecond", .number(deliveriesPerSecond)),
            ("eventsTotal", .integer(Int64(eventsTotal))),
            ("deliveriesTotal", .integer(Int64(deliveriesTotal))),
            ("residentBytes", residentBytes.map { .integer(Int64($0)) } ?? .null),
            ("streams", .array(streams.map { .object([("path", .string($0.path)), ("subscribers", .integer(Int64($0.subscribers)))]) })),
        ])
    }
}

/// Takes the figures: totals from `ServerMetrics`, turned into rates since the previous sample; the open streams
/// from the `ConnectionRegistry`; memory from `/proc`.
final class StatsSampler: Sendable {
    /// Stream paths listed one by one; the rest are summed as `other`, so a thousand channels make one line.
    static let listedStreams = 20

    let metrics: ServerMetrics
    let connections: ConnectionRegistry
    private let started = ContinuousClock.now
    private let previous: Mutex<(at: ContinuousClock.Instant, events: Int, deliveries: Int)>

    init(metrics: ServerMetrics, connections: ConnectionRegistry) {
        self.metrics = metrics
        self.connections = connections
        let totals = metrics.snapshot
        previous = Mutex((.now, totals.events, totals.deliveries))
    }

    func sample() -> ServerStats {
        let now = ContinuousClock.now
        let totals = metrics.snapshot
        let (seconds, events, deliveries) = previous.withLock { previous in
            defer { previous = (now, totals.events, totals.deliveries) }
            let seconds = max((now - previous.at).seconds, 0.001)
            return (seconds, totals.events - previous.events, totals.deliveries - previous.deliveries)
        }
        let open = connections.openByPath.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        var streams = open.prefix(Self.listedStreams).map { ServerStats.OpenStreams(path: $0.key, subscribers: $0.value) }
        let rest = open.dropFirst(Self.listedStreams).reduce(0) { $0 + $1.value }
        if rest > 0 { streams.append(.init(path: "other", subscribers: rest)) }
        return ServerStats(
            time: Date(), uptimeSeconds: Int((now - started).seconds), subscribers: connections.admittedCount,
            maxSubscribers: connections.limit, eventsPerSecond: Double(events) / seconds, deliveriesPerSecond: Double(deliveries) / seconds,
            eventsTotal: totals.events, deliveriesTotal: totals.deliveries, residentBytes: ResidentMemory.bytes(), streams: streams
        )
    }
}
