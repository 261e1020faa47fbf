import DequeModule
import Synchronization

/// Fans frames out to many subscribers, keeps a bounded history to replay and resume from, and never lets a slow
/// subscriber slow the others or grow memory without bound.
///
/// A frame is published once and the same bytes are queued for every subscriber. Each subscriber has its own
/// queue, bounded in bytes: a subscriber whose queue overflows is cut off (it gets a comment saying why, and can
/// resume with `Last-Event-ID`). All state sits behind one lock; continuations are resumed outside it.
public final class BroadcastHub: Sendable {
    public struct Configuration: Sendable {
        /// Events kept for replay and resume.
        public var historyLimit: Int
        /// Bytes a subscriber may fall behind before it is cut off.
        public var subscriberBufferBytes: Int
        /// The memory budget shared with other hubs; `nil` keeps `historyLimit` events whatever their size.
        public var budget: HistoryBudget?

        public init(historyLimit: Int = 1000, subscriberBufferBytes: Int = 256 * 1024, budget: HistoryBudget? = nil) {
            self.historyLimit = historyLimit
            self.subscriberBufferBytes = subscriberBufferBytes
            self.budget = budget
        }
    }

    public let configuration: Configuration
    let state: Mutex<HubState>

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.state = Mutex(HubState())
    }

    deinit {
        configuration.budget?.forget(ObjectIdentifier(self), bytes: state.withLock { $0.historyBytes })
    }

    // MARK: Publishing

    /// Publishes a frame made under the hub's lock from the next event number, so concurrent publishers get ids
    /// in the same order their events reach subscribers. Only events take a number: comments and heartbeats
    /// leave the count as it is, so numbered ids run 1, 2, 3 without gaps.
    @discardableResult
    public func publish<E: Error>(_ make: (UInt64) throws(E) -> Frame) throws(E) -> PublishReceipt {
        try publishLocked { state throws(E) -> Frame in
            let frame = try make(state.sequence + 1)
            if frame.kind == .event { state.sequence += 1 }
            return frame
        }
    }

    /// Publishes a ready-made frame. Events and comments enter history (a late joiner hears a scenario's
    /// `: verse 2` marker too); heartbeats only reach current subscribers.
    @discardableResult
    public func publish(_ frame: Frame) -> PublishReceipt {
        publish { _ in frame }
    }

    /// Publishes a frame numbered elsewhere: a cluster's shared sequence, so an event keeps the same number on every
    /// instance. The hub's count jumps to `sequence` (never back), which is how an instance that joins late, or
    /// catches up after an outage, reports the same `events` total as the one that published them.
    @discardableResult
    public func publish(_ frame: Frame, numbered sequence: UInt64) -> PublishReceipt {
        publishLocked { state -> Frame in
            if frame.kind == .event { state.sequence = max(state.sequence, sequence) }
            return frame
        }
    }

    /// Numbers (`number` runs under the lock and returns the frame), remembers and delivers a frame.
    private func publishLocked<E: Error>(_ number: (inout HubState) throws(E) -> Frame) throws(E) -> PublishReceipt {
        var wakeups: [Wakeup] = []
        var retained = 0
        let budget = configuration.budget
        let receipt = try state.withLock { state throws(E) -> PublishReceipt in
            let frame = try number(&state)
            state.lastActivity = .now
            if frame.kind != .heartbeat {
                retained = state.remember(frame, limit: configuration.historyLimit, stamp: budget?.stamp() ?? 0)
                state.lastUsed = state.lastActivity
            }
            let delivered = state.deliver(frame, wakeups: &wakeups) + state.deliverToSinks(frame)
            return PublishReceipt(sequence: state.sequence, delivered: delivered)
        }
        wakeups.forEach { $0.resume() }
        // Outside the lock: the budget may evict from other hubs, each under its own lock.
        budget?.charge(retained, by: self)
        return receipt
    }

    /// Sends a heartbeat comment if nothing has been sent for `interval`. Channels have no playback to do this,
    /// so a ticker calls it; one check per channel serves all of its subscribers.
    @discardableResult
    public func heartbeatIfIdle(for interval: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        var wakeups: [Wakeup] = []
        let sent = state.withLock { state -> Bool in
            guard !state.finished, now - state.lastActivity >= interval else { return false }
            state.lastActivity = now
            _ = state.deliver(.heartbeat, wakeups: &wakeups)
            _ = state.deliverToSinks(.heartbeat)
            return true
        }
        wakeups.forEach { $0.resume() }
        return sent
    }

    /// Marks the start of a new pass of a looping playback: `history=all` counts from here.
    public func startPass() {
        state.withLock { $0.passStart = $0.historyBase + $0.history.count }
    }

    /// Ends the stream: subscribers receive what is queued, then their subscriptions finish. Later subscribers get
    /// the history and finish at once.
    public func finish() {
        var wakeups: [Wakeup] = []
        state.withLock { state in
            state.finished = true
            for id in state.subscribers.keys { state.close(id, reason: .finished, finalFrame: nil, wakeups: &wakeups) }
            for sink in state.sinks.values { sink.end(reason: .finished, finalFrame: nil) }
        }
        wakeups.forEach { $0.resume() }
    }

    /// Closes every subscription, e.g. for shutdown, after queuing `finalFrame` for each.
    public func closeAll(reason: CloseReason, finalFrame: Frame? = nil) {
        var wakeups: [Wakeup] = []
        state.withLock { state in
            for id in state.subscribers.keys { state.close(id, reason: reason, finalFrame: finalFrame, wakeups: &wakeups) }
            for sink in state.sinks.values { sink.end(reason: reason, finalFrame: finalFrame) }
        }
        wakeups.forEach { $0.resume() }
    }

    // MARK: Subscribing

    /// Adds a subscriber, atomically with choosing what it replays, so it misses and repeats nothing.
    ///
    /// With `lastEventID`, everything after that event is replayed (`.resumed`); if the id is not in history the
    /// `history` request applies instead (`.unknownID`).
    public func subscribe(lastEventID: String? = nil, history: HistoryRequest = .all) -> SubscribeOutcome {
        state.withLock { state in
            state.lastUsed = .now
            let (replay, placement) = state.replay(lastEventID: lastEventID, history: history)
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            let bytes = replay.reduce(0) { $0 + $1.bytes.count }
            var subscriber = Subscriber(bufferBytes: configuration.subscriberBufferBytes, replayBytes: bytes)
            subscriber.pending.append(contentsOf: replay)
            subscriber.pendingBytes = bytes
            if state.finished { subscriber.closeReason = .finished }
            state.subscribers[id] = subscriber
            return SubscribeOutcome(subscription: Subscription(hub: self, id: id), placement: placement, replayed: replay.count)
        }
    }

    // MARK: Looking

    /// Subscribers, counting those held by sinks.
    public var subscriberCount: Int {
        state.withLock { state in state.subscribers.count + state.sinks.values.reduce(0) { $0 + $1.memberCount } }
    }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// The id of the newest event in history.
    public var lastEventID: String? { state.withLock { $0.history.last(where: { $0.eventID != nil })?.eventID } }
    /// Number of events published so far.
    public var sequence: UInt64 { state.withLock { $0.sequence } }
    /// When an event or comment was last published or a subscriber last joined.
    public var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }
    /// Marks the hub used at `now` (its directory saw subscribers on it), so it is not taken for idle.
    public func touch(_ now: ContinuousClock.Instant = .now) { state.withLock { $0.lastUsed = max($0.lastUsed, now) } }
    /// Bytes this hub's history holds, as the budget counts them.
    public var historyBytes: Int { state.withLock { $0.historyBytes } }
    /// The id of the oldest event still in history, to tell a client how far back it may resume.
    public var oldestEventID: String? { state.withLock { $0.history.first(where: { $0.eventID != nil })?.eventID } }
    /// Whether `id` names an event still in history.
    public func hasEvent(id: String) -> Bool { state.withLock { $0.history.contains { $0.eventID == id } } }

    /// The comment a subscriber gets when it is cut off for falling too far behind.
    public static let overflowNotice = Frame.comment(
        "cut off: this connection fell too far behind the stream; reconnect with Last-Event-ID to resume"
    )

    // MARK: For the budget

    /// The budget stamp of the oldest retained frame; `nil` with nothing retained.
    var oldestRetainedStamp: UInt64? { state.withLock { $0.historyStamps.first } }

    /// Drops the oldest retained frame; returns what it cost.
    func dropOldestRetained() -> Int { state.withLock { $0.dropOldest() } }

    // MARK: For subscriptions

    func next(_ id: UInt64, continuation: CheckedContinuation<[Frame]?, Never>) {
        let ready: [Frame]?? = state.withLock { state in
            guard var subscriber = state.subscribers[id] else { return .some(nil) }
            if !subscriber.pending.isEmpty {
                let batch = subscriber.takePending()
                state.subscribers[id] = subscriber
                return .some(batch)
            }
            if subscriber.closeReason != nil { return .some(nil) }
            subscriber.waiter = continuation
            state.subscribers[id] = subscriber
            return .none
        }
        if case .some(let batch) = ready { continuation.resume(returning: batch) }
    }

    func close(_ id: UInt64, reason: CloseReason, finalFrame: Frame?) {
        var wakeups: [Wakeup] = []
        state.withLock { $0.close(id, reason: reason, finalFrame: finalFrame, wakeups: &wakeups) }
        wakeups.forEach { $0.resume() }
    }

    func waitUntilClosed(_ id: UInt64, continuation: CheckedContinuation<CloseReason, Never>) {
        let reason: CloseReason?? = state.withLock { state in
            guard var subscriber = state.subscribers[id] else { return .some(nil) }
            if let reason = subscriber.closeReason { return .some(reason) }
            subscriber.closeWaiter = continuation
            state.subscribers[id] = subscriber
            return .none
        }
        if case .some(let reason) = reason { continuation.resume(returning: reason ?? .cancelled) }
    }

    func remove(_ id: UInt64) {
        var wakeups: [Wakeup] = []
        state.withLock { state in
            state.close(id, reason: .cancelled, finalFrame: nil, wakeups: &wakeups)
            state.subscribers[id] = nil
        }
        wakeups.forEach { $0.resume() }
    }
}
