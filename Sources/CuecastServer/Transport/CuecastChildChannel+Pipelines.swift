import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOHTTPTypesHTTP1
import NIOHTTPTypesHTTP2

extension CuecastChildChannel {
    /// The largest request head accepted, on either protocol; a bigger one gets 431 (HTTP/1) or a stream error.
    static let maxHeaderBytes = 16 * 1024

    /// HTTP/1: NIO's parser and encoder (a request it cannot parse gets 400 and a close), HTTP/1.0 answered in
    /// kind, the HTTPTypes codec, then the door.
    func configureHTTP1(_ channel: any Channel, secure: Bool) throws -> EventLoopFuture<RequestDoor.Decision> {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = Self.maxHeaderBytes
        limits.maxHeaderFieldSize = Self.maxHeaderBytes
        let pipeline = channel.pipeline.syncOperations
        try pipeline.configureHTTPServerPipeline(
            withPipeliningAssistance: false,  // RequestDoor holds requests that arrive while one is answered
            withErrorHandling: true,
            withOutboundHeaderValidation: false,  // HTTPTypes has validated every header already
            withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: limits
        )
        try pipeline.addHandler(RequestFramingGuard(), position: .before(pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)))
        try pipeline.addHandler(HTTP1VersionMatch())
        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
        let decision = channel.eventLoop.makePromise(of: RequestDoor.Decision.self)
        try pipeline.addHandler(RequestDoor(streams: streams, timeouts: timeouts, isHTTP2: false, decision: decision))
        return decision.futureResult
    }

    /// How many stream errors a client may cause (a malformed request, a frame on a closed stream) in `windowLength`
    /// before NIOHTTP2 ends its connection with `ENHANCE_YOUR_CALM`. NIOHTTP2's default is 200 in 30 s, and its rate
    /// limiter reserves a slot for every one of them up front (8 B each: 1.6 KiB a connection, every connection, for
    /// errors a correct client never causes; issue 27). A correct client causes none; a buggy one still has 20 in any
    /// 30 s, and NIOHTTP2's glitch count (200 stream errors a connection, whatever their rate) stays as it was: the
    /// protection is tighter, not weaker.
    static var streamErrorRateLimit: NIOHTTP2Handler.StreamErrorRateLimitConfiguration {
        var limit = NIOHTTP2Handler.StreamErrorRateLimitConfiguration()
        limit.maximumCount = 20
        limit.windowLength = .seconds(30)
        return limit
    }

    /// Once an HTTP/1 connection is a stream, its client has nothing more to say and the server no other response to
    /// write: the request parser, its error handler and the version matcher are let go, and so, unless the stream's
    /// writes still need them (`keepResponseCodec`), are the HTTPTypes codec and NIO's encoder, the stream framing
    /// its body itself from then on. Every idle subscriber is such a connection, so this is most of what one costs
    /// beyond its socket. Reading goes on, so a client that leaves is still noticed at once; what it sends is
    /// dropped by the `RequestDoor` (or, with the codec kept, by `DiscardedInput` before anything parses it).
    /// Returns how the stream's body is framed now.
    static func shedHTTP1Handlers(_ channel: any Channel, keepResponseCodec: Bool) -> BodyFraming {
        let pipeline = channel.pipeline.syncOperations
        guard let parser = try? pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return .parts }
        var framing = BodyFraming.parts
        if keepResponseCodec {
            do {
                try pipeline.addHandler(DiscardedInput(), position: .before(parser.handler))
            } catch {
                return .parts
            }
        } else if let encoder = try? pipeline.context(handlerType: HTTPResponseEncoder.self),
                  let codec = try? pipeline.context(handlerType: HTTP1ToHTTPServerCodec.self) {
            let versions = try? pipeline.handler(type: HTTP1VersionMatch.self)
            framing = versions?.answersHTTP10 == true ? .closeDelimited : .chunked
            pipeline.removeHandler(context: codec, promise: nil)
            pipeline.removeHandler(context: encoder, promise: nil)
        } else {
            return .parts
        }
        if let versions = try? pipeline.context(handlerType: HTTP1VersionMatch.self) {
            pipeline.removeHandler(context: versions, promise: nil)
        }
        if let errors = try? pipeline.context(handlerType: HTTPServerProtocolErrorHandler.self) {
            pipeline.removeHandler(context: errors, promise: nil)
        }
        if let framing = try? pipeline.context(handlerType: RequestFramingGuard.self) {
            pipeline.removeHandler(context: framing, promise: nil)
        }
        // Last: anything the parser hands on as it leaves goes straight to the door, which drops it.
        pipeline.removeHandler(context: parser, promise: nil)
        return framing
    }

    /// HTTP/2: NIOHTTP2 (without its inline multiplexer) with its connection manager (idle connections closed, GOAWAY
    /// on shutdown), and right above NIOHTTP2 the `HTTP2StreamDoor`, which keeps each event stream as a record on the
    /// connection and passes every other stream on to NIO's `HTTP2StreamMultiplexer`: a stream channel with the
    /// HTTPTypes codec and a `RequestDoor`, for Hummingbird. A stream whose client stops reading runs out of
    /// flow-control window, and what it is sent waits in NIOHTTP2 until the subscriber buffer is full: the stream is
    /// then cut off alone (counted by its record, `HTTP2EventStream`). Returns the stream channels' decisions, as they
    /// open, for the connection's server task.
    func configureHTTP2(_ channel: any Channel) throws -> AsyncStream<EventLoopFuture<RequestDoor.Decision>> {
        let configuration = streams.configuration
        let pipeline = channel.pipeline.syncOperations
        // The connection's write buffer, past which it is "not writable": what NIO holds for the socket, encoded,
        // that TCP has not taken. Event streams do not look at it (each record counts its own bytes against its
        // subscriber buffer, wherever they wait), so it governs only the other answers (a page, the API: their stream
        // channels wait while it is full) and, below, whether the connection's requests are read. One subscriber's
        // buffer: a connection holds at most that much of answers its client has not read before the server stops
        // reading from it. It used to be a subscriber buffer per stream (64 MiB at the defaults), from when each event
        // stream was a stream channel that a full connection made look stalled; two h2c clients flooding
        // `GET /api/scenarios` with wide-open windows and never reading then took the server up by 166 MiB (issue 22).
        let streamBuffer = max(configuration.subscriberBufferBytes, 1024)
        try channel.syncOptions?.setOption(
            ChannelOptions.writeBufferWaterMark, value: .init(low: streamBuffer / 2, high: streamBuffer)
        )
        // Back-pressure on requests (issue 22): while the connection's answers sit unread past its buffer (it is not
        // writable), NIO's `BackPressureHandler` reads nothing more from it, so a client that sends requests and never
        // reads their answers stops being read, as a pipelining HTTP/1.1 client is by its `RequestDoor`. No deadlock:
        // what is queued here leaves as the client's TCP takes it, whether or not the server reads; and event streams
        // of a client that never reads are still cut off by the byte budget, which needs no read.
        try pipeline.addHandler(BackPressureHandler())
        let connection = HTTP2ConnectionHandler(connections: self.streams.connections, idle: configuration.timeouts.idle)
        try pipeline.addHandler(connection)
        var http2 = NIOHTTP2Handler.Configuration()
        http2.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.http2MaxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: Self.maxHeaderBytes),
        ]
        http2.stream.streamErrorRateLimit = Self.streamErrorRateLimit
        let managerConfiguration = NIOHTTP2ServerConnectionManagementHandler.Configuration(
            maxIdleTime: configuration.timeouts.idle, maxAge: nil,
            maxGraceTime: TimeAmount(configuration.closeGracePeriod + .seconds(2)), keepalive: nil
        )
        let manager = NIOHTTP2ServerConnectionManagementHandler(eventLoop: channel.eventLoop, configuration: managerConfiguration)
        // The connection handler is NIOHTTP2's frame delegate: it closes the connection after a GOAWAY for an error.
        try pipeline.addHandler(NIOHTTP2Handler(
            mode: .server, frameDelegate: connection, connectionConfiguration: http2.connection, streamConfiguration: http2.stream
        ))
        try pipeline.addHandler(HTTP2StreamDoor(streams: self.streams, connection: connection, eventLoop: channel.eventLoop))
        try pipeline.addHandler(manager)
        let (decisions, found) = AsyncStream<EventLoopFuture<RequestDoor.Decision>>.makeStream()
        channel.closeFuture.whenComplete { _ in found.finish() }
        let streams = self.streams
        let timeouts = self.timeouts
        try pipeline.addHandler(HTTP2StreamMultiplexer(
            mode: .server, channel: channel, targetWindowSize: http2.stream.targetWindowSize,
            outboundBufferSizeHighWatermark: streamBuffer, outboundBufferSizeLowWatermark: streamBuffer / 2
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPServerCodec())
                let decision = stream.eventLoop.makePromise(of: RequestDoor.Decision.self)
                try stream.pipeline.syncOperations.addHandler(RequestDoor(streams: streams, timeouts: timeouts, isHTTP2: true, decision: decision))
                found.yield(decision.futureResult)
            }
        })
        // Last, where NIOHTTP2 reports its connection errors.
        try pipeline.addHandler(HTTP2ConnectionErrorCloser())
        return decisions
    }
}

/// Drops what a streaming HTTP/1 client sends while its response codec stays (see `shedHTTP1Handlers`); events such
/// as its close pass on.
final class DiscardedInput: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
