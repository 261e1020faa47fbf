import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// A real HTTP/2 client on one connection (NIOHTTP2, prior knowledge), whose streams can be left unread: a stream
/// with `reading: false` never consumes its DATA, so it never returns flow-control window to the server, as a
/// browser tab that stopped reading would.
final class HTTP2TestClient: Sendable {
    /// What one stream has received.
    final class Stream: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPClientResponsePart
        private let state = NIOLockedValueBox((status: 0, headers: HTTPHeaders(), body: [UInt8](), ended: false))
        fileprivate let channel = NIOLockedValueBox<(any Channel)?>(nil)

        var status: Int { state.withLockedValue { $0.status } }
        /// The response head's fields.
        var headers: HTTPHeaders { state.withLockedValue { $0.headers } }
        var text: String { state.withLockedValue { String(decoding: $0.body, as: UTF8.self) } }
        var ended: Bool { state.withLockedValue { $0.ended } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                state.withLockedValue {
                    $0.status = Int(head.status.code)
                    $0.headers = head.headers
                }
            case .body(let buffer): state.withLockedValue { $0.body += buffer.readableBytesView }
            case .end: state.withLockedValue { $0.ended = true }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.ended = true }
        }

        /// Resets the stream (RST_STREAM CANCEL, as a browser tab that navigates away), leaving the connection open.
        func reset() async {
            try? await channel.withLockedValue { $0 }?.close().get()
        }
    }

    private let channel: any Channel
    private let multiplexer: NIOLoopBound<NIOHTTP2Handler.StreamMultiplexer>

    init(port: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        self.multiplexer = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()
            ) { $0.eventLoop.makeSucceededVoidFuture() }, eventLoop: channel.eventLoop)
        }.get()
        self.channel = channel
    }

    /// Opens `GET path` on a new stream of this connection, with `headers` besides `host` and `accept`.
    func get(_ path: String, reading: Bool = true, headers: [(String, String)] = []) async throws -> Stream {
        let stream = Stream()
        let promise = channel.eventLoop.makePromise(of: (any Channel).self)
        let multiplexer = self.multiplexer
        channel.eventLoop.execute {
            multiplexer.value.createStreamChannel(promise: promise) { streamChannel in
                streamChannel.eventLoop.makeCompletedFuture {
                    try streamChannel.syncOptions?.setOption(ChannelOptions.autoRead, value: reading)
                    try streamChannel.pipeline.syncOperations.addHandlers([HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http), stream])
                }
            }
        }
        let streamChannel = try await promise.futureResult.get()
        stream.channel.withLockedValue { $0 = streamChannel }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "host", value: "localhost")
        head.headers.add(name: "accept", value: "text/event-stream")
        head.headers.add(contentsOf: headers)
        streamChannel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await streamChannel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        return stream
    }

    func close() async {
        try? await channel.close().get()
    }
}
