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

    var hubConfiguration: BroadcastHub.Configuration {
        .init(historyLimit: historyLimit, subscriberBufferBytes: subscriberBufferBytes)
    }
}
