import CuecastCore
import NIOCore
import NIOSSL

/// Everything `cuecast serve` can be told; tests build one with an ephemeral port.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    public var scenariosDirectory: String
    /// Static pages; `nil` serves none.
    public var publicDirectory: String?
    /// Events each live stream keeps for late joiners and `Last-Event-ID` resume.
    public var historyLimit: Int
    /// Bytes a subscriber may fall behind before it is cut off.
    public var subscriberBufferBytes: Int
    /// How long a stream that was asked to stop may take to flush before its connection is closed.
    public var closeGracePeriod: Duration
    /// The bytes every channel's and live stream's history may hold together (`--history-memory`); past it the
    /// oldest retained events are dropped. One object, shared by every hub this configuration makes.
    public var historyBudget = HistoryBudget(limitBytes: Defaults.historyMemoryBytes)

    // Channels and publishing (`/generateEvent`, triggers).

    /// Events each channel keeps for resume.
    public var channelHistoryLimit = Defaults.channelHistoryLimit
    /// Channels that may exist at once.
    public var maxChannels = 1000
    /// How long a channel without subscribers stays after it was last used (see `ChannelDirectory`).
    public var channelIdleAfter = Defaults.channelIdleAfter
    /// How long a channel without subscribers must be unused before a new one may take its place at the limit.
    public var channelReclaimAfter: Duration = .seconds(1)
    /// `retry` sent to channel subscribers.
    public var channelRetry: Int? = 3000
    /// Longest silence on a channel before a heartbeat comment.
    public var channelHeartbeat: Duration = .seconds(15)
    /// Largest publish body.
    public var maxBodyBytes = Defaults.maxBodyBytes
    /// Publishes a second per client, on average, and the burst allowed above it.
    public var publishRate = Defaults.publishRate
    public var publishBurst = Defaults.publishRate * 2
    /// When set, publishing needs `Authorization: Bearer <token>`.
    public var publishToken: String?
    /// Lets anyone publish even when the server listens beyond loopback without a token.
    public var allowAnonymousPublish = false
    /// Names besides loopback ones that a server listening on loopback answers to (`Host`), and whose pages may
    /// publish without a token: see `SiteBoundary`.
    public var allowedHosts: [String] = []
    /// The scripted models `/v1/chat/completions`, `/v1/responses` and `/v1/messages` play (`scenarios/llm/`).
    public var models: [ModelScenario] = []
    /// How often the scenarios folder is checked for edits; `nil` turns reloading off.
    public var reloadInterval: Duration? = .seconds(1)

    // Capacity.

    /// Event streams (`/streams/{name}`, `/subscribeToEvents`, `/channels/{name}` together) open at once; one more
    /// gets `503 Service Unavailable` with `Retry-After`, while every other route keeps answering. The default is
    /// what the descriptor limit allows (``defaultMaxSubscribers()``), read when the configuration is made.
    public var maxSubscribers = ServerConfiguration.defaultMaxSubscribers()
    /// The `Retry-After` seconds sent with that `503`.
    public var subscriberRetryAfterSeconds = 5
    /// Subscribers an event loop writes to before it pauses to serve its other connections, while it fans a
    /// batch of events out (see `LoopFanout`). Smaller keeps publishing and pages more responsive during a big
    /// fan-out and costs a timer per turn; tests set it low to exercise passes that take many turns.
    public var fanoutTurnSize = 256

    // Connections.

    /// An HTTP/1 connection with no complete request head for this long (idle between requests, or a head still
    /// arriving) is closed; so is an HTTP/2 connection with no open stream, and a TLS handshake not done in time.
    public var idleTimeout = Defaults.idleTimeout
    /// A request body still arriving after this long closes its connection (HTTP/1) or stream (HTTP/2).
    public var requestBodyTimeout = Defaults.requestBodyTimeout
    /// Streams one HTTP/2 connection may have open at once (`SETTINGS_MAX_CONCURRENT_STREAMS`). Browsers open
    /// every `EventSource` of an origin on one connection, so this is also how many streams one browser can hold.
    public var http2MaxConcurrentStreams = 256
    /// HTTPS (HTTP/2 with ALPN, or HTTP/1.1) on its own port beside the plain one; `nil` serves plain HTTP only.
    public var https: HTTPSConfiguration?
    /// Several instances sharing every stream through PostgreSQL (`--cluster`); `nil` keeps everything in this
    /// process's memory, as a single server.
    public var cluster: ClusterConfiguration?

    // Running it as a service.

    /// Where the server counts what it does; `GET /metrics` prints its registry. The executable passes the one whose
    /// factory it bootstrapped `MetricsSystem` with; by default each configuration has a registry of its own, so
    /// servers in one test process never count into each other.
    public var metrics = ServerMetrics()
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>`.
    public var metricsToken: String?
    /// Serves `GET /metrics` on this address alone (a port for the monitoring network), not on the main port.
    public var metricsAddress: MetricsAddress?
    /// Reverse proxies whose `X-Forwarded-For` names the client for the publish rate limit and the request log.
    public var trustedProxies = TrustedProxies.none
    /// How often the live view (`/api/stats/stream`) sends the server's figures.
    public var statsInterval: Duration = .seconds(1)

    public init(
        host: String = Defaults.host, port: Int = Defaults.port, scenariosDirectory: String = Defaults.scenariosDirectory,
        publicDirectory: String? = Defaults.publicDirectory,
        historyLimit: Int = 1000, subscriberBufferBytes: Int = 256 * 1024, closeGracePeriod: Duration = .seconds(1)
    ) {
        self.host = host
        self.port = port
        self.scenariosDirectory = scenariosDirectory
        self.publicDirectory = publicDirectory
        self.historyLimit = historyLimit
        self.subscriberBufferBytes = subscriberBufferBytes
        self.closeGracePeriod = closeGracePeriod
    }

    var channelConfiguration: ChannelDirectory.Configuration {
        .init(
            hub: .init(historyLimit: channelHistoryLimit, budget: historyBudget), maxChannels: maxChannels,
            idleAfter: channelIdleAfter, reclaimAfter: channelReclaimAfter
        )
    }

    var timeouts: RequestDoor.Timeouts {
        .init(idle: TimeAmount(idleTimeout), body: TimeAmount(requestBodyTimeout))
    }

    var siteBoundary: SiteBoundary {
        SiteBoundary(host: host, allowedHosts: allowedHosts)
    }

    var hubConfiguration: BroadcastHub.Configuration {
        .init(historyLimit: historyLimit, budget: historyBudget)
    }
}

extension ServerConfiguration {
    /// How many subscribers a process with this many descriptors can hold: one descriptor per stream, less a reserve
    /// for everything else (the listening socket, epoll and the event loops' pipes, scenario files, and the
    /// short-lived `/api`, `/healthz` and publish requests, plus the `503`s themselves). The reserve is 5% of the
    /// limit and at least 64: 20,000 descriptors hold 19,000 subscribers; 1,024 hold 960. Never below 1.
    public static func defaultMaxSubscribers(descriptorLimit: Int) -> Int {
        let reserve = max(64, descriptorLimit / 20)
        return max(1, descriptorLimit - reserve)
    }

    /// ``defaultMaxSubscribers(descriptorLimit:)`` for this process's soft `RLIMIT_NOFILE` now (1,024 if it cannot be
    /// read). `cuecast serve` raises the soft limit to the hard one first (``DescriptorLimit/raiseToHard()``).
    public static func defaultMaxSubscribers() -> Int {
        defaultMaxSubscribers(descriptorLimit: DescriptorLimit.current()?.soft ?? 1024)
    }
}

/// The HTTPS port and its certificate, checked (a context that cannot be built is an error at start-up, not on the
/// first connection).
public struct HTTPSConfiguration: Sendable {
    /// 0 picks a free port (tests).
    public var port: Int
    let context: NIOSSLContext

    public init(port: Int, tls: TLSConfiguration) throws {
        var tls = tls
        tls.applicationProtocols = ["h2", "http/1.1"]
        self.port = port
        self.context = try NIOSSLContext(configuration: tls)
    }
}
