import CuecastCore
import HTTPTypes
import NIOCore

/// Where one event stream is in its life, and what each event asks the stream to do next (issue 22, "the stream's
/// life is an explicit state machine").
///
/// `StreamConnection` used to keep its life in ten mutable flags (`starting`, `closing`, `cutOff`, `released`,
/// `stalled`, `endReason`, `ending`, `backlog`, `pumping`, `fanout`), and its closing was spread over five methods
/// that each checked a different subset of them. Here the life is one `State`, each event is a method that moves it
/// and returns what to do (in the manner of NIOHTTP2's `ConnectionStateMachine` and postgres-nio's state machines),
/// and the stream only carries that out on its writer. An event that makes no sense in the current state (a frame for
/// a stream that is ending, a second end, a release after the first) returns "nothing to do": none can trap.
///
/// It is also smaller: an idle subscriber carries one enum of one reference, not the flags and four optionals, and
/// what only opening needs (the plan, the head) or only catching up needs (the replay, an end waiting for it, the
/// fanout) lives in that phase's payload and goes with it.
struct StreamLife {
    enum State {
        /// Taken; the head and preamble are not written yet (`begin`).
        case opening(Opening)
        /// The head is written; waiting to join the hub (after `ready`, if the plan has one) and to be admitted by
        /// its event loop's fanout.
        case joining(Opening)
        /// Admitted: writing the replay as the client takes it, live frames queued behind it (`Backlog`).
        case catchingUp(Backlog)
        /// Live: a member of its fanout, every frame written as it is published.
        case streaming(LoopFanout)
        /// A `stallAfter` fault struck: open and silent, out of the hub, until the client or the server ends it.
        case stalled
        /// Over its buffer: nothing more is written; the end (with the cut-off notice) runs once the write under way
        /// has returned, since NIO reports the crossing from inside that write.
        case cuttingOff
        /// The end is written (or waits in a fault); the channel closes once it is flushed or the grace period ends.
        case ending(CloseReason)
        /// The channel is gone and the slot given back.
        case closed
    }

    /// A member leaving its fanout: whether it still counted as catching up there (`LoopFanout.caughtUp`).
    struct Departure {
        let fanout: LoopFanout
        let wasCatchingUp: Bool
    }

    /// What to do on `begin`.
    enum Begin {
        case none
        /// Write the head and preamble, then join (after `ready`, if any).
        case open(head: HTTPResponse, preamble: ByteBuffer, ready: (@Sendable () async -> Void)?)
    }

    /// What to do once the fanout has admitted the stream.
    enum Start {
        /// Not waiting to be admitted (it stalled or ended meanwhile).
        case none
        /// Write the replay (`StreamConnection.pump`).
        case catchUp(Backlog)
        /// Nothing to replay: the stream is live.
        case live
        /// Nothing to replay and the channel has finished: end.
        case close(CloseReason, finalFrame: Frame?)
    }

    /// What to do with a published frame.
    enum Publish {
        /// Ending, cut off, stalled or not yet admitted: nothing.
        case refuse
        /// Behind the replay: queue it (it counts against the buffer).
        case queue(Backlog)
        case write
    }

    /// What to do when the stream stops sending (over its buffer, or stalled by a fault).
    enum Halt {
        /// It was not sending: nothing.
        case none
        /// Leave the fanout (if a member) and stop the playback.
        case halt(Departure?)
    }

    /// What to do when the stream is asked to end.
    enum End {
        case none
        /// The replay is written first; leave the fanout meanwhile.
        case waitForReplay(Departure?)
        /// Write `finalFrame` and the end of the response, then close. `droppedReplay`: a replay was under way and
        /// its rest is not sent (a client resumes with `Last-Event-ID`).
        case close(CloseReason, finalFrame: Frame?, departure: Departure?, droppedReplay: Bool)
    }

    /// What to do when the replay has been written.
    enum CaughtUp {
        case none
        case live(LoopFanout)
        case close(CloseReason, finalFrame: Frame?)
    }

    /// What to do when the channel has gone: leave, and give back the slot with the reason counted once.
    struct Release {
        let reason: CloseReason
        let departure: Departure?
    }

    private(set) var state: State

    init(_ opening: Opening) {
        state = .opening(opening)
    }

    /// Whether the head is on the wire (the HTTP/1 codec may be shed).
    var headWritten: Bool {
        if case .opening = state { return false }
        return true
    }

    /// Whether the stream is writing its replay (the fanout shares replay buffers while any member is).
    var isCatchingUp: Bool {
        if case .catchingUp = state { return true }
        return false
    }

    /// Whether the stream is on its way out: ending, closed, or only waiting for its replay to end.
    var isClosing: Bool {
        switch state {
        case .ending, .closed: true
        case .catchingUp(let backlog): backlog.ending != nil
        case .opening, .joining, .streaming, .stalled, .cuttingOff: false
        }
    }

    /// Whether the fanout keeps the stream as a member.
    var isMember: Bool {
        switch state {
        case .streaming: true
        case .catchingUp(let backlog): backlog.fanout != nil
        default: false
        }
    }

    mutating func begin() -> Begin {
        guard case .opening(let opening) = state, let response = opening.response else { return .none }
        opening.response = nil
        state = .joining(opening)
        return .open(head: response.head, preamble: response.preamble, ready: opening.plan.ready)
    }

    /// The plan to join the hub with, while the stream is waiting to (not once it has stalled or ended).
    func joining() -> StreamConnection.Plan? {
        guard case .joining(let opening) = state else { return nil }
        return opening.plan
    }

    /// The fanout has admitted the stream with `backlog` to write (the replay, and the notice of a lost position);
    /// `finished` if the channel has ended and the stream ends after its replay.
    mutating func started(backlog: Backlog, finished: Bool, fanout: LoopFanout) -> Start {
        guard case .joining = state else { return .none }
        if backlog.isEmpty {
            if finished {
                state = .ending(.finished)
                return .close(.finished, finalFrame: nil)
            }
            state = .streaming(fanout)
            return .live
        }
        if finished {
            backlog.ending = (.finished, nil)
        } else {
            backlog.fanout = fanout
        }
        state = .catchingUp(backlog)
        return .catchUp(backlog)
    }

    func publish() -> Publish {
        switch state {
        case .streaming: .write
        case .catchingUp(let backlog) where backlog.ending == nil: .queue(backlog)
        default: .refuse
        }
    }

    /// The replay is written and the buffer has room.
    mutating func caughtUp() -> CaughtUp {
        guard case .catchingUp(let backlog) = state else { return .none }
        if let ending = backlog.ending {
            state = .ending(ending.reason)
            return .close(ending.reason, finalFrame: ending.finalFrame)
        }
        guard let fanout = backlog.fanout else {
            state = .ending(.finished)
            return .close(.finished, finalFrame: nil)
        }
        state = .streaming(fanout)
        return .live(fanout)
    }

    /// The subscriber's buffer is full: nothing more is written, and the end follows once the write under way has
    /// returned. Leaving the fanout at once keeps the passes under way from writing to it.
    mutating func bufferFull() -> Halt { halt(becoming: .cuttingOff) }

    /// A fault stalled the stream: it stays open and silent.
    mutating func stall() -> Halt { halt(becoming: .stalled) }

    /// Stops a stream that is sending (`.cuttingOff` or `.stalled`); nothing for one that is ending or ended.
    private mutating func halt(becoming next: State) -> Halt {
        switch state {
        case .opening, .joining, .stalled:
            state = next
            return .halt(nil)
        case .streaming(let fanout):
            state = next
            return .halt(Departure(fanout: fanout, wasCatchingUp: false))
        case .catchingUp(let backlog) where backlog.ending == nil:
            state = next
            return .halt(backlog.fanout.map { Departure(fanout: $0, wasCatchingUp: true) })
        case .catchingUp, .cuttingOff, .ending, .closed:
            return .none
        }
    }

    /// The stream is asked to end: the channel finished, a shutdown, a drop or hang-up, a fault's close, a cut-off.
    /// Only an end waiting for the replay can be overtaken, and not by another `finished`.
    mutating func end(_ reason: CloseReason, finalFrame: Frame?) -> End {
        switch state {
        case .opening, .joining, .stalled, .cuttingOff:
            state = .ending(reason)
            return .close(reason, finalFrame: finalFrame, departure: nil, droppedReplay: false)
        case .streaming(let fanout):
            state = .ending(reason)
            return .close(reason, finalFrame: finalFrame, departure: Departure(fanout: fanout, wasCatchingUp: false), droppedReplay: false)
        case .catchingUp(let backlog):
            let departure = backlog.fanout.map { Departure(fanout: $0, wasCatchingUp: true) }
            backlog.fanout = nil
            if reason == .finished {
                guard backlog.ending == nil else { return .none }
                // The client gets the whole replay first; `caughtUp` ends the stream once it has.
                backlog.ending = (reason, finalFrame)
                return .waitForReplay(departure)
            }
            state = .ending(reason)
            return .close(reason, finalFrame: finalFrame, departure: departure, droppedReplay: true)
        case .ending, .closed:
            return .none
        }
    }

    /// The channel is gone (closed by either side); `nil` after the first time, so the slot is given back once.
    mutating func release() -> Release? {
        let release: Release
        switch state {
        case .closed:
            return nil
        case .ending(let reason):
            release = Release(reason: reason, departure: nil)
        case .catchingUp(let backlog):
            release = Release(
                reason: backlog.ending?.reason ?? .clientGone,
                departure: backlog.fanout.map { Departure(fanout: $0, wasCatchingUp: true) })
        case .streaming(let fanout):
            release = Release(reason: .clientGone, departure: Departure(fanout: fanout, wasCatchingUp: false))
        case .opening, .joining, .stalled, .cuttingOff:
            // Its client went before the stream ended (a cut-off whose end has not run yet included).
            release = Release(reason: .clientGone, departure: nil)
        }
        state = .closed
        return release
    }
}

extension StreamLife {
    /// What a stream needs until it is admitted, behind one reference: the head and preamble until `begin` writes
    /// them, the plan until the fanout admits the stream. Dropped then, since an idle subscriber carries its stream
    /// for hours.
    final class Opening {
        let plan: StreamConnection.Plan
        fileprivate(set) var response: (head: HTTPResponse, preamble: ByteBuffer)?

        init(plan: StreamConnection.Plan, head: HTTPResponse, preamble: ByteBuffer) {
            self.plan = plan
            self.response = (head, preamble)
        }
    }

    /// What a catching-up stream still has to write, and how much of it is live frames (its own to hold, counted
    /// against its buffer; the replay's bytes are shared). With it, what only catching up needs: the fanout it joins
    /// once caught up, an end waiting for the replay, and the guard against writing from inside a write.
    /// A class, so a stream that is not catching up (almost every idle one) carries none of it.
    final class Backlog {
        private var frames = CircularBuffer<(frames: PassFrames, live: Bool)>()
        private(set) var liveBytes = 0
        private(set) var bytes = 0
        /// The fanout that admitted the stream, while it is a member; `nil` for a finished channel's replay.
        fileprivate(set) var fanout: LoopFanout?
        /// An end that waits for the replay to be written (a finished channel).
        fileprivate(set) var ending: (reason: CloseReason, finalFrame: Frame?)?
        /// A write can complete at once and call back into `pump`: the outer call carries on.
        var pumping = false

        var isEmpty: Bool { frames.isEmpty }
        var first: PassFrames? { frames.first?.frames }

        func append(_ frames: PassFrames, live: Bool) {
            self.frames.append((frames, live))
            bytes += frames.buffer.readableBytes
            if live { liveBytes += frames.buffer.readableBytes }
        }

        func removeFirst() {
            guard let first = frames.popFirst() else { return }
            bytes -= first.frames.buffer.readableBytes
            if first.live { liveBytes -= first.frames.buffer.readableBytes }
        }
    }
}
