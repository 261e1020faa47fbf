import CuecastCore
import NIOCore
import Synchronization

/// One hub's subscribers on one event loop: the `FrameSink` the hub hands each frame to.
///
/// The hub calls it under its lock, so it only appends to a queue and, if no drain is pending, schedules one on
/// the loop. The drain runs on the loop: consecutive frames become one buffer, encoded once, and that same buffer
/// (shared, not copied) is written to every member in one write each. A publish therefore costs the hub one call
/// per loop, not one per subscriber, and a subscriber costs one write per drain, however many events it holds.
final class LoopFanout: FrameSink {
    private enum Operation {
        case frames(Frame)
        case join(NIOLoopBound<StreamConnection>, SinkAdmission)
        case end(CloseReason, Frame?)
    }

    private struct Queue {
        var operations: [Operation] = []
        var drainScheduled = false
    }

    let loop: any EventLoop
    private let queue = Mutex(Queue())
    private let count = Atomic<Int>(0)
    private let members: NIOLoopBoundBox<[ObjectIdentifier: StreamConnection]>

    init(loop: any EventLoop) {
        self.loop = loop
        self.members = .makeBoxSendingValue([:], eventLoop: loop)
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

    /// A member that stops (closed, cut off, shutting down) leaves at once. On the loop.
    func leave(_ connection: StreamConnection) {
        if members.value.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            count.subtract(1, ordering: .relaxed)
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

    /// Runs on the loop: everything queued, in order.
    private func drain() {
        let operations = queue.withLock { queue in
            queue.drainScheduled = false
            var taken: [Operation] = []
            swap(&taken, &queue.operations)
            return taken
        }
        var index = 0
        while index < operations.count {
            switch operations[index] {
            case .frames:
                var size = 0
                var end = index
                while end < operations.count, case .frames(let frame) = operations[end] {
                    size += frame.bytes.count
                    end += 1
                }
                var buffer = ByteBufferAllocator().buffer(capacity: size)
                for case .frames(let frame) in operations[index..<end] { buffer.writeBytes(frame.bytes) }
                for member in members.value.values { member.send(buffer) }
                index = end
                continue
            case .join(let connection, let admission):
                let connection = connection.value
                if connection.start(with: admission, fanout: self) {
                    members.value[ObjectIdentifier(connection)] = connection
                } else if !admission.finished {
                    count.subtract(1, ordering: .relaxed)
                }
            case .end(let reason, let finalFrame):
                let ending = members.value.values
                count.subtract(members.value.count, ordering: .relaxed)
                members.value.removeAll()
                for member in ending { member.end(reason, finalFrame: finalFrame) }
            }
            index += 1
        }
    }
}
