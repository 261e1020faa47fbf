import CuecastCore
import HTTPTypes
import NIOCore
import NIOHTTP2
import NIOHTTPTypes

/// One event stream, on whichever protocol carries it: an HTTP/1.1 or HTTP/1.0 connection, or one HTTP/2 stream.
///
/// This is the only place a stream's life is written: the response head and preamble, the replay, live frames from
/// the hub's `LoopFanout`, the cut-off of a subscriber that stops reading, the sentinel and the end, the goodbye on
/// shutdown, the drop on request, and the grace period for a client that does not take its last frame. The
/// protocol underneath is its writer's, chosen once (`StreamWriter`): on HTTP/1 the stream writes `HTTPResponsePart`s
/// into the `RequestDoor`'s context for NIOHTTP1 (chunked, or close-delimited for HTTP/1.0), and frames its body
/// itself once the connection has let the codec go (`BodyFraming`); on HTTP/2 it is a record on its connection
/// (`HTTP2EventStream`) that writes HEADERS and DATA frames. Everything here runs on the connection's event loop.
final class StreamConnection {
    /// Everything decided before the stream was taken (see `StreamRequests`). What every stream shares (the
    /// configuration, the metrics, the log) is reached through `requests` rather than copied here: an idle
    /// subscriber carries one of these.
    struct Plan: Sendable {
        let hub: BroadcastHub
        let lastEventID: String?
        let history: HistoryRequest
        /// What is sent when `lastEventID` is not in history (a comment and a `cuecast-reset` event, `ResumeGap`),
        /// given that id and the id the replay starts from.
        let unplaced: @Sendable (String, String?) -> [UInt8]
        /// Feeds the hub for this stream alone (a solo playback); cancelled when the stream ends.
        let producer: (@Sendable () async -> Void)?
        /// Awaited before the stream joins its hub (after the head and preamble are written); `nil` joins at once.
        let ready: (@Sendable () async -> Void)?
        /// Who opened the stream, and is told once when it ends (`StreamRequests.ended`).
        let requests: StreamRequests
        /// Its subscriber slot and listing, given back when it ends.
        let slot: ConnectionRegistry.Slot
        /// What its figures are counted under.
        let label: StreamLabel

        var metrics: ServerMetrics { requests.configuration.metrics }
    }

    static let shutdownNotice = Frame.comment("the server is shutting down; reconnect in a moment")

    /// Where the stream is in its life (opening, joining, catching up, streaming, stalled, cutting off, ending,
    /// closed) and what it keeps for that phase alone: every event below asks it what to do (`StreamLife`).
    private var life: StreamLife
    private let requests: StreamRequests
    private let slot: ConnectionRegistry.Slot
    private let label: StreamLabel
    /// Where the response goes. On HTTP/1 the stream is the whole connection, which closes once the end is written; an
    /// HTTP/2 stream ends with END_STREAM alone.
    private let writer: StreamWriter
    private var producerTask: Task<Void, Never>?
    /// Every write of a stream that asked for faults (docs/faults.md) goes through it; `nil` for an ordinary stream,
    /// which keeps only this reference: an idle subscriber does not carry the options.
    private let wire: FaultyWire?
    /// Where this stream sits in its fanout's member list, while it is a member (kept by `LoopFanout`).
    /// Declared after every reference, with `framing` right behind it: its tag byte and `framing` share a word, and
    /// the object stays within 112 bytes of memory (it was 160 with the flags, issue 27).
    var memberIndex: Int?
    /// How the body is written: through the codec, or framed here once an HTTP/1 connection has shed it.
    private(set) var framing = BodyFraming.parts
    /// The subscriber's buffer (`ServerConfiguration.subscriberBufferBytes`).
    private var budget: Int { max(requests.configuration.subscriberBufferBytes, 1024) }

    init(plan: Plan, head: HTTPResponse, preamble: ByteBuffer, writer: StreamWriter, faults: StreamFaults = StreamFaults()) {
        self.life = StreamLife(StreamLife.Opening(plan: plan, head: head, preamble: preamble))
        self.requests = plan.requests
        self.slot = plan.slot
        self.label = plan.label
        self.writer = writer
        self.wire = faults.isEmpty ? nil : FaultyWire(faults: faults, writer: writer)
    }

    /// Whether the stream is on its way out (ending, closed, or ending once its replay is written).
    var closing: Bool { life.isClosing }

    /// Writes the head and preamble (flushed at once, so the client knows the stream is open), joins the hub, and
    /// starts a solo playback if there is one.
    func begin() {
        guard case .open(let head, let preamble, let ready) = life.begin() else { return }
        if let wire {
            wire.head(head)
            obey(wire.body(preamble.readableBytesView))
        } else {
            writer.writeHead(head)
            // No preamble (no welcome, no retry) writes nothing: on HTTP/2 an empty DATA frame right after the
            // head left NIOHTTP2's own client codec delivering none of the stream's later events.
            if preamble.readableBytes > 0 { writer.writeBody(preamble) }
            writer.flush()
        }
        if let ready {
            let bound = NIOLoopBound(self, eventLoop: writer.eventLoop)
            Task {
                await ready()
                bound.eventLoop.execute { bound.value.join() }
            }
        } else {
            join()
        }
    }

    /// Joins the hub (history or what follows `Last-Event-ID`, then live frames) and starts a solo playback; nothing
    /// if the stream has stalled or ended meanwhile.
    private func join() {
        guard let plan = life.joining() else { return }
        let loop = writer.eventLoop
        plan.hub.join(
            sinkKey: ObjectIdentifier(loop),
            make: { [turnSize = requests.configuration.fanoutTurnSize, metrics = plan.metrics] in
                LoopFanout(loop: loop, turnSize: turnSize, metrics: metrics)
            },
            lastEventID: plan.lastEventID, history: plan.history
        ) { fanout, admission in
            fanout.admit(self, admission)
        }
        if let producer = plan.producer {
            // The playback belongs to this stream alone and stops with it (`end`, `release`); it is a task because a
            // playback sleeps between cues.
            producerTask = Task { await producer() }
        }
    }

    /// From the fanout, on the loop: starts the replay (`replay`, the admission's frames as the fanout shares them
    /// among its members); `true` if the stream stays a member.
    ///
    /// **The replay is written as the client takes it.** History can be megabytes (100 events of 60 KB), and written
    /// at once it sat in every subscriber's buffer whole: 200 HTTP/1 subscribers that never read held 684 MiB, and a
    /// fast reader was cut off for what the server itself had sent at once (issue 22). So the replay waits in the
    /// stream's `Backlog`, and `pump` writes from it while the subscriber's buffer is under half full; live frames
    /// published meanwhile wait behind it and count against the buffer. The replay's bytes are the fanout's, shared
    /// by every member replaying them: only what a subscriber has not taken yet is its own.
    func start(with admission: SinkAdmission, replay: [PassFrames], fanout: LoopFanout) -> Bool {
        guard let plan = life.joining() else { return false }
        let metrics = requests.configuration.metrics
        let backlog = StreamLife.Backlog()
        if admission.placement == .unknownID, let id = plan.lastEventID {
            // The in-band notice that history is gone (a comment and a `cuecast-reset` event) goes before the replay.
            let notice = plan.unplaced(id, admission.replay.first { $0.eventID != nil }?.eventID)
            if !notice.isEmpty { backlog.append(PassFrames(ByteBufferAllocator().buffer(bytes: notice)), live: false) }
        }
        if plan.lastEventID != nil { metrics.resumed(found: admission.placement != .unknownID) }
        for frames in replay { backlog.append(frames, live: false) }
        let events = admission.replay.reduce(0) { $0 + ($1.kind == .event ? 1 : 0) }
        if backlog.bytes > 0 { metrics.delivered(events: events, subscribers: 1, bytes: backlog.bytes) }
        switch life.started(backlog: backlog, finished: admission.finished, fanout: fanout) {
        case .none, .live:
            break
        case .catchUp:
            wire?.wrote = { [unowned self] in self.pump() }
            pump()
        case .close(let reason, let finalFrame):
            close(reason, finalFrame: finalFrame)
        }
        return life.isMember
    }

    /// Whether the stream is still catching up on its replay (the fanout shares replay buffers while any is).
    var isCatchingUp: Bool { life.isCatchingUp }

    /// Bytes written that the client has not taken yet, wherever they wait: in a fault, in NIOHTTP2 (behind the
    /// stream's window or in the connection's queue), or in the channel (HTTP/1, where NIO counts them).
    private var unsent: Int {
        let held = wire?.held ?? 0
        switch writer {
        case .http1(let context): return held + ((try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0)
        case .http2(let record): return held + record.unsent
        }
    }

    /// Whether the subscriber's buffer is under half full. On HTTP/1 the channel's own writability counts too.
    private var hasRoom: Bool {
        guard unsent < budget / 2 else { return false }
        switch writer {
        case .http1(let context): return context.channel.isWritable
        case .http2: return true
        }
    }

    /// A marked HTTP/2 frame has left (`HTTP2EventStream`): a stream catching up on its replay may write more.
    func bytesLeft() {
        if life.isCatchingUp { pump() }
    }

    /// Writes from the backlog while the subscriber's buffer is under half full; once it is empty and there is room,
    /// the stream is live (or ends, if its end was waiting for the replay). Called when the stream starts and
    /// whenever bytes have left: the channel is writable again (HTTP/1), a marked frame has left (HTTP/2), a fault
    /// has written what was due. A write may stall or end the stream: every step asks `life` again.
    private func pump() {
        guard case .catchingUp(let backlog) = life.state, !backlog.pumping else { return }
        backlog.pumping = true
        var writing = true
        while writing {
            var held: [HTTP2ConnectionHandler] = []
            while life.isCatchingUp, let frames = backlog.first, hasRoom {
                backlog.removeFirst()
                write(frames, holding: &held)
                // Flushed one by one on HTTP/1: over TLS the bytes are counted only once NIOSSL has encrypted them.
                if wire == nil, case .http1(let context) = writer { context.flush() }
            }
            for connection in held { connection.releaseFlushes() }
            // The flush may have sent what was written, making room again (the call back here returned at once).
            writing = life.isCatchingUp && !backlog.isEmpty && hasRoom
        }
        backlog.pumping = false
        guard life.isCatchingUp, backlog.isEmpty, hasRoom else { return }
        switch life.caughtUp() {
        case .none:
            break
        case .live(let fanout):
            wire?.wrote = nil
            // Counted by the fanout only as a member (it may catch up at once, inside `start`).
            if memberIndex != nil { fanout.caughtUp() }
        case .close(let reason, let finalFrame):
            wire?.wrote = nil
            close(reason, finalFrame: finalFrame)
        }
    }

    /// One body write, through the fault (if any) or the stream's framing; not flushed on HTTP/1.
    private func write(_ frames: PassFrames, holding held: inout [HTTP2ConnectionHandler]) {
        if let wire {
            obey(wire.body(frames.buffer.readableBytesView))
            return
        }
        switch writer {
        case .http1(let context):
            framing.write(frames.buffer, to: context)
        case .http2(let record):
            if record.door.connection.holdFlushes() { held.append(record.door.connection) }
            record.write(frames.http2Data, bytes: frames.buffer.readableBytes)
        }
    }

    /// Frames from the fanout: the same buffer every member gets (on HTTP/2, the same DATA payload around it). On
    /// HTTP/2 the connection's flush is held until the fanout's turn ends (`held`), so one event reaching many streams
    /// of a connection leaves in one write.
    /// `false` if the stream is stopping and wrote nothing.
    func send(_ frames: PassFrames, holding held: inout [HTTP2ConnectionHandler]) -> Bool {
        switch life.publish() {
        case .refuse:
            return false
        case .queue(let backlog):
            backlog.append(frames, live: true)
            if backlog.liveBytes + unsent > budget { bufferFull() }
            return true
        case .write:
            break
        }
        if let wire {
            obey(wire.body(frames.buffer.readableBytesView))
            if unsent > budget { bufferFull() }
            return true
        }
        switch writer {
        case .http1(let context):
            framing.write(frames.buffer, to: context)
            context.flush()
        case .http2(let record):
            if record.door.connection.holdFlushes() { held.append(record.door.connection) }
            if !record.write(frames.http2Data, bytes: frames.buffer.readableBytes) { bufferFull() }
        }
        return true
    }

    /// Stops: `finalFrame` goes after what is already written, then the end of the response; the stream closes once
    /// that is flushed, or after the grace period if the client is not reading. A finished channel's end waits for
    /// the replay; anything else (cut off, dropped, shutting down, gone) drops the rest of it.
    func end(_ reason: CloseReason, finalFrame: Frame?) {
        switch life.end(reason, finalFrame: finalFrame) {
        case .none:
            return
        case .waitForReplay(let departure):
            leave(departure)
        case .close(let reason, let finalFrame, let departure, let droppedReplay):
            leave(departure)
            if droppedReplay { wire?.wrote = nil }
            close(reason, finalFrame: finalFrame)
        }
    }

    /// Leaves the fanout (`LoopFanout.leave`, which counts a member still catching up; the life has moved on by now,
    /// so the departure says whether it was) and stops the playback.
    private func leave(_ departure: StreamLife.Departure?) {
        producerTask?.cancel()
        producerTask = nil
        guard let departure else { return }
        let wasMember = memberIndex != nil
        departure.fanout.leave(self)
        if wasMember, departure.wasCatchingUp { departure.fanout.caughtUp() }
    }

    /// Writes `finalFrame` after what is already written, then the end of the response.
    private func close(_ reason: CloseReason, finalFrame: Frame?) {
        if let wire {
            if reason == .clientGone {
                wire.cancel()
            } else {
                // A goodbye or a cut-off notice is not dripped or delayed: what the fault holds goes now (at most
                // the buffer), then the notice, then the close.
                if reason == .shutdown || reason == .overflow { wire.hurry() }
                if let finalFrame { _ = wire.body(finalFrame.bytes) }
            }
            wire.then { self.finish(reason) }
            return
        }
        if let finalFrame {
            let bytes = ByteBufferAllocator().buffer(bytes: finalFrame.bytes)
            switch writer {
            case .http1(let context): framing.write(bytes, to: context)
            case .http2(let record): record.write(.data(.init(data: .byteBuffer(bytes))), bytes: bytes.readableBytes)
            }
        }
        finish(reason)
    }

    /// The end of the response, then the close: once it is flushed, or after the grace period if the client is not
    /// reading.
    private func finish(_ reason: CloseReason) {
        let grace = reason == .clientGone ? .milliseconds(100) : TimeAmount(requests.configuration.closeGracePeriod)
        switch writer {
        case .http1(let context):
            let channel = context.channel
            let written = context.eventLoop.makePromise(of: Void.self)
            framing.writeEnd(to: context, promise: written)
            // Its output first (FIN after the last byte), so nothing written is lost to a reset; the grace period
            // below closes the rest.
            written.futureResult.assumeIsolated().whenComplete { _ in channel.close(mode: .output, promise: nil) }
            context.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
        case .http2(let record):
            record.end(grace: grace)
        }
    }

    /// The HTTP/1 connection under this stream has shed its response codec (see `BodyFraming`): the body is framed
    /// here from now on. Only a stream whose head is written, so never one whose writes a fault delays.
    func codecShed(framing: BodyFraming) {
        self.framing = framing
    }

    /// Whether its head is on the wire already and every write goes through `framing`: false while faults delay or
    /// reshape the writes (`FaultyWire` writes `HTTPResponsePart`s, at its own pace).
    var canShedCodec: Bool { wire == nil && life.headWritten }

    /// Ends the stream from any thread (a drop requested over HTTP).
    static func end(_ connection: NIOLoopBound<StreamConnection>, reason: CloseReason, finalFrame: Frame?) {
        connection.eventLoop.execute { connection.value.end(reason, finalFrame: finalFrame) }
    }

    /// The HTTP/1 channel's writability changed: unwritable, the subscriber's buffer is full (see `bufferFull`), unless the
    /// stream is catching up on its replay, which waits for the client instead (`pump`).
    func writabilityChanged(isWritable: Bool) {
        if life.isCatchingUp {
            if isWritable { pump() }
        } else if !isWritable {
            bufferFull()
        }
    }

    /// The subscriber's buffer is full: it stopped reading (on HTTP/2, its stream's flow-control window is spent and
    /// its buffer behind it, counted by its record, `HTTP2EventStream`).
    ///
    /// NIO reports this from inside the write that crossed the mark, while the codec is between the pieces of one
    /// message (a chunk's size line and its data, say): writing the notice there would land it in the middle of that
    /// message. So nothing more is sent from now on, and the end is written once the current write has returned.
    private func bufferFull() {
        guard case .halt(let departure) = life.bufferFull() else { return }
        leave(departure)
        wire?.wrote = nil
        writer.eventLoop.assumeIsolated().execute { self.end(.overflow, finalFrame: BroadcastHub.overflowNotice) }
    }

    /// What a fault says to do after the bytes it let through: close as a dropped connection does, or stall (stay
    /// open, leave the hub, stop the playback: nothing is sent any more, not even heartbeats). Either waits for the
    /// write under way to return, as a cut-off does.
    private func obey(_ after: FaultTransform.After) {
        switch after {
        case .continue:
            return
        case .close:
            writer.eventLoop.assumeIsolated().execute { self.end(.dropped, finalFrame: nil) }
        case .stall:
            guard case .halt(let departure) = life.stall() else { return }
            leave(departure)
            wire?.wrote = nil
        }
    }

    /// The channel is gone (closed by either side): leave the fanout and give back the slot, once, with the reason
    /// its end gave (a stream that had not ended lost its client).
    func release() {
        wire?.cancel()
        wire?.wrote = nil
        guard let release = life.release() else { return }
        leave(release.departure)
        requests.ended(slot, label: label, reason: release.reason)
    }
}
