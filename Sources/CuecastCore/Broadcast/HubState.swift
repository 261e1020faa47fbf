import DequeModule

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
    /// Sinks that deliver to many subscribers themselves (one per server event loop), by the key they joined with.
    var sinks: [ObjectIdentifier: any FrameSink] = [:]
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
}
