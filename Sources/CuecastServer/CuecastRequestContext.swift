import Hummingbird
import Logging
import NIOCore

/// The request context for Cuecast's routes: Hummingbird's basics plus the client's address, which the publish
/// rate limit is keyed on.
public struct CuecastRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Whether the request came on an HTTP/2 stream: a stream's channel is the child of its connection's, which is
    /// the child of the listening socket's; an HTTP/1 connection (TLS or not) is one level up.
    let isHTTP2: Bool

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.isHTTP2 = source.channel.parent?.parent != nil
    }

    /// The client's IP address, for rate limiting.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
