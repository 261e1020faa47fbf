import HTTPTypes
import NIOCore
import NIOHPACK
import NIOHTTP2

/// An HTTP/2 event stream as a record on its connection: its id, its byte count, where its life is, and the
/// `StreamConnection` it carries. No channel, pipeline, codec or door of its own: its frames are written into
/// NIOHTTP2 by its connection's `HTTP2StreamDoor`, which NIOHTTP2 keeps the stream state and flow control for.
///
/// Each stream used to be an NIO child channel with NIOHTTP2's stream channel, a pipeline, the HTTPTypes codec and a
/// `RequestDoor`: about 2 KiB of the 3.8 KiB an idle h2c subscriber cost (issue 27). This record is a few dozen bytes.
///
/// **The subscriber buffer.** A stream whose client stops reading runs out of flow-control window, and NIOHTTP2 keeps
/// its frames. So the record counts what it wrote and what has left (`unsent`), learning the latter from the promise
/// of one write in every `markEvery` bytes (a promise for every write would cost as much as a stream channel did); it
/// is over its buffer once more than `bufferBytes` are unsent. The count errs by at most `markEvery` towards keeping
/// the stream. "Left" is when the socket took the bytes, as for an HTTP/1 subscriber's buffer: a frame waiting behind
/// the stream's flow-control window counts, and so does its share of the connection's write queue. Every body byte
/// counts: the preamble, the replay, live events and what a fault lets through.
final class HTTP2EventStream {
    /// Where the stream's life is, as the server writes it. The client's side needs no state: it has nothing more to
    /// say after its request, and NIOHTTP2 reports the stream's close (`closed()`), whoever ends it.
    enum State {
        /// The head is written (or about to be) and the body is streaming.
        case streaming
        /// END_STREAM is written; the stream is reset if the client has not taken it when the grace period ends.
        case ending
        /// NIOHTTP2 has closed the stream, or the connection has gone: nothing more is written.
        case closed
    }

    let id: HTTP2StreamID
    /// The connection's door: writes the frames, holds the connection's flushes, and keeps this record.
    let door: HTTP2StreamDoor
    /// The stream, until the record closes (the record is what keeps it on its connection).
    var stream: StreamConnection?
    private(set) var state = State.streaming
    /// Bytes written, and of those, how many are known to have left.
    private var written = 0
    private var sent = 0
    /// `written` when the last marked write was made.
    private var lastMark = 0

    init(id: HTTP2StreamID, door: HTTP2StreamDoor) {
        self.id = id
        self.door = door
    }

    var eventLoop: any EventLoop { door.eventLoop }

    /// Bytes written that the socket has not taken yet, as far as the marks tell.
    var unsent: Int { written - sent }

    /// One write in this many bytes carries a promise.
    private var markEvery: Int { max(door.bufferBytes / 8, 512) }

    /// The response head as a HEADERS frame; not flushed.
    func writeHead(_ head: HTTPResponse) {
        guard state == .streaming else { return }
        door.write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: HPACKHeaders(response: head)))), promise: nil)
    }

    /// Writes a DATA frame (the preamble, a piece of the replay, a live event); the flush is the caller's, or waits for
    /// the fan-out turn's end. `false` if the stream is now over its buffer (the frame is written all the same: the
    /// caller ends the stream).
    @discardableResult
    func write(_ data: HTTP2Frame.FramePayload, bytes: Int) -> Bool {
        guard state == .streaming else { return true }
        written += bytes
        var promise: EventLoopPromise<Void>?
        if written - lastMark >= markEvery {
            lastMark = written
            let mark = written
            let marked = eventLoop.makePromise(of: Void.self)
            // Held strongly, not weakly (a weak reference would give every record a side table for life): the promise
            // is completed or failed once NIOHTTP2 has sent or dropped the frame, and lets go of this then.
            marked.futureResult.assumeIsolated().whenSuccess {
                self.sent = max(self.sent, mark)
                self.stream?.bytesLeft()
            }
            promise = marked
        }
        door.write(HTTP2Frame(streamID: id, payload: data), promise: promise)
        return written - sent <= door.bufferBytes
    }

    /// END_STREAM, flushed; if the stream is still open after `grace` (its client does not take what is left), it is
    /// reset.
    func end(grace: TimeAmount) {
        guard state == .streaming else { return }
        state = .ending
        door.write(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(ByteBuffer()), endStream: true))), promise: nil)
        door.flush()
        door.reset(self, after: grace)
    }

    /// NIOHTTP2 has closed the stream, or the connection has gone: the stream gives back its slot, once.
    func closed() {
        guard state != .closed else { return }
        state = .closed
        let stream = self.stream
        self.stream = nil
        stream?.release()
    }
}
