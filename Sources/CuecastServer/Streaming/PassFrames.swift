import NIOCore
import NIOHTTP2

/// What one fan-out pass writes, in the form each member writes it: the buffer (HTTP/1, and a stream with faults),
/// and the HTTP/2 DATA payload around that same buffer, made once for the pass and shared by every HTTP/2 stream the
/// pass reaches (each wraps it in a frame with its own stream ID, `HTTP2EventStream`).
///
/// A DATA payload has storage of its own: made per stream (with the `NIOAny` box the stream channel needed) it was
/// about a thousand instructions a delivery (`scripts/profile --protocol h2c`). NIOHTTP2 only reads the payload, and
/// every copy shares the one buffer.
struct PassFrames {
    let buffer: ByteBuffer
    let http2Data: HTTP2Frame.FramePayload

    init(_ buffer: ByteBuffer) {
        self.buffer = buffer
        self.http2Data = .data(.init(data: .byteBuffer(buffer)))
    }
}
