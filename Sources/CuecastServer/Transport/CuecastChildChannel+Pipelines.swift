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
        // The connection's own buffer holds what its streams have written and TCP has not taken yet: it is their
        // buffers together (a burst to a hundred streams is megabytes), not one subscriber's. NIO's 64 KiB default
        // would make a burst on a busy connection look like every stream on it had stopped reading.
        let streamBuffer = max(configuration.subscriberBufferBytes, 1024)
        let connectionBuffer = min(streamBuffer * configuration.http2MaxConcurrentStreams, 64 << 20)
        try channel.syncOptions?.setOption(
            ChannelOptions.writeBufferWaterMark, value: .init(low: connectionBuffer / 2, high: connectionBuffer)
        )
        let connection = HTTP2ConnectionHandler(connections: self.streams.connections, idle: configuration.timeouts.idle)
        try pipeline.addHandler(connection)
        var http2 = NIOHTTP2Handler.Configuration()
        http2.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.http2MaxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: Self.maxHeaderBytes),
        ]
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
