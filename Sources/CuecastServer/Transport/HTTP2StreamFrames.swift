import NIOCore
import NIOHTTP2
import NIOHTTPTypesHTTP2

/// How an HTTP/2 stream's live events are written: as DATA frame payloads handed straight to the stream channel,
/// past the HTTPTypes codec, with the flushes of the connection held for the fan-out's turn.
///
/// A live event is almost everything a stream ever writes, and all the codec would do with one is wrap its buffer in a
/// DATA payload: done here, each delivery skips a pipeline hop and the wrapping and unwrapping of an
/// `HTTPResponsePart`. The head, the preamble, the replay and the end still go through the codec. NIOHTTP2 receives
/// the same frames either way, so its flow control and the stream channel's writability (the overflow cut-off) are
/// untouched.
final class HTTP2StreamFrames {
    /// The connection whose flushes a fan-out turn holds (`HTTP2ConnectionHandler.holdFlushes`).
    let connection: HTTP2ConnectionHandler
    /// The codec's context: what is written here goes to the handler before the codec, the stream channel itself.
    private let codec: ChannelHandlerContext

    /// `nil` on HTTP/1 (no `connection`), or if the stream has no codec to write past.
    init?(connection: HTTP2ConnectionHandler?, stream context: ChannelHandlerContext) {
        guard let connection,
            let codec = try? context.pipeline.syncOperations.context(handlerType: HTTP2FramePayloadToHTTPServerCodec.self)
        else { return nil }
        self.connection = connection
        self.codec = codec
    }

    /// Writes a DATA payload (`PassFrames.http2Data`) and flushes the stream; the connection's flush waits for the
    /// turn's end.
    func writeAndFlush(_ data: NIOAny) {
        codec.writeAndFlush(data, promise: nil)
    }
}
