import Hummingbird
import Logging
import NIOCore

/// The request context for Cuecast's routes: Hummingbird's basics plus the client's address, which the publish
/// rate limit is keyed on.
public struct CuecastRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, for rate limiting.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
