import CuecastCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// One event stream, on whichever protocol carries it: an HTTP/1.1 or HTTP/1.0 connection, or one HTTP/2 stream.
///
/// This is the only place a stream's life is written: the response head and preamble, the replay, live frames from
/// the hub's `LoopFanout`, the cut-off of a subscriber that stops reading, the sentinel and the end, the goodbye on
/// shutdown, the drop on request, and the grace period for a client that does not take its last frame. The
/// protocol underneath is the pipeline's business: the stream writes `HTTPResponsePart`s into the `RequestDoor`'s
/// context, and NIOHTTP1 (chunked, or close-delimited for HTTP/1.0) or NIOHTTP2 (DATA frames, END_STREAM) frames
/// them. Everything here runs on the connection's event loop.
final class StreamConnection {
    /// Everything decided before the stream was taken (see `StreamRequests`).
    struct Plan: Sendable {
        let hub: BroadcastHub
        let lastEventID: String?
        let history: HistoryRequest
        /// The comment sent when `lastEventID` is not in history.
        let unplaced: @Sendable (String) -> String
        let fanoutTurnSize: Int
        let closeGracePeriod: TimeAmount
        /// Feeds the hub for this stream alone (a solo playback); cancelled when the stream ends.
        let producer: (@Sendable () async -> Void)?
        /// Where deliveries, resumes and the stream's end are counted.
        let metrics: ServerMetrics
        /// Awaited before the stream joins its hub (after the head and preamble are written); `nil` joins at once.
        let ready: (@Sendable () async -> Void)?
        /// Called once when the stream ends, with why: gives back its subscriber slot, unlists it, counts the close.
        let finished: @Sendable (CloseReason) -> Void
    }

    static let shutdownNotice = Frame.comment("the server is shutting down; reconnect in a moment")

    private let plan: Plan
    /// The response head and the preamble, until `begin` writes them: an idle subscriber should not carry them.
    private var opening: (head: HTTPResponse, preamble: ByteBuffer)?
    private let context: ChannelHandlerContext
    /// The HTTP/2 connection this stream is multiplexed on; `nil` on HTTP/1, where the stream is the connection.
    private let multiplexed: HTTP2ConnectionHandler?
    /// Called on the loop once the end of the response is written (or it failed): an HTTP/1 connection closes.
    private let onEnd: () -> Void
    private var fanout: LoopFanout?
    private var producerTask: Task<Void, Never>?
    /// Where this stream sits in its fanout's member list, while it is a member (kept by `LoopFanout`).
    var memberIndex: Int?
    private(set) var closing = false
    /// Over its buffer: sends nothing more, and ends as soon as the write under way returns.
    private var cutOff = false
    private var released = false
    /// Every write of a stream that asked for faults (docs/faults.md) goes through it; `nil` for an ordinary stream,
    /// which keeps only this reference: an idle subscriber does not carry the options.
    private let wire: FaultyWire?
    /// A `stallAfter` fault has struck: the stream stays open and silent until the client or the server ends it.
    private var stalled = false
    /// Why the stream was ended by `end`; a stream whose channel went away without one lost its client.
    private var endReason: CloseReason?

    init(
        plan: Plan, head: HTTPResponse, preamble: ByteBuffer, context: ChannelHandlerContext, multiplexed: HTTP2ConnectionHandler?,
        faults: StreamFaults = StreamFaults(), onEnd: @escaping () -> Void
    ) {
        self.plan = plan
        self.opening = (head, preamble)
        self.context = context
        self.multiplexed = multiplexed
        self.onEnd = onEnd
        self.wire = faults.isEmpty ? nil : FaultyWire(faults: faults, context: context)
    }

    /// Writes the head and preamble (flushed at once, so the client knows the stream is open), joins the hub, and
    /// starts a solo playback if there is one.
    func begin() {
        if let (head, preamble) = opening {
            opening = nil
            if let wire {
                wire.head(head)
                obey(wire.body(preamble.readableBytesView))
            } else {
                context.write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
                context.writeAndFlush(NIOAny(HTTPResponsePart.body(preamble)), promise: nil)
            }
        }
        if let ready = plan.ready {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            Task {
                await ready()
                bound.eventLoop.execute { bound.value.join() }
            }
        } else {
            join()
        }
    }

    /// Joins the hub (history or what follows `Last-Event-ID`, then live frames) and starts a solo playback.
    private func join() {
        guard !closing else { return }
        let loop = context.eventLoop
        plan.hub.join(
            sinkKey: ObjectIdentifier(loop),
            make: { [turnSize = plan.fanoutTurnSize, metrics = plan.metrics] in LoopFanout(loop: loop, turnSize: turnSize, metrics: metrics) },
            lastEventID: plan.lastEventID, history: plan.history
        ) { fanout, admission in
            fanout.admit(self, admission)
        }
        if let producer = plan.producer {
            // The playback belongs to this stream alone and stops with it (`release`); it is a task because a
            // playback sleeps between cues.
            producerTask = Task { await producer() }
        }
    }

    /// From the fanout, on the loop: writes the replay; `true` if the stream stays a member.
    func start(with admission: SinkAdmission, fanout: LoopFanout) -> Bool {
        guard !closing else { return false }
        var bytes: [UInt8] = []
        if admission.placement == .unknownID, let id = plan.lastEventID { EventEncoder.encodeComment(plan.unplaced(id), into: &bytes) }
        if plan.lastEventID != nil { plan.metrics.resumed(found: admission.placement != .unknownID) }
        var events = 0
        for frame in admission.replay {
            bytes.append(contentsOf: frame.bytes)
            if frame.kind == .event { events += 1 }
        }
        if let wire {
            obey(wire.body(bytes))
        } else if !bytes.isEmpty {
            context.writeAndFlush(NIOAny(HTTPResponsePart.body(context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        }
        if !bytes.isEmpty { plan.metrics.delivered(events: events, subscribers: 1, bytes: bytes.count) }
        // Stalled by the replay: silent from here, and open even if the stream has ended.
        if stalled { return false }
        if admission.finished {
            end(.finished, finalFrame: nil)
            return false
        }
        self.fanout = fanout
        return true
    }

    /// Frames from the fanout: the same buffer every member gets. On HTTP/2 the connection's flush is held until the
    /// fanout's turn ends (`held`), so one event reaching many streams of a connection leaves in one write.
    /// `false` if the stream is stopping and wrote nothing.
    func send(_ buffer: ByteBuffer, holding held: inout [HTTP2ConnectionHandler]) -> Bool {
        guard !closing, !cutOff else { return false }
        if let wire {
            obey(wire.body(buffer.readableBytesView))
            return true
        }
        if let multiplexed, multiplexed.holdFlushes() { held.append(multiplexed) }
        context.writeAndFlush(NIOAny(HTTPResponsePart.body(buffer)), promise: nil)
        return true
    }

    /// Stops: `finalFrame` goes after what is already written, then the end of the response; the stream closes once
    /// that is flushed, or after the grace period if the client is not reading.
    func end(_ reason: CloseReason, finalFrame: Frame?) {
        guard !closing else { return }
        closing = true
        endReason = reason
        fanout?.leave(self)
        fanout = nil
        producerTask?.cancel()
        if let wire {
            if reason == .clientGone {
                wire.cancel()
            } else {
                if reason == .shutdown { wire.hurry() }
                if let finalFrame { _ = wire.body(finalFrame.bytes) }
            }
            wire.then { self.finish(reason) }
            return
        }
        let channel = context.channel
        if let finalFrame {
            context.write(NIOAny(HTTPResponsePart.body(channel.allocator.buffer(bytes: finalFrame.bytes))), promise: nil)
        }
        finish(reason)
    }

    /// The end of the response, then the close: once it is flushed, or after the grace period if the client is not
    /// reading.
    private func finish(_ reason: CloseReason) {
        let channel = context.channel
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: written)
        let onEnd = self.onEnd
        written.futureResult.assumeIsolated().whenComplete { _ in onEnd() }
        let grace = reason == .clientGone ? .milliseconds(100) : plan.closeGracePeriod
        context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }

    /// Ends the stream from any thread (a drop requested over HTTP).
    static func end(_ connection: NIOLoopBound<StreamConnection>, reason: CloseReason, finalFrame: Frame?) {
        connection.eventLoop.execute { connection.value.end(reason, finalFrame: finalFrame) }
    }

    /// The subscriber's buffer is full: it stopped reading (on HTTP/2, its stream's flow-control window is spent).
    ///
    /// NIO reports this from inside the write that crossed the mark, while the codec is between the pieces of one
    /// message (a chunk's size line and its data, say): writing the notice there would land it in the middle of that
    /// message. So nothing more is sent from now on, and the end is written once the current write has returned.
    func writabilityChanged(isWritable: Bool) {
        guard !isWritable, !cutOff, !closing else { return }
        cutOff = true
        context.eventLoop.assumeIsolated().execute { self.end(.overflow, finalFrame: BroadcastHub.overflowNotice) }
    }

    /// What a fault says to do after the bytes it let through: close as a dropped connection does, or stall (stay
    /// open, leave the hub, stop the playback: nothing is sent any more, not even heartbeats). Either waits for the
    /// write under way to return, as a cut-off does.
    private func obey(_ after: FaultTransform.After) {
        switch after {
        case .continue:
            return
        case .close:
            context.eventLoop.assumeIsolated().execute { self.end(.dropped, finalFrame: nil) }
        case .stall:
            stalled = true
            fanout?.leave(self)
            fanout = nil
            producerTask?.cancel()
            producerTask = nil
        }
    }

    /// The channel is gone (closed by either side): leave the fanout and give back the slot, once.
    func release() {
        wire?.cancel()
        closing = true
        fanout?.leave(self)
        fanout = nil
        producerTask?.cancel()
        producerTask = nil
        guard !released else { return }
        released = true
        plan.finished(endReason ?? .clientGone)
    }
}
