import CuecastCore
import NIOCore

/// An event stream served straight on SwiftNIO, with no task and no HTTP codec behind it: the connection's
/// whole state is this handler and its place in a `LoopFanout`.
///
/// It writes the response head and preamble at once, joins its hub through the loop's fanout (replay first,
/// then live frames), and stops when the hub ends it, when the client goes away, when the server shuts down
/// (`ChannelShouldQuiesceEvent`, sent by Hummingbird's server to every connection), when it is dropped on request,
/// or when the client stops reading: NIO's outbound buffer is this subscriber's buffer, bounded by the write
/// watermark, and crossing it cuts the subscriber off. A connection that does not take its last frame is closed
/// after the grace period.
final class StreamConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Everything decided before the connection was taken over (see `DirectStreams`).
    struct Plan: Sendable {
        let hub: BroadcastHub
        let lastEventID: String?
        let history: HistoryRequest
        /// The comment sent when `lastEventID` is not in history.
        let unplaced: @Sendable (String) -> String
        let bufferBytes: Int
        let fanoutTurnSize: Int
        let closeGracePeriod: TimeAmount
        /// Called once when the connection ends: gives back its subscriber slot and unlists it.
        let finished: @Sendable () -> Void
    }

    static let shutdownNotice = Frame.comment("the server is shutting down; reconnect in a moment")

    private let plan: Plan
    /// Status line, headers, the blank line and the preamble, until `begin()` writes them: an idle subscriber
    /// should not carry its own response head.
    private var opening: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var fanout: LoopFanout?
    /// Where this connection sits in its fanout's member list, while it is a member (kept by `LoopFanout`).
    var memberIndex: Int?
    private var closing = false
    private var released = false

    init(plan: Plan, opening: ByteBuffer) {
        self.plan = plan
        self.opening = opening
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// Writes the head and preamble (flushed at once, so the client knows the stream is open), then joins the hub.
    func begin() {
        guard let context else { return }
        let high = max(plan.bufferBytes, 1024)
        context.channel.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: high / 2, high: high)).whenFailure { _ in }
        if let opening {
            self.opening = nil
            context.writeAndFlush(wrapOutboundOut(opening), promise: nil)
        }
        let loop = context.eventLoop
        plan.hub.join(
            sinkKey: ObjectIdentifier(loop), make: { [turnSize = plan.fanoutTurnSize] in LoopFanout(loop: loop, turnSize: turnSize) }, lastEventID: plan.lastEventID, history: plan.history
        ) { fanout, admission in
            fanout.admit(self, admission)
        }
    }

    /// From the fanout, on the loop: writes the replay; `true` if the connection stays a member.
    func start(with admission: SinkAdmission, fanout: LoopFanout) -> Bool {
        guard let context, !closing else { return false }
        var bytes: [UInt8] = []
        if admission.placement == .unknownID, let id = plan.lastEventID { EventEncoder.encodeComment(plan.unplaced(id), into: &bytes) }
        for frame in admission.replay { bytes.append(contentsOf: frame.bytes) }
        if !bytes.isEmpty { context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil) }
        if admission.finished {
            end(.finished, finalFrame: nil)
            return false
        }
        self.fanout = fanout
        return true
    }

    /// Frames from the fanout: the same buffer every member gets.
    func send(_ buffer: ByteBuffer) {
        guard let context, !closing else { return }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Stops: `finalFrame` goes after what is already written, and the connection closes once that is flushed, or
    /// after the grace period if the client is not reading.
    func end(_ reason: CloseReason, finalFrame: Frame?) {
        guard let context, !closing else { return }
        closing = true
        fanout?.leave(self)
        fanout = nil
        let channel = context.channel
        let flushed = context.eventLoop.makePromise(of: Void.self)
        if let finalFrame {
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(bytes: finalFrame.bytes)), promise: flushed)
        } else {
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: flushed)
        }
        flushed.futureResult.whenComplete { _ in channel.close(promise: nil) }
        let grace = reason == .clientGone ? .milliseconds(100) : plan.closeGracePeriod
        context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }

    /// Ends the stream from any thread (a drop requested over HTTP).
    static func end(_ connection: NIOLoopBound<StreamConnection>, reason: CloseReason, finalFrame: Frame?) {
        connection.eventLoop.execute { connection.value.end(reason, finalFrame: finalFrame) }
    }

    // MARK: Channel events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A stream's client has nothing more to say; whatever it sends is ignored.
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable { end(.overflow, finalFrame: BroadcastHub.overflowNotice) }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            end(.shutdown, finalFrame: Self.shutdownNotice)
        } else if let event = event as? ChannelEvent, event == .inputClosed {
            end(.clientGone, finalFrame: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(.clientGone, finalFrame: nil)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        fanout?.leave(self)
        fanout = nil
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        self.context = nil
    }

    /// Gives back the slot and the listing, once, whichever of inactive or removed comes first.
    private func release() {
        guard !released else { return }
        released = true
        plan.finished()
    }
}
