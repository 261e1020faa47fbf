import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS

/// One client HTTP/2 connection on NIOHTTP2, ready for streams once the server's first SETTINGS has arrived.
///
/// The one HTTP/2 client of the project: the bench's workers hold subscribers on it (counting events), the server
/// tests read streams through it (collecting bodies, or leaving them unread), and `scripts/profile` drives load
/// through the workers. What differs between them is a parameter: TLS with ALPN `h2` or prior knowledge in the
/// clear, the flow-control windows it announces, and the handler each stream gets. Each stream is a stream channel
/// of NIOHTTP2's multiplexer with its HTTP/1-style client codec, so one HTTP/1 handler serves every protocol.
public struct HTTP2ClientConnection: Sendable {
    /// How to reach the server and what to announce to it.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The local address to connect from (the bench spreads workers over 127.x.y.z); nil lets the system choose.
        public var sourceAddress: String?
        /// HTTP/2 over TLS, offering ALPN `h2` (see `TLSClient.context(offering:)`); nil for h2c with prior knowledge.
        public var tls: NIOSSLContext?
        /// The stream and connection windows to announce; nil keeps NIOHTTP2's defaults (65,535 bytes each),
        /// which is what a test that leaves a stream unread relies on to see the server's window fill.
        public var windows: Windows?
        /// How long the connection may take to reach the server's SETTINGS.
        public var timeout: TimeAmount = .seconds(20)

        public init(host: String = "127.0.0.1", port: Int, tls: NIOSSLContext? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    /// Flow-control windows a client announces.
    public struct Windows: Sendable {
        public var stream: Int
        public var connection: Int

        public init(stream: Int, connection: Int) {
            self.stream = stream
            self.connection = connection
        }

        /// As Chrome sets them (6 MiB a stream, 15 MiB a connection), so a subscriber's window is never what paces
        /// a server, and the server sends as few WINDOW_UPDATE-driven writes as a browser causes.
        public static let browser = Windows(stream: 6 * 1024 * 1024, connection: 15 * 1024 * 1024)
    }

    /// The TCP (or TLS) connection the streams share.
    public let channel: any Channel
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, nil when it set none.
    public let serverStreamLimit: Int?
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer
    private let scheme: HTTP2FramePayloadToHTTP1ClientCodec.HTTPProtocol

    private init(channel: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer, serverStreamLimit: Int?, tls: Bool) {
        self.channel = channel
        self.multiplexer = multiplexer
        self.serverStreamLimit = serverStreamLimit
        self.scheme = tls ? .https : .http
    }

    /// Connects on `loop` and returns once the server's SETTINGS has arrived; throws a readable reason otherwise
    /// (refused, TLS failed, ALPN chose another protocol, not HTTP/2 on that port, no SETTINGS in time).
    public static func connect(_ configuration: Configuration, on loop: any EventLoop) async throws -> HTTP2ClientConnection {
        let ready = loop.makePromise(of: HTTP2ClientConnection.self)
        let (host, tls, windows, timeout) = (configuration.host, configuration.tls, configuration.windows, configuration.timeout)
        var bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                // Only until the connection is ready: after that it stays open for as long as its owner wants.
                let deadline = loop.scheduleTask(in: timeout) {
                    ready.fail(BenchError("no HTTP/2 SETTINGS from the server in time"))
                    channel.close(promise: nil)
                }
                ready.futureResult.whenComplete { _ in deadline.cancel() }
                return channel.eventLoop.makeCompletedFuture {
                    guard let tls else { return try Self.speakHTTP2(on: channel, windows: windows, tls: false, ready: ready) }
                    try channel.pipeline.syncOperations.addHandler(TLSClient.handler(tls, host: host))
                    try channel.pipeline.syncOperations.addHandler(ApplicationProtocolNegotiationHandler { result, channel in
                        guard result == .negotiated("h2") else {
                            let chose = if case .negotiated(let name) = result { "chose \(name)" } else { "agreed to no protocol" }
                            ready.fail(BenchError("the server \(chose) over ALPN, not h2"))
                            return channel.close()
                        }
                        // HTTP/2 goes after the failure handler, so the bytes ALPN held back reach it.
                        return channel.eventLoop.makeCompletedFuture {
                            try Self.speakHTTP2(on: channel, windows: windows, tls: true, ready: ready)
                        }
                    })
                    try channel.pipeline.syncOperations.addHandler(TLSFailureHandler(ready: ready))
                }
            }
        if let source = configuration.sourceAddress {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0))
        }
        do {
            _ = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            ready.fail(error)
        }
        return try await ready.futureResult.get()
    }

    /// Adds NIOHTTP2 as a client, and the handler that waits for the server's SETTINGS.
    private static func speakHTTP2(
        on channel: any Channel, windows: Windows?, tls: Bool, ready: EventLoopPromise<HTTP2ClientConnection>
    ) throws {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        var stream = NIOHTTP2Handler.StreamConfiguration()
        if let windows {
            connection.initialSettings = [
                HTTP2Setting(parameter: .enablePush, value: 0),
                HTTP2Setting(parameter: .initialWindowSize, value: windows.stream),
                HTTP2Setting(parameter: .maxHeaderListSize, value: 16 * 1024),
            ]
            connection.targetWindowSize = windows.connection
            stream.targetWindowSize = windows.stream
        }
        let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .client, connectionConfiguration: connection, streamConfiguration: stream,
            inboundStreamInitializer: { $0.close() }  // a server push: not wanted (and disabled with windows given)
        )
        let settings = channel.eventLoop.makePromise(of: Int?.self)
        try channel.pipeline.syncOperations.addHandler(ServerSettingsHandler(settings: settings))
        ready.completeWith(settings.futureResult.map {
            HTTP2ClientConnection(channel: channel, multiplexer: multiplexer, serverStreamLimit: $0, tls: tls)
        })
    }

    /// Opens a stream whose pipeline is NIOHTTP2's HTTP/1-style client codec, then what `handlers` makes (on the
    /// connection's event loop): the handler sends its request when the stream becomes active, or the caller writes
    /// it to the returned channel. With `reading` false the stream never reads its DATA, so it never gives
    /// flow-control window back to the server, as a browser tab that stopped reading.
    public func openStream(
        reading: Bool = true, _ handlers: @escaping @Sendable (any Channel) throws -> [any ChannelHandler]
    ) -> EventLoopFuture<any Channel> {
        let scheme = scheme
        return multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture {
                if !reading { try stream.syncOptions?.setOption(ChannelOptions.autoRead, value: false) }
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: scheme))
                try stream.pipeline.syncOperations.addHandlers(handlers(stream))
            }
        }
    }

    /// Closes the connection and with it every stream.
    public func close() async {
        try? await channel.close().get()
    }
}
