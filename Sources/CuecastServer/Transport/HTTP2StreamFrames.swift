import NIOCore
import NIOHTTP2

/// How an HTTP/2 stream's live events are written: as DATA frames of the connection, written into NIOHTTP2 from
/// above it (`HTTP2FrameEntry`) rather than through the stream's own channel, and flushed once per connection when the
/// fan-out's turn ends.
///
/// A live event is almost everything a stream ever writes. Through the stream channel, each one cost a pass through
/// the stream's pipeline, a flush of the stream and with it a flush of NIOHTTP2 of its own (NIOHTTP2 coalesces stream
/// flushes only while it is reading): most of an HTTP/2 delivery's instructions (BENCHMARKS.md, "HTTP/2 CPU per
/// delivery"). Written as the connection's frames, a turn that reaches a hundred streams of one connection flushes
/// NIOHTTP2 once. NIOHTTP2 sees the same frames, in the same order per stream (the head, the preamble, the replay and
/// the end still go through the stream channel, which has handed its writes to NIOHTTP2 before the next live event
/// comes), so its flow control, stream states and frame encoding are exactly as before.
///
/// **The subscriber buffer.** What the stream channel no longer sees, it can no longer count: a stream whose client
/// stops reading runs out of flow-control window, and NIOHTTP2 keeps its frames. So the stream counts here what it
/// wrote and what has left (`unsent`), learning the latter from the promise of one write in every `markEvery`
/// bytes (a promise for every write would cost as much as the stream channel did); it is over its buffer once more
/// than `bufferBytes` are unsent. The count errs by at most `markEvery` towards keeping the stream. "Left" is when
/// the socket took the bytes, as for an HTTP/1 subscriber's buffer: a frame waiting behind the stream's flow-control
/// window counts, and so does its share of the connection's write queue.
final class HTTP2StreamFrames {
    /// The connection: its turn holds the flushes (`HTTP2ConnectionHandler.holdFlushes`), and it writes the frames.
    let connection: HTTP2ConnectionHandler
    private let streamID: HTTP2StreamID
    private let eventLoop: any EventLoop
    private let bufferBytes: Int
    /// One write in this many bytes carries a promise.
    private var markEvery: Int { max(bufferBytes / 8, 512) }
    /// Bytes of live events written, and of those, how many are known to have left.
    private var written = 0
    private var sent = 0
    /// `written` when the last marked write was made.
    private var lastMark = 0
    /// Called when a marked write has left: a stream catching up on its replay may write more.
    var left: (() -> Void)?

    /// Bytes written that the socket has not taken yet, as far as the marks tell.
    var unsent: Int { written - sent }

    /// `nil` on HTTP/1 (no `connection`), or if the stream channel does not know its stream ID.
    init?(connection: HTTP2ConnectionHandler?, stream context: ChannelHandlerContext, bufferBytes: Int) {
        guard let connection, let streamID = try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID) else {
            return nil
        }
        self.connection = connection
        self.streamID = streamID
        self.eventLoop = context.eventLoop
        self.bufferBytes = max(bufferBytes, 1024)
    }

    /// Writes a DATA frame (a live event, or a piece of the replay); the connection's flush waits for the turn's end.
    /// `false` if the stream is now over its buffer (the frame is written all the same: the caller ends the stream).
    func write(_ data: HTTP2Frame.FramePayload, bytes: Int) -> Bool {
        written += bytes
        var promise: EventLoopPromise<Void>?
        if written - lastMark >= markEvery {
            lastMark = written
            let mark = written
            let marked = eventLoop.makePromise(of: Void.self)
            // Held strongly, not weakly (a weak reference would give every stream a side table for life): the promise
            // is completed or failed once NIOHTTP2 has sent or dropped the frame, and lets go of this then.
            marked.futureResult.assumeIsolated().whenSuccess {
                self.sent = max(self.sent, mark)
                self.left?()
            }
            promise = marked
        }
        connection.write(HTTP2Frame(streamID: streamID, payload: data), promise: promise)
        return written - sent <= bufferBytes
    }
}
