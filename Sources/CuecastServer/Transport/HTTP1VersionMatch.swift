import NIOCore
import NIOHTTP1

/// Answers HTTP/1.0 in HTTP/1.0, and closes the connection after it.
///
/// The HTTPTypes codec in front of Hummingbird and the streams drops the request's version and answers every
/// request as HTTP/1.1, so NIO's encoder would frame a stream of unknown length in chunks, which an HTTP/1.0 client
/// cannot parse. Stamping the request's version on the response head lets the encoder do the HTTP/1.0 thing (no
/// chunking: the body ends when the connection closes), and an HTTP/1.0 request that did not ask for keep-alive
/// gets its connection closed once its response has been written.
final class HTTP1VersionMatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The versions of requests not yet answered, oldest first (HTTP/1 answers in order). An array, not a
    /// `CircularBuffer`, whose empty form allocates: every idle subscriber carries this handler.
    private var versions: [(version: HTTPVersion, keepAlive: Bool)] = []

    /// Whether the response being written answers an HTTP/1.0 request (so its body is not chunked).
    var answersHTTP10: Bool { versions.first?.version == .http1_0 }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            versions.append((head.version, head.isKeepAlive))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            if let request = versions.first, request.version == .http1_0 {
                head.version = .http1_0
                head.headers.remove(name: "transfer-encoding")
                if !request.keepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            let request = versions.isEmpty ? nil : versions.removeFirst()
            if let request, request.version == .http1_0, !request.keepAlive {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                context.write(data, promise: promise)
            }
        }
    }
}
