import CuecastCore
import HTTPTypes
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Where an HTTP/2 connection decides each stream, right above NIOHTTP2: an event stream becomes a record on the
/// connection (`HTTP2EventStream`), everything else a child channel of NIO's `HTTP2StreamMultiplexer` (after this
/// handler) for Hummingbird, as an HTTP/1 request is.
///
/// NIOHTTP2, built without its inline multiplexer, hands every frame up the pipeline and reports each stream's life as
/// events (`NIOHTTP2StreamCreatedEvent`, `StreamClosedEvent`); it keeps the stream states and the flow-control
/// buffering itself. So on the HEADERS that open a stream this door builds the request and asks the one stream
/// decision (`StreamRequests.decide`, as `RequestDoor` does on HTTP/1). A stream it opens stops here (a client has
/// nothing more to say after its request) and its response is written here, as frames, by its `StreamConnection`; a
/// stream request it answers (204, 4xx, 503) gets its HEADERS and DATA written here too, ending the stream
/// (`HTTP2Frame.answer`). Anything else (a page, the API, an LLM route) goes on to the multiplexer.
///
/// It also tells the connection (`HTTP2ConnectionHandler`) whether any stream is open, for the idle rule (NIO's
/// connection manager, after this handler, learns the same from NIOHTTP2's events); and on shutdown it has every event
/// stream say goodbye before the manager's GOAWAY, which follows it in the pipeline.
final class HTTP2StreamDoor: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let eventLoop: any EventLoop
    /// A subscriber's buffer (`ServerConfiguration.subscriberBufferBytes`), which each record counts against.
    let bufferBytes: Int
    /// The connection below NIOHTTP2: it holds the flushes of a fan-out turn.
    let connection: HTTP2ConnectionHandler
    private let streams: StreamRequests
    private var context: ChannelHandlerContext?
    /// The event streams open on this connection.
    private var records: [HTTP2StreamID: HTTP2EventStream] = [:]
    /// Streams answered here that NIOHTTP2 has not closed yet (the client may still send a body): their frames are
    /// dropped, as an event stream's are, and never reach the multiplexer.
    private var answered: Set<HTTP2StreamID> = []
    /// Streams NIOHTTP2 has open, of either kind.
    private var openStreams = 0
    /// The highest stream id whose HEADERS were seen: a client opens streams in increasing order, so a HEADERS frame
    /// at or below it is a trailer, not a new request.
    private var lastStreamID = HTTP2StreamID.rootStream
    private var quiescing = false
    /// The connection's inbound window as last passed on (see `userInboundEventTriggered`).
    private var connectionInboundWindow: Int?

    init(streams: StreamRequests, connection: HTTP2ConnectionHandler, eventLoop: any EventLoop) {
        self.streams = streams
        self.connection = connection
        self.eventLoop = eventLoop
        self.bufferBytes = max(streams.configuration.subscriberBufferBytes, 1024)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection.entered(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closeAll()
        connection.entered(nil)
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeAll()
        context.fireChannelInactive()
    }

    /// The connection is gone: every record gives back its slot (and lets go of this door).
    private func closeAll() {
        let closing = records.values
        records.removeAll()
        for record in closing { record.closed() }
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let id = frame.streamID
        // An event stream's client has nothing more to say: a body, a trailer or a reset is not passed on (NIOHTTP2
        // reports the close of a reset stream as an event).
        if records[id] != nil || answered.contains(id) { return }
        if case .headers(let headers) = frame.payload, id > lastStreamID {
            lastStreamID = id
            // NIOHTTP2 reports the stream's creation after this frame: the place the connection held while it had no
            // stream is given back first, or under a cap of N the N-th stream would find it taken.
            connection.streamsOpen(true)
            if decide(id, headers: headers.headers, context: context) { return }
        }
        context.fireChannelRead(data)
    }

    /// Opens the stream as a record, or answers it, if it is a stream request; `false` leaves it to the multiplexer.
    private func decide(_ id: HTTP2StreamID, headers: HPACKHeaders, context: ChannelHandlerContext) -> Bool {
        guard let request = HTTPRequest(http2: headers) else { return false }
        let peer = context.channel.remoteAddress
        let plan: StreamPlan
        let slot: ConnectionRegistry.Slot
        switch streams.decide(request, peer: peer, admitting: !quiescing) {
        case .notAStream:
            return false
        case .answer(let answer):
            answered.insert(id)
            for frame in HTTP2Frame.answer(answer, streamID: id) { context.write(wrapOutboundOut(frame), promise: nil) }
            context.flush()
            return true
        case .open(let decided, let admitted):
            (plan, slot) = (decided, admitted)
        }
        let record = HTTP2EventStream(id: id, door: self)
        let stream = streams.open(request, plan: plan, slot: slot, writer: .http2(record), peer: peer)
        record.stream = stream
        records[id] = record
        stream.begin()
        return true
    }

    /// Writes a record's frame into NIOHTTP2; flushed by `flush`, or when the fan-out's turn ends.
    func write(_ frame: HTTP2Frame, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func flush() { context?.flush() }

    /// Resets the record's stream after `grace` if it is still open then (its client did not take the end).
    func reset(_ record: HTTP2EventStream, after grace: TimeAmount) {
        eventLoop.assumeIsolated().scheduleTask(in: grace) {
            guard let context = self.context, self.records[record.id] === record else { return }
            self.records[record.id] = nil
            context.writeAndFlush(self.wrapOutboundOut(HTTP2Frame(streamID: record.id, payload: .rstStream(.cancel))), promise: nil)
            record.closed()
        }
    }

    // MARK: Events

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Without its inline multiplexer NIOHTTP2 reports window changes as pipeline events: two for every DATA frame
        // written (the stream's window and the connection's), each tried against the types of every handler after
        // this one, about 5,400 instructions a delivery (`scripts/profile --protocol h2c`: 31,500 against 26,100 with
        // child channels). Only NIO's multiplexer reads them, and only the inbound window (it sends WINDOW_UPDATE for
        // its stream channels and for the connection): a record stream's are dropped here, and so is the
        // connection's when its inbound window has not changed, which the multiplexer would find the same as last
        // time.
        if let update = event as? NIOHTTP2WindowUpdatedEvent {
            if update.streamID == .rootStream {
                guard update.inboundWindowSize != connectionInboundWindow else { return }
                connectionInboundWindow = update.inboundWindowSize
            } else if records[update.streamID] != nil || answered.contains(update.streamID) {
                return
            }
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch event {
        case is NIOHTTP2StreamCreatedEvent:
            openStreams += 1
            if openStreams == 1 { connection.streamsOpen(true) }
        case let closed as StreamClosedEvent:
            records.removeValue(forKey: closed.streamID)?.closed()
            answered.remove(closed.streamID)
            if openStreams > 0 {
                openStreams -= 1
                if openStreams == 0 { connection.streamsOpen(false) }
            }
        case is ChannelShouldQuiesceEvent:
            // Before the manager's GOAWAY, which follows this handler: each event stream writes its goodbye and ends.
            quiescing = true
            for record in Array(records.values) {
                record.stream?.end(.shutdown, finalFrame: StreamConnection.shutdownNotice)
            }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }
}
