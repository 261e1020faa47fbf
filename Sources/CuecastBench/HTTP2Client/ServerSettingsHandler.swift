import NIOCore
import NIOHTTP2

/// Waits for the server's first SETTINGS frame on an HTTP/2 connection and reports its
/// SETTINGS_MAX_CONCURRENT_STREAMS (nil when the server sets no limit), so a worker opens no more streams on the
/// connection than the server allows. Fails with a readable reason when the connection ends first, which is what
/// a server that does not speak HTTP/2 does.
///
/// Sits after `NIOHTTP2Handler`, which passes on the frames of stream 0 (SETTINGS, PING, GOAWAY) to the connection's
/// pipeline.
final class ServerSettingsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame

    private let settings: EventLoopPromise<Int?>
    /// What went wrong before the SETTINGS arrived, if anything did.
    private var error: (any Error)?

    init(settings: EventLoopPromise<Int?>) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .settings(.settings(let values)) = unwrapInboundIn(data).payload {
            let limit = values.last { $0.parameter == .maxConcurrentStreams }.map(\.value)
            settings.succeed(limit)
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let detail = error.map { ": \(String(describing: $0))" } ?? ""
        settings.fail(BenchError("the connection closed before the server's HTTP/2 SETTINGS (does it speak HTTP/2 on this port?)\(detail)"))
        context.fireChannelInactive()
    }
}
