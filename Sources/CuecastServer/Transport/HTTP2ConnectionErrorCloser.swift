import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection once NIOHTTP2 has ended it with a connection error.
///
/// On a framing error, an oversized header block or one of its denial-of-service guards (a reset flood, a flood of
/// control frames, empty DATA frames, stream errors or other "glitches"), NIOHTTP2 sends GOAWAY, stops reading the
/// connection, and reports the error down the pipeline, leaving the close to the application. Left open, such a
/// connection keeps every stream its client had opened, each holding a subscriber slot, until the client goes
/// (found by sending 300 streams each opened and reset at once: GOAWAY `ENHANCE_YOUR_CALM`, then nothing).
///
/// Only these errors close the connection. NIOHTTP2 reports a stream error (one stream reset) the same way, and a
/// browser's other streams on that connection must not pay for it.
final class HTTP2ConnectionErrorCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame

    static func endsConnection(_ error: any Error) -> Bool {
        switch error {
        case is NIOHTTP2Errors.ExcessiveRSTFrames, is NIOHTTP2Errors.ExcessiveControlFrames, is NIOHTTP2Errors.ExcessiveEmptyDataFrames,
             is NIOHTTP2Errors.ExcessiveStreamErrors, is NIOHTTP2Errors.ExcessiveNumberOfGlitches,
             is NIOHTTP2Errors.ExcessiveOutboundFrameBuffering, is NIOHTTP2Errors.ExcessiveContinuationFrames,
             is NIOHTTP2Errors.ExcessivelyLargeHeaderBlock, is NIOHTTP2Errors.UnableToParseFrame, is NIOHTTP2Errors.BadClientMagic:
            true
        default:
            false
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if Self.endsConnection(error) {
            // After the GOAWAY NIOHTTP2 has already written: flushed first, then the close.
            context.flush()
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
