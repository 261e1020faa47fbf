import Synchronization

/// Fans frames out to many subscribers, keeps a bounded history to replay and resume from, and never lets a slow
/// subscriber slow the others or grow memory without bound.
///
/// A frame is published once and handed, under the hub's lock, to each `FrameSink` that joined it: the server keeps
/// one per event loop (`LoopFanout`), which writes the same bytes to every connection of that loop and cuts off
/// one that falls too far behind. Sinks are the only way to subscribe: a second engine that queued frames per
/// subscriber here was used by tests alone, so the hub's tests now go through a sink as the server does (issue 22).
public final class BroadcastHub: Sendable {
    public struct Configuration: Sendable {
        /// Events kept for replay and resume.
        public var historyLimit: Int
        /// The memory budget shared with other hubs; `nil` keeps `historyLimit` events whatever their size.
        public var budget: HistoryBudget?

        public init(historyLimit: Int = 1000, budget: HistoryBudget? = nil) {
            self.historyLimit = historyLimit
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
        var retained = 0
        let budget = configuration.budget
        let receipt = try state.withLock { state throws(E) -> PublishReceipt in
            let frame = try number(&state)
            state.lastActivity = .now
            if frame.kind != .heartbeat {
                retained = state.remember(frame, limit: configuration.historyLimit, stamp: budget?.stamp() ?? 0)
                state.lastUsed = state.lastActivity
            }
            return PublishReceipt(sequence: state.sequence, delivered: state.deliverToSinks(frame))
        }
        // Outside the lock: the budget may evict from other hubs, each under its own lock.
        budget?.charge(retained, by: self)
        return receipt
    }

    /// Sends a heartbeat comment if nothing has been sent for `interval`. Channels have no playback to do this,
    /// so a ticker calls it; one check per channel serves all of its subscribers.
    @discardableResult
    public func heartbeatIfIdle(for interval: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state -> Bool in
            guard !state.finished, now - state.lastActivity >= interval else { return false }
            state.lastActivity = now
            _ = state.deliverToSinks(.heartbeat)
            return true
        }
    }

    /// Marks the start of a new pass of a looping playback: `history=all` counts from here.
    public func startPass() {
        state.withLock { $0.passStart = $0.historyBase + $0.history.count }
    }

    /// Ends the stream: every sink's members receive what is queued, then close. Later members get the history
    /// and close at once.
    public func finish() {
        state.withLock { state in
            state.finished = true
            for sink in state.sinks.values { sink.end(reason: .finished, finalFrame: nil) }
        }
    }

    /// Closes every member of every sink, e.g. for shutdown, after queuing `finalFrame` for each. The hub stays
    /// open: members may join again.
    public func closeAll(reason: CloseReason, finalFrame: Frame? = nil) {
        state.withLock { state in
            for sink in state.sinks.values { sink.end(reason: reason, finalFrame: finalFrame) }
        }
    }

    // MARK: Looking

    /// Subscribers: the members of every sink.
    public var subscriberCount: Int {
        state.withLock { state in state.sinks.values.reduce(0) { $0 + $1.memberCount } }
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
}
