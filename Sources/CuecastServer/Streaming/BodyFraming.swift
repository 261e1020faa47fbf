import NIOCore
import NIOHTTPTypes

/// How a stream's body reaches its channel once the response head has gone out.
///
/// Every stream starts with `parts`: `HTTPResponsePart`s through the protocol's codec (NIOHTTP1's encoder, or
/// NIOHTTP2's DATA frames and END_STREAM). An HTTP/1 connection that has become a stream has no other response to
/// write, so once its head is out it lets go of the HTTPTypes codec and NIO's encoder as well as the request parser
/// (`CuecastChildChannel.shedHTTP1Handlers`): two handlers and their pipeline contexts fewer on every idle
/// subscriber. From then on the stream frames its body as the encoder did: `chunked` for HTTP/1.1, and for HTTP/1.0
/// `closeDelimited`, the bytes as they are, ended by closing the connection.
enum BodyFraming {
    case parts
    case chunked
    case closeDelimited

    private static let lineEnd = ByteBuffer(string: "\r\n")
    private static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

    /// Writes `body` (not flushed). An empty body writes nothing: as a chunk it would end the response.
    func write(_ body: ByteBuffer, to context: ChannelHandlerContext) {
        switch self {
        case .parts:
            context.write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        case .chunked:
            guard body.readableBytes > 0 else { return }
            // Three writes, as NIO's encoder makes them: the size line, the bytes every subscriber shares, the CRLF.
            var size = context.channel.allocator.buffer(capacity: 12)
            size.writeString(String(body.readableBytes, radix: 16))
            size.writeStaticString("\r\n")
            context.write(NIOAny(size), promise: nil)
            context.write(NIOAny(body), promise: nil)
            context.write(NIOAny(Self.lineEnd), promise: nil)
        case .closeDelimited:
            guard body.readableBytes > 0 else { return }
            context.write(NIOAny(body), promise: nil)
        }
    }

    /// Writes the end of the response and flushes; `promise` completes once everything before it is written.
    func writeEnd(to context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        switch self {
        case .parts: context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: promise)
        case .chunked: context.writeAndFlush(NIOAny(Self.lastChunk), promise: promise)
        // Nothing marks the end: the connection's close does. An empty write completes after the bytes before it.
        case .closeDelimited: context.writeAndFlush(NIOAny(ByteBuffer()), promise: promise)
        }
    }
}
