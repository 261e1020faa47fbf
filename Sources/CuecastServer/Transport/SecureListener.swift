import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// Where the server listens: the plain port, and the HTTPS port when there is one.
public struct Listener: Sendable {
    /// `http` or `https`.
    public let scheme: String
    public let port: Int
    /// The listener that serves `GET /metrics` alone (``ServerConfiguration/metricsAddress``).
    public var metricsOnly = false
}

/// HTTPS on its own port, beside the plain one, with the same routes and the same streams: one server shows both
/// sides of the six-connection lesson at once.
///
/// Hummingbird's application runs one listener; this service runs the second, with the responder the application
/// built (it learns it from `HTTPServerBuilder.cuecast`, which runs before any service starts).
final class SecureListener: Service, Sendable {
    private let host: String
    private let https: HTTPSConfiguration
    private let streams: StreamRequests
    private let logger: Logger
    private let onRunning: @Sendable (Listener) async -> Void
    private let responder = Mutex<HTTPChannelHandler.Responder?>(nil)

    init(host: String, https: HTTPSConfiguration, streams: StreamRequests, logger: Logger, onRunning: @escaping @Sendable (Listener) async -> Void) {
        self.host = host
        self.https = https
        self.streams = streams
        self.logger = logger
        self.onRunning = onRunning
    }

    func respond(with responder: @escaping HTTPChannelHandler.Responder) {
        self.responder.withLock { $0 = responder }
    }

    struct NoResponder: Error, CustomStringConvertible {
        var description: String { "the HTTPS listener started before the application built its routes" }
    }

    func run() async throws {
        guard let responder = responder.withLock({ $0 }) else { throw NoResponder() }
        let onRunning = self.onRunning
        let port = https.port
        let server = Server(
            childChannelSetup: CuecastChildChannel(responder: responder, streams: streams, security: .tls(https.context)),
            configuration: .init(address: .hostname(host, port: port), serverName: "cuecast"),
            onServerRunning: { channel in await onRunning(Listener(scheme: "https", port: channel.localAddress?.port ?? port)) },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        try await server.run()
    }
}
