import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 connection, with event streams taken off it.
///
/// Every connection starts with a `RequestSniffer`. If the first request is a plain `GET` that `DirectStreams`
/// can serve (a live stream or a channel, admitted, with valid options), the connection becomes a
/// `StreamConnection` on SwiftNIO and its Hummingbird task ends at once; an idle subscriber then costs a socket
/// and one small handler. Anything else (pages, the API, publishing, solo streams, errors, a stream asked for
/// on a kept-alive connection) is handed to Hummingbird's own pipeline, bytes and all, and served as before.
struct CuecastChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let decision: EventLoopFuture<RequestSniffer.Decision>
    }

    let http1: HTTP1Channel
    let direct: DirectStreams

    /// How each connection sizes its reads. NIO keeps a connection's last receive buffer for the next read, for
    /// the life of the connection; its default first buffer is 2 KiB, which an idle subscriber would then carry
    /// although its one request was a few hundred bytes. Starting at 256 bytes and growing (doubling whenever a
    /// read fills the buffer, up to NIO's usual 64 KiB) costs an upload a few more reads and saves every
    /// subscriber most of that.
    static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536)

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.syncOptions?.setOption(ChannelOptions.recvAllocator, value: Self.receiveAllocator)
            let promise = channel.eventLoop.makePromise(of: RequestSniffer.Decision.self)
            let sniffer = RequestSniffer(direct: direct, http1: http1, logger: logger, decision: promise)
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(channel: channel, decision: promise.futureResult)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .http(let asyncChannel) = try? await value.decision.get() else { return }
        await http1.handle(value: asyncChannel, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with `DirectStreams` serving the event streams it can.
    static func cuecast(direct: DirectStreams) -> HTTPServerBuilder {
        .init { responder in
            CuecastChildChannel(http1: HTTP1Channel(responder: responder), direct: direct)
        }
    }
}
