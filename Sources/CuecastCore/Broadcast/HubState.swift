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
    /// When each frame of `history` was retained, in the budget's order (all zero without a budget).
    var historyStamps: Deque<UInt64> = []
    /// What `history` costs, as the budget counts it.
    var historyBytes = 0
    /// Absolute index of `history.first`; grows as old events are dropped.
    var historyBase = 0
    /// Absolute index where the current pass began.
    var passStart = 0
    var sequence: UInt64 = 0
    var subscribers: [UInt64: Subscriber] = [:]
    /// Sinks that deliver to many subscribers themselves (one per server event loop), by the key they joined with.
    var sinks: [ObjectIdentifier: any FrameSink] = [:]
    var nextSubscriberID: UInt64 = 0
    var finished = false
    /// When anything (event, comment or heartbeat) was last sent, for idle heartbeats.
    var lastActivity = ContinuousClock.now
    /// When an event or comment was last published or a subscriber last joined: how long a channel has been unused.
    var lastUsed = ContinuousClock.now

    /// Keeps `frame`, dropping the oldest past `limit`; returns the change in `historyBytes`.
    mutating func remember(_ frame: Frame, limit: Int, stamp: UInt64) -> Int {
        let before = historyBytes
        history.append(frame)
        historyStamps.append(stamp)
        historyBytes += HistoryBudget.cost(of: frame)
        while history.count > limit { _ = dropOldest() }
        return historyBytes - before
    }

    /// Lets go of the oldest retained frame; returns its cost (0 if history is empty).
    mutating func dropOldest() -> Int {
        guard let frame = history.popFirst() else { return 0 }
        historyStamps.removeFirst()
        historyBase += 1
        let cost = HistoryBudget.cost(of: frame)
        historyBytes -= cost
        return cost
    }

    /// What a new subscriber replays: what follows `lastEventID` if history has it, else the `history` request.
    func replay(lastEventID: String?, history request: HistoryRequest) -> ([Frame], Placement) {
        if let lastEventID, let index = history.lastIndex(where: { $0.eventID == lastEventID }) {
            return (Array(history[(index + 1)...]), .resumed)
        }
        return (historyFrames(request), lastEventID == nil ? .fresh : .unknownID)
    }

    /// Hands a frame to every sink; returns how many subscribers they hold.
    func deliverToSinks(_ frame: Frame) -> Int {
        var members = 0
        for sink in sinks.values { members += sink.receive(frame) }
        return members
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
        for id in overflowed { close(id, reason: .overflow, finalFrame: BroadcastHub.overflowNotice, wakeups: &wakeups) }
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
}
