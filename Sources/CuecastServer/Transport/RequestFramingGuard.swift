import NIOCore
import NIOHTTP1

/// Bounds the bytes an HTTP/1 request body may spend on framing (chunk sizes, chunk extensions, trailers) rather
/// than on its body.
///
/// NIO's parser skips a chunk extension without keeping it, so an extension costs no memory, but it costs reading
/// and parsing, and nothing bounds it: 500 MiB of extensions were read on one request, with nothing to show for
/// them (issue 23). This handler sits in front of the parser and counts the bytes read while a request's body is
/// under way (`RequestDoor` says when a body starts and ends, and how many body bytes the parser gave it); once the
/// bytes read are more than `allowance` beyond what honest framing costs (`overheadFactor` times the body, which
/// covers one-byte chunks), the request is refused as NIO refuses a request it cannot parse: an `HTTPParserError`,
/// which NIO's error handler answers with one 400 and the door ends with a close. Nothing more is read into the
/// parser after that.
final class RequestFramingGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Framing bytes allowed on top of the body's own overhead: trailers up to the head limit, and slack.
    static let allowance = 2 * CuecastChildChannel.maxHeaderBytes
    /// Bytes on the wire per body byte that honest chunked framing can reach (`1\r\nx\r\n` is six).
    static let overheadFactor = 8

    private var counting = false
    private var read = 0
    private var decoded = 0
    private var refused = false

    /// A request body starts (after its head).
    func bodyStarted() {
        counting = true
        read = 0
        decoded = 0
    }

    /// The parser gave the door `bytes` of body.
    func decodedBody(_ bytes: Int) { decoded += bytes }

    func bodyEnded() { counting = false }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        if counting { read += unwrapInboundIn(data).readableBytes }
        context.fireChannelRead(data)
    }

    /// Checked once the parser has taken the whole read, so the body it produced is counted.
    func channelReadComplete(context: ChannelHandlerContext) {
        if counting, !refused, read > Self.allowance + (Self.overheadFactor + 1) * decoded {
            refused = true
            counting = false
            context.fireErrorCaught(HTTPParserError.invalidChunkSize)
            return
        }
        context.fireChannelReadComplete()
    }
}
