import NIOCore

/// Sits behind TLS and ALPN until HTTP/2 is agreed: if the connection ends first (a failed handshake, a server that
/// does not speak TLS on that port), fails `ready` with the error that ended it, which would otherwise reach the end of
/// the pipeline unseen. Passes everything else on, so it can stay in the pipeline once HTTP/2 is added after it.
final class TLSFailureHandler<Ready: Sendable>: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let ready: EventLoopPromise<Ready>
    private var error: (any Error)?

    init(ready: EventLoopPromise<Ready>) {
        self.ready = ready
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let detail = error.map { ": \(String(describing: $0))" } ?? ""
        ready.fail(BenchError("the connection closed before TLS and ALPN agreed on h2\(detail)"))
        context.fireChannelInactive()
    }
}
