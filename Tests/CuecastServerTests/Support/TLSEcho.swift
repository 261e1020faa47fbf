import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// A TLS server on 127.0.0.1 that greets each client with the protocol ALPN chose ("hello h2"), then closes, and a
/// client for it that trusts only the roots it is given: a real handshake with real verification, no HTTP involved.
enum TLSEcho {
    /// Serves `server` once on a free port, connects with `client` (naming `hostname` in SNI and verification, or the
    /// peer's IP address when nil) and returns the greeting.
    static func exchange(server: TLSConfiguration, client: TLSConfiguration, hostname: String?) async throws -> String {
        let serverContext = try NIOSSLContext(configuration: server)
        let clientContext = try NIOSSLContext(configuration: client)
        let group = MultiThreadedEventLoopGroup.singleton
        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(NIOSSLServerHandler(context: serverContext), Greeter())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = listener.localAddress?.port ?? 0
        let received = group.next().makePromise(of: String.self)
        do {
            _ = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let tls = try NIOSSLClientHandler(context: clientContext, serverHostname: hostname)
                        try channel.pipeline.syncOperations.addHandlers(tls, Collector(received))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            let greeting = try await received.futureResult.get()
            try await listener.close()
            return greeting
        } catch {
            received.fail(error)
            try? await listener.close()
            throw error
        }
    }

    /// Writes "hello PROTOCOL" once the handshake is done, then closes.
    private final class Greeter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent {
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "hello \(negotiated ?? "none")")), promise: nil)
                context.close(promise: nil)
            }
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Collects what the server sends until it closes; a failed handshake fails the promise.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let done: EventLoopPromise<String>
        private var text = ""

        init(_ done: EventLoopPromise<String>) { self.done = done }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            text += String(buffer: unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.succeed(text)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
            context.close(promise: nil)
        }
    }
}
