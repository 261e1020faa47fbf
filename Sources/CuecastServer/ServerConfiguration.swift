import CuecastCore

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

    // Channels and publishing (`/generateEvent`, triggers).

    /// Events each channel keeps for resume.
    public var channelHistoryLimit = 100
    /// Channels that may exist at once.
    public var maxChannels = 1000
    /// `retry` sent to channel subscribers.
    public var channelRetry: Int? = 3000
    /// Longest silence on a channel before a heartbeat comment.
    public var channelHeartbeat: Duration = .seconds(15)
    /// Largest publish body.
    public var maxBodyBytes = 64 * 1024
    /// Publishes a second per client, on average, and the burst allowed above it.
    public var publishRate: Double = 10
    public var publishBurst: Double = 20
    /// When set, publishing needs `Authorization: Bearer <token>`.
    public var publishToken: String?
    /// Lets anyone publish even when the server listens beyond loopback without a token.
    public var allowAnonymousPublish = false
    /// How often the scenarios folder is checked for edits; `nil` turns reloading off.
    public var reloadInterval: Duration? = .seconds(1)

    public init(
        host: String = "127.0.0.1", port: Int = 8080, scenariosDirectory: String = "scenarios", publicDirectory: String? = "public",
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
        .init(hub: .init(historyLimit: channelHistoryLimit, subscriberBufferBytes: subscriberBufferBytes), maxChannels: maxChannels)
    }

    var hubConfiguration: BroadcastHub.Configuration {
        .init(historyLimit: historyLimit, subscriberBufferBytes: subscriberBufferBytes)
    }
}
