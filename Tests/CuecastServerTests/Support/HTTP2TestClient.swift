import CuecastBench
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The project's HTTP/2 client (`HTTP2ClientConnection`, h2c with prior knowledge and NIOHTTP2's default windows)
/// with streams that collect what they receive, and that can be left unread: a stream with `reading: false`
/// never consumes its DATA, so it never returns flow-control window to the server, as a browser tab that stopped
/// reading would.
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

    private let connection: HTTP2ClientConnection

    init(port: Int) async throws {
        connection = try await HTTP2ClientConnection.connect(.init(port: port), on: MultiThreadedEventLoopGroup.singleton.next())
    }

    /// Opens `GET path` on a new stream of this connection, with `headers` besides `host` and `accept`.
    func get(_ path: String, reading: Bool = true, headers: [(String, String)] = []) async throws -> Stream {
        let stream = Stream()
        let streamChannel = try await connection.openStream(reading: reading) { _ in [stream] }.get()
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
        await connection.close()
    }
}
