import NIOCore
import NIOHTTP2

/// The place right above NIOHTTP2 in an HTTP/2 connection's pipeline where `HTTP2ConnectionHandler` writes the live
/// events of every stream on the connection as the connection's own frames (see `HTTP2StreamFrames`).
final class HTTP2FrameEntry: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame

    private let connection: HTTP2ConnectionHandler

    init(connection: HTTP2ConnectionHandler) { self.connection = connection }

    func handlerAdded(context: ChannelHandlerContext) { connection.entered(context) }

    func handlerRemoved(context: ChannelHandlerContext) { connection.entered(nil) }
}
