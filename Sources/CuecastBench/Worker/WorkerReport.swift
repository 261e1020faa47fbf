import Histogram

/// A worker's answer to `progress`: enough to tell whether a phase has arrived, without the latency histogram
/// (tens of kilobytes of JSON) that a full report carries.
public struct WorkerProgress: Codable, Sendable {
    public var held = 0
    public var events = 0
}

/// What a worker process tells the coordinator, one JSON line at a time on its standard output.
public struct WorkerReport: Codable, Sendable {
    /// Streams answered with 200 and still open.
    public var held = 0
    /// Connections that failed: refused, reset, timed out, or answered with a status other than 200 or 503.
    public var failed = 0
    /// Streams answered with 503 (the server's subscriber cap), and how many of those carried `Retry-After`.
    public var refused = 0
    public var refusedWithRetryAfter = 0
    /// Streams that were open and then ended, by the server or the network, since the subscribers connected.
    public var dropped = 0
    /// Seconds from the first connection attempt until every subscriber was held, refused or failed.
    public var connectSeconds = 0.0
    /// Connections opened: one per subscriber over HTTP/1.1, one per `--streams-per-connection` over HTTP/2.
    public var connections = 0
    /// The lowest SETTINGS_MAX_CONCURRENT_STREAMS an HTTP/2 server announced (nil: none, or HTTP/1.1).
    public var serverStreamLimit: Int?
    /// Why the first subscriber that failed did, for the person reading the report.
    public var firstFailure: String?

    // Since the last `reset`:
    /// Benchmark events received, in order, by all subscribers.
    public var events = 0
    /// Events a held subscriber should have received but did not (gaps and missing tails).
    public var lost = 0
    /// Events that arrived out of order or twice.
    public var reordered = 0
    /// Monotonic nanoseconds of the first and last arrival.
    public var firstArrival: UInt64 = 0
    public var lastArrival: UInt64 = 0
    /// Publish-to-arrival latency of every delivery, in microseconds.
    public var latency = WorkerReport.emptyHistogram()

    public init() {}

    /// Microseconds from 1 µs to 10 minutes at 3 significant digits.
    public static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    }

    /// Adds another worker's report to this one (the coordinator sums all workers).
    public mutating func merge(_ other: WorkerReport) {
        held += other.held
        failed += other.failed
        refused += other.refused
        refusedWithRetryAfter += other.refusedWithRetryAfter
        dropped += other.dropped
        connectSeconds = max(connectSeconds, other.connectSeconds)
        connections += other.connections
        if let limit = other.serverStreamLimit { serverStreamLimit = min(serverStreamLimit ?? limit, limit) }
        if firstFailure == nil { firstFailure = other.firstFailure }
        events += other.events
        lost += other.lost
        reordered += other.reordered
        if other.firstArrival != 0 { firstArrival = firstArrival == 0 ? other.firstArrival : min(firstArrival, other.firstArrival) }
        lastArrival = max(lastArrival, other.lastArrival)
        latency.add(other.latency)
    }
}
