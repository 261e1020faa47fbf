import CuecastCore
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The handler every request passes, on an HTTP/1 connection or an HTTP/2 stream channel, just after the protocol's
/// codec: on HTTP/1 it serves event streams itself, and it hands everything else to Hummingbird.
///
/// On HTTP/1, every request is first put to the one stream decision (`StreamRequests.decide`). A stream it opens
/// becomes a `StreamConnection` written through this handler's context: no task, no async channel, so an idle
/// subscriber costs its socket and a few small objects. A stream request it answers (204, 4xx, 503) is written here,
/// and the connection stays open for the next request as after any answer. (On HTTP/2 that decision is made before
/// any stream channel exists, by `HTTP2StreamDoor`: what reaches a door on an HTTP/2 stream is Hummingbird's.)
/// Anything else (pages, the API, publishing) goes on to Hummingbird, whose async channel is added behind this
/// handler the first time it is needed, and then serves the connection's later requests too. A stream asked for on
/// a kept-alive HTTP/1 connection, after a page, is served here all the same: one streaming path, whatever came
/// before. Requests that arrive while Hummingbird is still answering wait here in order, so a stream's head never
/// cuts into another response.
///
/// It also keeps the connection's clock: an HTTP/1 connection with no complete request head for `idle` (idle
/// between requests, or a head still dribbling in) is closed, and so is a request whose body takes longer than
/// `body`. On shutdown (`ChannelShouldQuiesceEvent`) a stream says goodbye
/// and ends; an idle HTTP/1 connection closes; a response under way finishes first.
final class RequestDoor: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    typealias HummingbirdChannel = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    /// Who serves the connection (HTTP/1) or stream (HTTP/2), as its server task learns it.
    enum Decision: Sendable {
        /// Streams only: nothing for Hummingbird to do.
        case streamed
        /// Hummingbird serves the requests this door passes on.
        case hummingbird(HummingbirdChannel)
        /// Closed before either.
        case closed
    }

    struct Timeouts: Sendable {
        /// An HTTP/1 connection waiting this long for a complete request head is closed.
        var idle: TimeAmount
        /// A request body still arriving after this long closes the connection or stream.
        var body: TimeAmount
    }

    private let streams: StreamRequests
    private let timeouts: Timeouts
    private let isHTTP2: Bool
    /// Until decided; then let go, with the timers below once cancelled: an idle subscriber carries this handler.
    private var decision: EventLoopPromise<Decision>?
    private var context: ChannelHandlerContext?
    /// Boxed: most connections (every idle subscriber) never need one, and the channel is tens of bytes.
    private var hummingbird: Box<HummingbirdChannel>?
    private var stream: StreamConnection?
    /// Requests passed to Hummingbird whose response has not ended.
    private var unanswered = 0
    /// Where the current request's body goes: nowhere (none is being read), on to Hummingbird, or dropped (a GET for
    /// a stream answered here may carry one), bounded by the body clock either way.
    private var body = BodyDestination.none
    /// Parts that arrived while Hummingbird was answering, in order. An array, not a `CircularBuffer`: an empty one
    /// allocates nothing, and every idle subscriber carries this handler.
    private var waiting: [HTTPRequestPart] = []
    private var quiescing = false
    /// A read the channel asked for while this door holds reading (see `read`), made once it lets go.
    private var readHeld = false
    /// HTTP/1: what counts a request body's framing (`RequestFramingGuard`), until the connection becomes a stream.
    private var framingGuard: RequestFramingGuard?
    private var idleTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?

    init(streams: StreamRequests, timeouts: Timeouts, isHTTP2: Bool, decision: EventLoopPromise<Decision>) {
        self.streams = streams
        self.timeouts = timeouts
        self.isHTTP2 = isHTTP2
        self.decision = decision
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if !isHTTP2 { framingGuard = try? context.pipeline.syncOperations.handler(type: RequestFramingGuard.self) }
        if context.channel.isActive { startIdleClock() }
    }

    func channelActive(context: ChannelHandlerContext) {
        startIdleClock()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    /// The connection (or HTTP/2 stream) is gone. Everything that points back at this handler's context is let go
    /// here: the stream and the timers' closures hold the context, and the context holds this handler, so keeping
    /// them would keep every closed subscriber's objects alive for good (2.5 KiB a connection, found by the fault
    /// matrix's kill-and-repeat case).
    private func finish() {
        stream?.release()
        stream = nil
        idleTimer?.cancel()
        idleTimer = nil
        bodyTimer?.cancel()
        bodyTimer = nil
        decide(.closed)
    }

    private func decide(_ value: Decision) {
        decision?.succeed(value)
        decision = nil
    }

    // MARK: Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A stream's client has nothing more to say; whatever it sends is ignored (raw bytes, once an HTTP/1
        // stream has shed its parser).
        guard stream == nil else { return }
        let part = unwrapInboundIn(data)
        if !waiting.isEmpty || (unanswered > 0 && body != .hummingbird) {
            waiting.append(part)
            return
        }
        take(part, context: context)
    }

    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let request):
            idleTimer?.cancel()
            idleTimer = nil
            if !isHTTP2, decideStream(request, context: context) { return }
            guard hummingbirdChannel(context: context) != nil else { return }
            unanswered += 1
            body = .hummingbird
            framingGuard?.bodyStarted()
            startBodyClock(context: context)
            context.fireChannelRead(wrapInboundOut(part))
        case .body(let bytes):
            guard body != .none else { return }
            framingGuard?.decodedBody(bytes.readableBytes)
            if body == .hummingbird { context.fireChannelRead(wrapInboundOut(part)) }
        case .end:
            guard body != .none else { return }
            framingGuard?.bodyEnded()
            bodyTimer?.cancel()
            bodyTimer = nil
            let destination = body
            body = .none
            guard destination == .hummingbird else { return }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// HTTP/1: opens or answers `request` if it is a stream request; `false` leaves it to Hummingbird.
    private func decideStream(_ request: HTTPRequest, context: ChannelHandlerContext) -> Bool {
        switch streams.decide(request, peer: context.channel.remoteAddress, admitting: !quiescing) {
        case .notAStream:
            return false
        case .answer(let answer):
            write(answer, to: request, context: context)
        case .open(let plan, let slot):
            openStream(streams.open(request, plan: plan, slot: slot, writer: .http1(context), peer: context.channel.remoteAddress), context: context)
        }
        return true
    }

    /// Writes a stream request's answer, in its turn (nothing else is unanswered when a request is taken), and keeps
    /// the connection for the next request unless the request asked for a close (HTTP/1.0 without keep-alive is
    /// closed by `HTTP1VersionMatch`) or the server is stopping: as Hummingbird does after its own answers.
    private func write(_ answer: StreamAnswer, to request: HTTPRequest, context: ChannelHandlerContext) {
        body = .dropped
        framingGuard?.bodyStarted()
        startBodyClock(context: context)
        context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
        if let body = answer.body { context.write(wrapOutboundOut(.body(body)), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if request.asksClose || quiescing {
            context.close(promise: nil)
        } else {
            startIdleClock()
        }
    }

    private func startBodyClock(context: ChannelHandlerContext) {
        bodyTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeouts.body) { [weak self] in
            if let door = self, door.body != .none { context.close(promise: nil) }
        }
    }

    /// HTTP/1: serves the stream `decide` opened, written through this handler's context.
    private func openStream(_ stream: StreamConnection, context: ChannelHandlerContext) {
        let channel = context.channel
        body = .none
        bodyTimer?.cancel()
        bodyTimer = nil
        self.stream = stream
        framingGuard = nil
        waiting.removeAll()
        // NIO's outbound buffer is this subscriber's buffer; crossing the mark cuts it off.
        let high = max(streams.configuration.subscriberBufferBytes, 1024)
        channel.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: high / 2, high: high)).whenFailure { _ in }
        decide(.streamed)
        stream.begin()
        // After this read has unwound: the parser is still on the stack.
        context.eventLoop.assumeIsolated().execute {
            guard !stream.closing else { return }
            stream.codecShed(framing: CuecastChildChannel.shedHTTP1Handlers(channel, keepResponseCodec: !stream.canShedCodec))
        }
    }

    /// Hummingbird's async channel behind this handler, made the first time a request needs it.
    private func hummingbirdChannel(context: ChannelHandlerContext) -> HummingbirdChannel? {
        if let hummingbird { return hummingbird.value }
        do {
            let channel = try HummingbirdChannel(
                wrappingChannelSynchronously: context.channel, configuration: .init(isOutboundHalfClosureEnabled: !isHTTP2)
            )
            hummingbird = Box(channel)
            decide(.hummingbird(channel))
            return channel
        } catch {
            context.close(promise: nil)
            return nil
        }
    }

    // MARK: Responses (Hummingbird's; a stream writes past this handler)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        guard case .end = part else {
            context.write(data, promise: promise)
            return
        }
        unanswered -= 1
        guard unanswered == 0, !isHTTP2 else {
            context.write(data, promise: promise)
            return
        }
        if quiescing {
            context.write(data, promise: promise)
            context.flush()
            context.close(promise: nil)
            return
        }
        context.write(data, promise: promise)
        startIdleClock()
        if !waiting.isEmpty {
            // Read on once this write has returned: the next request may be a stream that writes at once.
            context.eventLoop.assumeIsolated().execute { [weak self] in self?.takeWaiting() }
        } else {
            releaseRead(context: context)
        }
    }

    private func takeWaiting() {
        guard let context else { return }
        var passedOn = false
        // Not while the client leaves earlier answers unread: the next answer would only wait behind them.
        while !waiting.isEmpty, stream == nil, unanswered == 0 || body == .hummingbird, context.channel.isWritable {
            take(waiting.removeFirst(), context: context)
            passedOn = true
        }
        // Hummingbird's async channel gives its reader what it has read at `channelReadComplete`. Parts passed on
        // here, outside a read, would wait for the next read, which may never come: a client that pipelined its
        // requests waits for the answers (found with two requests in one packet: the second was answered only when
        // the client gave up and closed).
        if passedOn { context.fireChannelReadComplete() }
        releaseRead(context: context)
    }

    // MARK: Reading (back-pressure on requests)

    /// Whether this door holds reading: requests are already waiting here, or the client is not reading the answers
    /// (the channel is over its write buffer). Either way a further read would only queue more: 60 MB of pipelined
    /// `GET /api/scenarios` whose answers were never read all were, 731 MiB (issue 22). A stream keeps reading, to
    /// notice at once that its client has gone.
    private var holdsReading: Bool {
        guard stream == nil, let context else { return false }
        return !waiting.isEmpty || (unanswered > 0 && !context.channel.isWritable)
    }

    func read(context: ChannelHandlerContext) {
        if holdsReading {
            readHeld = true
        } else {
            context.read()
        }
    }

    /// Makes the read held back by `read`, once the door no longer holds reading.
    private func releaseRead(context: ChannelHandlerContext) {
        guard readHeld, !holdsReading else { return }
        readHeld = false
        context.read()
    }

    // MARK: Events

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            quiesce()
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            // Hummingbird's server allows half-closed connections: a client that has closed its side asks nothing
            // more. A stream ends; a connection with no request under way closes now, not at the idle timeout;
            // one whose request Hummingbird is answering is Hummingbird's to finish.
            if let stream {
                stream.end(.clientGone, finalFrame: nil)
            } else if unanswered == 0, body != .hummingbird, !isHTTP2 {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The server is stopping: a stream says goodbye and ends; an idle HTTP/1 connection closes now; one with a
    /// response under way closes after it (on HTTP/2 the connection's GOAWAY and grace period see to that).
    private func quiesce() {
        quiescing = true
        if let stream {
            stream.end(.shutdown, finalFrame: StreamConnection.shutdownNotice)
        } else if !isHTTP2, unanswered == 0, body != .hummingbird {
            context?.close(promise: nil)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        stream?.writabilityChanged(isWritable: context.channel.isWritable)
        if stream == nil, context.channel.isWritable {
            if !waiting.isEmpty, unanswered == 0 {
                takeWaiting()
            } else {
                releaseRead(context: context)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let stream {
            stream.end(.clientGone, finalFrame: nil)
            context.close(promise: nil)
        } else if hummingbird == nil {
            context.close(promise: nil)
        } else if error is HTTPParserError {
            // NIO's error handler has answered it (400), unless a response was under way: the connection ends here.
            // Passed on, the error also failed the request body Hummingbird was reading, and Hummingbird answered
            // 400 a second time on the same connection (issue 23).
            context.close(promise: nil)
        } else {
            context.fireErrorCaught(error)
        }
    }

    /// HTTP/1 only: closes the connection if no complete request head arrives in time. HTTP/2 streams carry their
    /// head in one frame; an HTTP/2 connection with no streams is timed out by NIO's connection manager.
    private func startIdleClock() {
        guard !isHTTP2, let context else { return }
        idleTimer?.cancel()
        // The door is found through its context rather than held weakly: a weak reference gives an object a side
        // table for life, and every idle subscriber's door starts this clock. `finish` cancels it, ending the cycle.
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeouts.idle) {
            guard let door = context.handler as? RequestDoor, door.stream == nil, door.unanswered == 0, door.body == .none else { return }
            context.close(promise: nil)
        }
    }
}

/// Where a request's body goes (`RequestDoor.body`).
private enum BodyDestination {
    case none
    case hummingbird
    case dropped
}

extension HTTPRequest {
    /// Whether an HTTP/1.1 request said `Connection: close`: its connection ends after the answer.
    fileprivate var asksClose: Bool {
        headerFields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" }
        }
    }
}

/// A value kept behind one reference, so a handler that rarely needs it carries a pointer rather than the value.
final class Box<Value> {
    let value: Value

    init(_ value: Value) { self.value = value }
}
