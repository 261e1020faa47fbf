import DequeModule

/// A continuation to resume once the hub's lock is released.
enum Wakeup {
    case frames(CheckedContinuation<[Frame]?, Never>, [Frame]?)
    case closed(CheckedContinuation<CloseReason, Never>, CloseReason)

    func resume() {
        switch self {
        case .frames(let continuation, let frames): continuation.resume(returning: frames)
        case .closed(let continuation, let reason): continuation.resume(returning: reason)
        }
    }
}

/// One subscriber's queue and waiters.
struct Subscriber {
    var pending: [Frame] = []
    var pendingBytes = 0
    /// Bytes the queue may hold: the hub's buffer size, plus the replayed history until that has been taken.
    var limit: Int
    let bufferBytes: Int
    var waiter: CheckedContinuation<[Frame]?, Never>?
    var closeWaiter: CheckedContinuation<CloseReason, Never>?
    var closeReason: CloseReason?

    init(bufferBytes: Int, replayBytes: Int = 0) {
        self.bufferBytes = bufferBytes
        self.limit = bufferBytes + replayBytes
    }

    mutating func takePending() -> [Frame] {
        let batch = pending
        pending = []
        pendingBytes = 0
        limit = bufferBytes  // the replay allowance is spent once the replay has been read
        return batch
    }
}

/// Everything a hub guards with its lock.
struct HubState {
    var history: Deque<Frame> = []
    /// Absolute index of `history.first`; grows as old events are dropped.
    var historyBase = 0
    /// Absolute index where the current pass began.
    var passStart = 0
    var sequence: UInt64 = 0
    var subscribers: [UInt64: Subscriber] = [:]
    var nextSubscriberID: UInt64 = 0
    var finished = false
    /// When anything (event, comment or heartbeat) was last sent, for idle heartbeats.
    var lastActivity = ContinuousClock.now

    mutating func remember(_ frame: Frame, limit: Int) {
        history.append(frame)
        while history.count > limit {
            history.removeFirst()
            historyBase += 1
        }
    }

    func historyFrames(_ request: HistoryRequest) -> [Frame] {
        let passFrames = history.dropFirst(max(0, passStart - historyBase))
        switch request {
        case .none: return []
        case .all: return Array(passFrames)
        case .last(let count):
            // Count events, keeping the comments that sit between them.
            var start = passFrames.endIndex
            var events = 0
            while start > passFrames.startIndex, events < count {
                start = passFrames.index(before: start)
                if passFrames[start].kind == .event { events += 1 }
            }
            return Array(passFrames[start...])
        }
    }

    /// Queues a frame for every open subscriber; cuts off those past their limit. Returns how many received it.
    mutating func deliver(_ frame: Frame, wakeups: inout [Wakeup]) -> Int {
        var delivered = 0
        var overflowed: [UInt64] = []
        let size = frame.bytes.count
        for index in subscribers.indices {
            guard subscribers.values[index].closeReason == nil else { continue }
            if subscribers.values[index].pendingBytes + size > subscribers.values[index].limit {
                overflowed.append(subscribers.keys[index])
                continue
            }
            delivered += 1
            subscribers.values[index].pending.append(frame)
            subscribers.values[index].pendingBytes += size
            if let waiter = subscribers.values[index].waiter {
                subscribers.values[index].waiter = nil
                wakeups.append(.frames(waiter, subscribers.values[index].takePending()))
            }
        }
        for id in overflowed { close(id, reason: .overflow, finalFrame: Self.overflowNotice, wakeups: &wakeups) }
        return delivered
    }

    /// Marks a subscriber closed. Reasons that drain keep what is queued (the overflow notice replaces it, since
    /// the subscriber could not take it anyway); the others drop it.
    mutating func close(_ id: UInt64, reason: CloseReason, finalFrame: Frame?, wakeups: inout [Wakeup]) {
        guard var subscriber = subscribers[id], subscriber.closeReason == nil else { return }
        subscriber.closeReason = reason
        if reason == .overflow || !reason.drainsPending { _ = subscriber.takePending() }
        if let finalFrame, reason.drainsPending { subscriber.pending.append(finalFrame) }
        if let waiter = subscriber.waiter {
            subscriber.waiter = nil
            wakeups.append(.frames(waiter, subscriber.pending.isEmpty ? nil : subscriber.takePending()))
        }
        if let closeWaiter = subscriber.closeWaiter {
            subscriber.closeWaiter = nil
            wakeups.append(.closed(closeWaiter, reason))
        }
        subscribers[id] = subscriber
    }

    static let overflowNotice = Frame.comment(
        "cut off: this connection fell too far behind the stream; reconnect with Last-Event-ID to resume"
    )
}
