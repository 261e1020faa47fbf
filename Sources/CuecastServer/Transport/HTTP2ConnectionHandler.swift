import NIOCore
import NIOHTTP2

/// What Cuecast adds to an HTTP/2 connection, between the bytes (TLS or the socket) and NIOHTTP2: one write for
/// many streams, the idle rule, and a close when the client closes its side or NIOHTTP2 ends the connection.
///
/// **Flushes.** Every stream's write ends in a flush, and NIOHTTP2 turns each into a flush of the connection: a
/// fan-out reaching a hundred streams of one connection would cost a hundred writes (and, on TLS, a hundred
/// records), and a hundred passes through NIOHTTP2's flush. So a `LoopFanout` turn writes its live events as this
/// connection's frames, into NIOHTTP2 from above (`HTTP2StreamDoor`, see `HTTP2EventStream`), holding the
/// connection's flushes meanwhile (`holdFlushes`); the turn ends with one flush of NIOHTTP2 and one of the socket
/// (`releaseFlushes`): every stream's DATA frame for that event leaves in one write.
///
/// **Writes.** NIOHTTP2 writes each frame as two buffers (its 9-byte header, then the payload), so a held turn
/// would still hand the socket two writes per stream, each queued on its own and each an entry of the `writev`.
/// While held, the connection's small writes are gathered here, in order, into one buffer, which goes down as one
/// write when the turn ends: the frames are copied once (tens of bytes each) instead of queued one by one. A large
/// payload (a burst's batch) is not copied: it goes down as it is, after what was gathered before it. NIOHTTP2 has
/// done all its work (flow control, encoding) before a byte reaches this handler, so its accounting is untouched.
///
/// **A connection with no stream.** NIO's connection manager times an HTTP/2 connection out only after a stream has
/// closed: its clock starts on `channelActive`, which a connection set up after its preface was read never sees. So a
/// connection that sent the preface and nothing more stayed open for good, and held no subscriber slot: under
/// `ulimit -n 256`, 300 of them took every descriptor (issue 22). While it has no stream open, a connection here
/// holds a place among the server's subscribers (`ConnectionRegistry.holdIdleConnection`; closed at once if none is
/// left) and is closed after the idle timeout.
///
/// **Connection errors.** On a connection error NIOHTTP2 sends GOAWAY and reports the error, but leaves the
/// connection open: its streams went on streaming and kept their slots. NIOHTTP2 tells its frame delegate (this
/// handler) of every frame it writes, so a GOAWAY with an error code closes the connection once it is flushed.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?
    private var holding = false
    private var flushPending = false
    /// What the connection wrote while held, and the promises of those writes (the first stands for them all).
    private var gathered: ByteBuffer?
    private var gatheredPromise: EventLoopPromise<Void>?
    /// The size of the last turn's gathered bytes: the next turn's buffer starts that big, so it is seldom regrown.
    private var lastGathered = 1024

    /// Writes larger than this are passed on rather than copied.
    static let largestGathered = 4096
    /// Where frames enter NIOHTTP2 from above (`HTTP2StreamDoor`): event streams are written there, and flushed once
    /// per turn.
    private var entry: ChannelHandlerContext?
    private let connections: ConnectionRegistry
    private let idle: TimeAmount
    /// While no stream is open: the place held among the subscribers, and the clock that closes the connection.
    private var holdsPlace = false
    private var idleTimer: Scheduled<Void>?

    init(connections: ConnectionRegistry, idle: TimeAmount) {
        self.connections = connections
        self.idle = idle
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        becameIdle()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        leftIdle()
        gathered = nil
        gatheredPromise?.fail(ChannelError.ioOnClosedChannel)
        gatheredPromise = nil
    }

    /// Holds flushes until `releaseFlushes`; `true` if this call started holding (the caller must release).
    func holdFlushes() -> Bool {
        guard !holding else { return false }
        holding = true
        return true
    }

    func releaseFlushes() {
        // NIOHTTP2 encodes every frame the turn wrote and hands the bytes down here, while still held: gathered.
        entry?.flush()
        holding = false
        writeGathered()
        guard flushPending else { return }
        flushPending = false
        context?.flush()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard holding, case .byteBuffer(let bytes) = unwrapOutboundIn(data), bytes.readableBytes <= Self.largestGathered else {
            writeGathered()
            context.write(data, promise: promise)
            return
        }
        if gathered == nil {
            gathered = context.channel.allocator.buffer(capacity: max(lastGathered, bytes.readableBytes))
        }
        bytes.withUnsafeReadableBytes { _ = gathered!.writeBytes($0) }
        if let promise {
            if let first = gatheredPromise {
                first.futureResult.cascade(to: promise)
            } else {
                gatheredPromise = promise
            }
        }
    }

    func flush(context: ChannelHandlerContext) {
        if holding {
            flushPending = true
        } else {
            context.flush()
        }
    }

    /// Passes on what was gathered while held, as one write.
    private func writeGathered() {
        guard let bytes = gathered else { return }
        let promise = gatheredPromise
        gathered = nil
        gatheredPromise = nil
        lastGathered = min(max(1024, bytes.readableBytes), 64 * 1024)
        if let context {
            context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        } else {
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    func entered(_ context: ChannelHandlerContext?) { entry = context }

    /// Whether any stream is open on the connection, of either kind (told by `HTTP2StreamDoor`).
    func streamsOpen(_ open: Bool) {
        if open { leftIdle() } else { becameIdle() }
    }

    /// No stream open: hold a place and start the clock, or close if no place is left.
    private func becameIdle() {
        guard let context, !holdsPlace, context.channel.isActive else { return }
        guard connections.holdIdleConnection() else {
            context.close(promise: nil)
            return
        }
        holdsPlace = true
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: idle) { context.close(promise: nil) }
    }

    private func leftIdle() {
        idleTimer?.cancel()
        idleTimer = nil
        if holdsPlace {
            holdsPlace = false
            connections.releaseIdleConnection()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        leftIdle()
        context.fireChannelInactive()
    }

    func wroteFrame(_ frame: HTTP2Frame) {
        guard case .goAway(_, let code, _) = frame.payload, code != .noError, let context else { return }
        // NIOHTTP2 writes the GOAWAY inside its own write path: close once it has been flushed, on the next tick.
        let channel = context.channel
        context.eventLoop.execute {
            channel.flush()
            channel.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Hummingbird's server allows half-closed connections, and NIO's HTTP/2 connection manager does not
            // act on one: an HTTP/2 client that has closed its side is gone (it can no longer acknowledge a frame),
            // so the connection closes now rather than sitting in CLOSE-WAIT holding a descriptor.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
