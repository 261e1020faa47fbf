import CuecastCore
import NIOCore
import Synchronization

/// One hub's subscribers on one event loop: the `FrameSink` the hub hands each frame to.
///
/// The hub calls it under its lock, so it only appends to a queue and, if no drain is pending, schedules one on
/// the loop. On the loop, operations run in the order they were queued. Consecutive frames become one buffer,
/// encoded once, and a *pass* writes that same buffer (shared, not copied) to every member, one write each.
///
/// A pass over thousands of members takes tens of milliseconds, so it is written in turns of `turnSize`
/// members (``ServerConfiguration/fanoutTurnSize``, 256 by default: about a millisecond of writes), with the
/// loop free between turns to serve its other connections: a publish request keeps being read and answered
/// during a pass. What is published meanwhile waits, in order, for the pass to end, and the next pass carries
/// all of it in one buffer. So the busier the hub, the more events each write carries: a subscriber costs one
/// write per pass, not one per event, and a publisher is never held up behind a fan-out.
final class LoopFanout: FrameSink {
    /// The pause between turns, in which the loop reads and writes its other connections. NIO runs every task
    /// that is due before it polls for I/O again, so a turn resumes from a timer just in the future, not at once.
    static let turnPause = TimeAmount.microseconds(20)

    private enum Operation {
        case frames(Frame)
        case join(NIOLoopBound<StreamConnection>, SinkAdmission)
        case end(CloseReason, Frame?)
    }

    private struct Queue {
        var operations: [Operation] = []
        var drainScheduled = false
    }

    /// A buffer on its way to the members it was encoded for.
    private struct Pass {
        let frames: PassFrames
        /// Events in the buffer (the rest are comments and heartbeats), for the delivery count.
        let events: Int
        /// The members when the pass began: a member joining during the pass did not ask for these frames.
        let members: [StreamConnection]
        var next = 0
    }

    /// What only the loop touches.
    private final class LoopState {
        /// The members, in no order; each knows its index (`StreamConnection.memberIndex`), so leaving is O(1).
        var members: [StreamConnection] = []
        /// Operations taken from the queue, waiting for the current pass to end.
        var pending = CircularBuffer<Operation>()
        var pass: Pass?
        /// History frames as buffers, shared by every member replaying them (see `replayFrames`), by the address
        /// of the frame's bytes; kept while any member is catching up (`catchingUp`).
        var replays: [UInt: (bytes: [UInt8], frames: PassFrames)] = [:]
        var catchingUp = 0
    }

    let loop: any EventLoop
    let turnSize: Int
    /// Counts each turn's deliveries and bytes, once per turn.
    let metrics: ServerMetrics
    private let queue = Mutex(Queue())
    private let count = Atomic<Int>(0)
    private let state: NIOLoopBound<LoopState>

    init(loop: any EventLoop, turnSize: Int, metrics: ServerMetrics) {
        self.loop = loop
        self.turnSize = max(1, turnSize)
        self.metrics = metrics
        self.state = NIOLoopBound(LoopState(), eventLoop: loop)
    }

    var memberCount: Int { count.load(ordering: .relaxed) }

    func receive(_ frame: Frame) -> Int {
        let members = memberCount
        enqueue(.frames(frame))
        return members
    }

    func end(reason: CloseReason, finalFrame: Frame?) { enqueue(.end(reason, finalFrame)) }

    /// Queues a connection's join (called on the loop, under the hub's lock, from `BroadcastHub.join`).
    func admit(_ connection: StreamConnection, _ admission: SinkAdmission) {
        if !admission.finished { count.add(1, ordering: .relaxed) }
        enqueue(.join(NIOLoopBound(connection, eventLoop: loop), admission))
    }

    /// A member that stops (closed, cut off, shutting down) leaves at once. On the loop. A pass under way still
    /// holds it, and skips it, since a closing connection writes nothing.
    func leave(_ connection: StreamConnection) {
        guard let index = connection.memberIndex else { return }
        connection.memberIndex = nil
        if connection.isCatchingUp { caughtUp() }
        let state = state.value
        let last = state.members.removeLast()
        if index < state.members.count {
            state.members[index] = last
            last.memberIndex = index
        }
        count.subtract(1, ordering: .relaxed)
    }

    /// A member has written its whole replay, or stopped before it had. On the loop.
    func caughtUp() {
        let state = state.value
        state.catchingUp -= 1
        if state.catchingUp <= 0 {
            state.catchingUp = 0
            state.replays.removeAll()
        }
    }

    /// The replay's frames as buffers. A frame's bytes are copied into a buffer once per loop and shared by every
    /// member that replays it while any is catching up: a hundred subscribers joining a channel with megabytes of
    /// history hold one copy of it, not a hundred (two h2c connections of 256 streams that never opened their
    /// window held 2.4 GiB of copied replays, issue 22). A frame is known by the address of its bytes, which the
    /// entry keeps alive, so the address cannot name another frame while it is cached.
    private func replayFrames(_ replay: [Frame], state: LoopState) -> [PassFrames] {
        replay.compactMap { frame in
            guard !frame.bytes.isEmpty else { return nil }
            let key = frame.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            if let cached = state.replays[key] { return cached.frames }
            let frames = PassFrames(ByteBufferAllocator().buffer(bytes: frame.bytes))
            state.replays[key] = (frame.bytes, frames)
            return frames
        }
    }

    private func enqueue(_ operation: Operation) {
        let schedule = queue.withLock { queue in
            queue.operations.append(operation)
            defer { queue.drainScheduled = true }
            return !queue.drainScheduled
        }
        if schedule { loop.execute { self.drain() } }
    }

    /// On the loop: takes everything queued; runs it unless a pass is under way (its end runs it).
    private func drain() {
        let operations = queue.withLock { queue in
            queue.drainScheduled = false
            var taken: [Operation] = []
            swap(&taken, &queue.operations)
            return taken
        }
        let state = state.value
        state.pending.append(contentsOf: operations)
        if state.pass == nil { run(state) }
    }

    /// Runs pending operations in order until they are done or a pass needs more turns.
    private func run(_ state: LoopState) {
        while let operation = state.pending.popFirst() {
            switch operation {
            case .frames(let frame):
                var frames = [frame]
                while case .frames(let next)? = state.pending.first {
                    frames.append(next)
                    state.pending.removeFirst()
                }
                var buffer = ByteBufferAllocator().buffer(capacity: frames.reduce(0) { $0 + $1.bytes.count })
                var events = 0
                for frame in frames {
                    buffer.writeBytes(frame.bytes)
                    if frame.kind == .event { events += 1 }
                }
                state.pass = Pass(frames: PassFrames(buffer), events: events, members: state.members)
                guard turn(state) else { return }
            case .join(let connection, let admission):
                let connection = connection.value
                if connection.start(with: admission, replay: replayFrames(admission.replay, state: state), fanout: self) {
                    connection.memberIndex = state.members.count
                    state.members.append(connection)
                    if connection.isCatchingUp { state.catchingUp += 1 }
                } else if !admission.finished {
                    count.subtract(1, ordering: .relaxed)
                }
                if state.catchingUp == 0 { state.replays.removeAll() }
            case .end(let reason, let finalFrame):
                let ending = state.members
                count.subtract(ending.count, ordering: .relaxed)
                state.members.removeAll()
                for member in ending {
                    member.memberIndex = nil
                    if member.isCatchingUp { caughtUp() }
                    member.end(reason, finalFrame: finalFrame)
                }
            }
        }
    }

    /// Writes the pass's next turn; `true` once every member has the buffer, else the next turn is scheduled.
    private func turn(_ state: LoopState) -> Bool {
        guard var pass = state.pass else { return true }
        let end = min(pass.next + turnSize, pass.members.count)
        // HTTP/2 connections whose flush waits for the end of this turn: each leaves in one write, however many of
        // its streams the turn reached.
        var held: [HTTP2ConnectionHandler] = []
        var written = 0
        for index in pass.next..<end where pass.members[index].send(pass.frames, holding: &held) { written += 1 }
        for connection in held { connection.releaseFlushes() }
        metrics.delivered(events: pass.events, subscribers: written, bytes: written * pass.frames.buffer.readableBytes)
        guard end < pass.members.count else {
            state.pass = nil
            return true
        }
        pass.next = end
        state.pass = pass
        loop.scheduleTask(in: Self.turnPause) { self.resume() }
        return false
    }

    private func resume() {
        let state = state.value
        if turn(state) { run(state) }
    }
}
