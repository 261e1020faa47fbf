/// What one delivery phase (steady or burst) measured.
public struct PhaseResult: Sendable {
    public var published = 0
    /// Benchmark events received, in order, summed over subscribers.
    public var deliveries = 0
    public var lost = 0
    public var reordered = 0
    /// Seconds from the first publish to the last arrival.
    public var seconds = 0.0
    public var p50Milliseconds = 0.0
    public var p99Milliseconds = 0.0
    public var maxMilliseconds = 0.0
    /// Server CPU seconds (user + system) spent during the phase.
    public var serverCPUSeconds: Double?
    /// For a cluster: CPU seconds this machine's PostgreSQL processes spent during the phase.
    public var databaseCPUSeconds: Double?

    public var deliveriesPerSecond: Double { seconds > 0 ? Double(deliveries) / seconds : 0 }
    /// Server CPU microseconds per delivered event: the cost that does not depend on how busy the machine was.
    public var serverMicrosecondsPerDelivery: Double? {
        serverCPUSeconds.flatMap { deliveries > 0 ? $0 * 1e6 / Double(deliveries) : nil }
    }
    /// PostgreSQL's CPU microseconds per published event: its work is per event, whatever the subscribers.
    public var databaseMicrosecondsPerEvent: Double? {
        databaseCPUSeconds.flatMap { published > 0 ? $0 * 1e6 / Double(published) : nil }
    }
}

/// Everything measured for one server at one subscriber count over one protocol.
public struct BenchResult: Sendable {
    public var server: String
    public var requested: Int
    public var wire = WireProtocol.http1
    /// Server processes: 1, or the instances of a cluster (their memory and CPU are counted together).
    public var instances = 1
    /// Streams asked for on each connection (1 over HTTP/1.1).
    public var streamsPerConnection = 1
    /// Connections the workers opened for the subscribers.
    public var connections = 0
    /// The lowest SETTINGS_MAX_CONCURRENT_STREAMS an HTTP/2 server announced.
    public var serverStreamLimit: Int?
    /// Why the first failed subscriber failed.
    public var firstFailure: String?
    public var held = 0
    public var failed = 0
    public var refused = 0
    public var refusedWithRetryAfter = 0
    /// Streams that ended before the run did (cut off, or the server went away).
    public var dropped = 0
    public var connectSeconds = 0.0
    public var residentBefore: Int?
    public var residentHolding: Int?
    public var steady: PhaseResult?
    public var burst: PhaseResult?
    /// Whether the server still answered `/healthz` at the end.
    public var healthyAfter = false

    /// The server's stream limit, when it is below what was asked for (so more connections were opened).
    public var limitedStreams: Int? {
        serverStreamLimit.flatMap { wire.isHTTP2 && $0 < streamsPerConnection ? $0 : nil }
    }

    public var connectsPerSecond: Double { connectSeconds > 0 ? Double(held + refused) / connectSeconds : 0 }

    /// Resident bytes added per held subscriber while idle.
    public var bytesPerSubscriber: Double? {
        guard let before = residentBefore, let holding = residentHolding, held > 0 else { return nil }
        return Double(holding - before) / Double(held)
    }
}
