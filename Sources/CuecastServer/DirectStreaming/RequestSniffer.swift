import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The first handler on every connection: reads the first request head and decides who serves the connection
/// (see `CuecastChildChannel`). It removes itself either way.
final class RequestSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Decision: Sendable {
        /// A `StreamConnection` serves it; Hummingbird has nothing to do.
        case direct
        /// Hummingbird serves it.
        case http(HTTP1Channel.Value)
        /// It closed (or failed) before a decision.
        case closed
    }

    /// A head longer than this goes to Hummingbird, which enforces its own limits.
    static let maxHeadBytes = 16 * 1024

    private let direct: DirectStreams
    private let http1: HTTP1Channel
    private let logger: Logger
    private let decision: EventLoopPromise<Decision>
    private var buffered: ByteBuffer?
    private var decided = false

    init(direct: DirectStreams, http1: HTTP1Channel, logger: Logger, decision: EventLoopPromise<Decision>) {
        self.direct = direct
        self.http1 = http1
        self.logger = logger
        self.decision = decision
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        var incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeBuffer(&incoming)
        }
        guard let buffer = buffered else { return }
        if let length = PeekedRequest.headLength(in: buffer.readableBytesView) {
            if length == buffer.readableBytes,
               let head = PeekedRequest(Array(buffer.readableBytesView)),
               let connection = direct.takeOver(head, channel: context.channel) {
                serveDirectly(connection, context: context)
            } else {
                handOff(context: context)
            }
        } else if buffer.readableBytes > Self.maxHeadBytes {
            handOff(context: context)
        }
    }

    private func serveDirectly(_ connection: StreamConnection, context: ChannelHandlerContext) {
        decided = true
        buffered = nil
        do {
            try context.pipeline.syncOperations.addHandler(connection)
        } catch {
            context.close(promise: nil)
            decision.succeed(.closed)
            return
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        connection.begin()
        decision.succeed(.direct)
    }

    /// Builds Hummingbird's pipeline behind this handler, passes it what was read, and steps aside.
    private func handOff(context: ChannelHandlerContext) {
        decided = true
        let setup = http1.setup(channel: context.channel, logger: logger)
        setup.assumeIsolated().whenComplete { [decision] result in
            switch result {
            case .success(let asyncChannel):
                decision.succeed(.http(asyncChannel))
                if let buffered = self.buffered {
                    self.buffered = nil
                    context.fireChannelRead(self.wrapInboundOut(buffered))
                    context.fireChannelReadComplete()
                }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            case .failure:
                decision.succeed(.closed)
                context.close(promise: nil)
            }
        }
    }

    /// The server is shutting down before this connection asked for anything: close it (its connection task, and
    /// so Hummingbird's shutdown, waits for the decision).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, settleClosed() {
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
        if settleClosed() {
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        settleClosed()
    }

    /// Decides `.closed` unless a decision was already made; `true` if it was this call that decided.
    @discardableResult
    private func settleClosed() -> Bool {
        guard !decided else { return false }
        decided = true
        decision.succeed(.closed)
        return true
    }
}
