import NIOCore

/// The first handler on a plain (cleartext) connection: tells HTTP/2 with prior knowledge (`curl
/// --http2-prior-knowledge`, which opens with the connection preface) from HTTP/1, sets the pipeline up for the
/// one it is, hands it the bytes read so far, and steps aside.
///
/// It reads no more than the preface's 24 bytes, and decides as soon as the bytes differ from it: anything that is
/// not the preface (an HTTP/1 request, a TLS ClientHello, garbage) goes to the HTTP/1 parser, which answers what it
/// cannot parse with 400 and a close. A connection that says nothing is closed after `idle`, and one that closes
/// (or the server's shutdown) before it has said enough is closed at once.
final class PriorKnowledgeSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Kind { case http1, http2 }

    /// Sets the pipeline up, behind this handler, for `kind`.
    private let configure: (Kind, any Channel) throws -> Void
    private let onClosed: () -> Void
    private let idle: TimeAmount
    private var buffered: ByteBuffer?
    private var decided = false
    private var idleTimer: Scheduled<Void>?

    init(idle: TimeAmount, configure: @escaping (Kind, any Channel) throws -> Void, onClosed: @escaping () -> Void) {
        self.idle = idle
        self.configure = configure
        self.onClosed = onClosed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: idle) { [weak self] in
            guard let self, !self.decided else { return }
            self.settleClosed()
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered?.writeBuffer(&incoming)
        }
        guard let bytes = buffered?.readableBytesView else { return }
        let compared = min(bytes.count, Self.preface.count)
        if !bytes.prefix(compared).elementsEqual(Self.preface.prefix(compared)) {
            decide(.http1, context: context)
        } else if compared == Self.preface.count {
            decide(.http2, context: context)
        }
    }

    private func decide(_ kind: Kind, context: ChannelHandlerContext) {
        decided = true
        idleTimer?.cancel()
        do {
            try configure(kind, context.channel)
        } catch {
            onClosed()
            context.close(promise: nil)
            return
        }
        if let buffered {
            self.buffered = nil
            context.fireChannelRead(wrapInboundOut(buffered))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The server is stopping, or the client closed its side (Hummingbird allows half-closed connections)
        // before saying enough to be served: nothing will come of this connection.
        let closedInput = (event as? ChannelEvent) == .inputClosed
        if event is ChannelShouldQuiesceEvent || closedInput, !decided {
            settleClosed()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settleClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard decided else {
            settleClosed()
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    private func settleClosed() {
        idleTimer?.cancel()
        guard !decided else { return }
        decided = true
        onClosed()
    }
}
