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
        try pipeline.addHandler(HTTP1VersionMatch())
        try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
        let decision = channel.eventLoop.makePromise(of: RequestDoor.Decision.self)
        try pipeline.addHandler(RequestDoor(streams: streams, timeouts: timeouts, isHTTP2: false, decision: decision))
        return decision.futureResult
    }

    /// HTTP/2: NIOHTTP2 with its connection manager (idle connections closed, GOAWAY on shutdown), and on each
    /// stream the HTTPTypes codec and a door. Each stream's outbound buffer is its subscriber buffer: a stream whose
    /// client stops reading runs out of flow-control window, fills it, and is cut off alone.
    func configureHTTP2(_ channel: any Channel) throws -> NIOHTTP2Handler.AsyncStreamMultiplexer<EventLoopFuture<RequestDoor.Decision>> {
        let configuration = streams.configuration
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(HTTP2ConnectionHandler())
        var http2 = NIOHTTP2Handler.Configuration()
        http2.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: configuration.http2MaxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: Self.maxHeaderBytes),
        ]
        let high = max(configuration.subscriberBufferBytes, 1024)
        http2.stream.outboundBufferSizeHighWatermark = high
        http2.stream.outboundBufferSizeLowWatermark = high / 2
        let grace = configuration.closeGracePeriod.components
        let manager = NIOHTTP2ServerConnectionManagementHandler.Configuration(
            maxIdleTime: configuration.timeouts.idle, maxAge: nil,
            maxGraceTime: .seconds(grace.seconds + 2), keepalive: nil
        )
        let streams = self.streams
        let timeouts = self.timeouts
        return try pipeline.configureAsyncHTTP2Pipeline(
            mode: .server, connectionManagerConfiguration: manager, http2HandlerConfiguration: http2
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPServerCodec())
                let decision = stream.eventLoop.makePromise(of: RequestDoor.Decision.self)
                try stream.pipeline.syncOperations.addHandler(RequestDoor(streams: streams, timeouts: timeouts, isHTTP2: true, decision: decision))
                return decision.futureResult
            }
        }
    }
}
