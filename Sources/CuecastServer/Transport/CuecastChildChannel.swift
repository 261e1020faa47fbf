import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP2
import NIOSSL
import NIOTLS

/// Every Cuecast connection, on either port: HTTP/1.1 (and 1.0), HTTP/2 over TLS (ALPN `h2`, falling back to
/// `http/1.1`), and cleartext HTTP/2 with prior knowledge on the plain port.
///
/// Each protocol gets NIO's own codec and a door that decides each request: a `RequestDoor` per HTTP/1 connection, an
/// `HTTP2StreamDoor` per HTTP/2 connection. Event streams are served there, on one streaming path
/// (`StreamConnection`; on HTTP/2 a record on the connection, with no channel of its own), and everything else goes
/// to Hummingbird's responder (on HTTP/2 through a stream channel with its own `RequestDoor`). A connection whose only
/// requests are streams never gets a Hummingbird task.
struct CuecastChildChannel: ServerChildChannel, HTTPChannelHandler {
    enum Security: Sendable {
        case plain
        case tls(NIOSSLContext)
    }

    /// The protocol a connection speaks, once known, and what its server task waits on.
    enum Negotiated: Sendable {
        case http1(EventLoopFuture<RequestDoor.Decision>)
        /// The decisions of the connection's stream channels (requests for Hummingbird), as they open.
        case http2(AsyncStream<EventLoopFuture<RequestDoor.Decision>>)
        case closed
    }

    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let negotiated: EventLoopFuture<Negotiated>
    }

    let responder: HTTPChannelHandler.Responder
    let streams: StreamRequests
    let security: Security

    /// How each connection sizes its reads. NIO keeps a connection's last receive buffer for the next read, for
    /// the life of the connection; its default first buffer is 2 KiB, which an idle subscriber would then carry
    /// although its one request was a few hundred bytes. Starting at 256 bytes and growing (doubling whenever a
    /// read fills the buffer, up to NIO's usual 64 KiB) costs an upload a few more reads and saves every
    /// subscriber most of that.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)

    var timeouts: RequestDoor.Timeouts { streams.configuration.timeouts }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        switch security {
        case .plain:
            return channel.eventLoop.makeCompletedFuture {
                try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveAllocator)
                let negotiated = channel.eventLoop.makePromise(of: Negotiated.self)
                let sniffer = PriorKnowledgeSniffer(idle: timeouts.idle) { kind, channel in
                    switch kind {
                    case .http1: negotiated.succeed(.http1(try configureHTTP1(channel, secure: false)))
                    case .http2: negotiated.succeed(.http2(try configureHTTP2(channel)))
                    }
                } onClosed: {
                    negotiated.succeed(.closed)
                }
                try channel.pipeline.syncOperations.addHandler(sniffer)
                return Value(channel: channel, negotiated: negotiated.futureResult)
            }
        case .tls(let context):
            do {
                try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveAllocator)
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            // A client that never finishes its handshake is closed like one that never sends a request.
            let handshake = channel.eventLoop.scheduleTask(in: timeouts.idle) { channel.close(promise: nil) }
            return channel.configureHTTP2AsyncSecureUpgrade { channel in
                channel.eventLoop.makeCompletedFuture { try configureHTTP1(channel, secure: true) }
            } http2ConnectionInitializer: { channel in
                channel.eventLoop.makeCompletedFuture { try configureHTTP2(channel) }
            }.map { result in
                let negotiated = result.map { version -> Negotiated in
                    handshake.cancel()
                    switch version {
                    case .http1_1(let decision): return .http1(decision)
                    case .http2(let decisions): return .http2(decisions)
                    }
                }
                return Value(channel: channel, negotiated: negotiated)
            }
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard let negotiated = try? await value.negotiated.get() else { return }
        switch negotiated {
        case .closed:
            return
        case .http1(let decision):
            guard case .hummingbird(let channel)? = try? await decision.get() else { return }
            await handleHTTP(asyncChannel: channel, logger: logger)
        case .http2(let decisions):
            await withDiscardingTaskGroup { group in
                for await decision in decisions {
                    group.addTask {
                        guard case .hummingbird(let channel)? = try? await decision.get() else { return }
                        // Hummingbird's HTTP/1 loop serves a stream's one request too: its inbound parts end when
                        // the stream closes, after the response.
                        await handleHTTP(asyncChannel: channel, logger: logger)
                    }
                }
            }
        }
    }
}

extension HTTPServerBuilder {
    /// Cuecast's connections on the plain port. If `secure` is given it learns the responder, to serve the HTTPS
    /// port with the same routes.
    static func cuecast(streams: StreamRequests, secure: SecureListener?) -> HTTPServerBuilder {
        .init { responder in
            secure?.respond(with: responder)
            return CuecastChildChannel(responder: responder, streams: streams, security: .plain)
        }
    }
}
