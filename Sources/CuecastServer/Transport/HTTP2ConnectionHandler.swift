import NIOCore

/// What Cuecast adds to an HTTP/2 connection, between the bytes (TLS or the socket) and NIOHTTP2: one write for
/// many streams, a goodbye on every stream before the GOAWAY, and a close when the client closes its side.
///
/// **Flushes.** Every stream's write ends in a flush, and NIOHTTP2 turns each into a flush of the connection: a
/// fan-out reaching a hundred streams of one connection would cost a hundred writes (and, on TLS, a hundred
/// records). While a `LoopFanout` turn is writing (`holdFlushes`) the connection's flushes are held, and the turn
/// ends with one (`releaseFlushes`): every stream's DATA frame for that event leaves in one write.
///
/// **Shutdown.** NIOHTTP2 does not pass `ChannelShouldQuiesceEvent` on to stream channels, and NIO's connection
/// manager answers it with GOAWAY. This handler sits before both: it tells each stream's `RequestDoor` first (a stream
/// writes the goodbye comment and ends), then passes the event on, so the GOAWAY follows the goodbyes.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var holding = false
    private var flushPending = false
    /// The doors of this connection's open streams.
    private var doors: [ObjectIdentifier: RequestDoor] = [:]

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        doors.removeAll()
    }

    /// Holds flushes until `releaseFlushes`; `true` if this call started holding (the caller must release).
    func holdFlushes() -> Bool {
        guard !holding else { return false }
        holding = true
        return true
    }

    func releaseFlushes() {
        holding = false
        guard flushPending else { return }
        flushPending = false
        context?.flush()
    }

    func flush(context: ChannelHandlerContext) {
        if holding {
            flushPending = true
        } else {
            context.flush()
        }
    }

    func register(_ door: RequestDoor) { doors[ObjectIdentifier(door)] = door }

    func unregister(_ door: RequestDoor) { doors[ObjectIdentifier(door)] = nil }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            for door in Array(doors.values) { door.quiesce() }
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            // Hummingbird's server allows half-closed connections, and NIO's HTTP/2 connection manager does not
            // act on one: an HTTP/2 client that has closed its side is gone (it can no longer acknowledge a frame),
            // so the connection closes now rather than sitting in CLOSE-WAIT holding a descriptor.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
