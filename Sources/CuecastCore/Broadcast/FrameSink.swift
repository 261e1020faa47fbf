import Synchronization

/// Delivers a hub's frames to many subscribers at once: the server keeps one per hub and event loop, and writes
/// each batch of frames to all of that loop's connections itself.
///
/// A hub holds thousands of subscribers. Queuing each frame for each of them, and waking a task per subscriber,
/// costs far more than the write itself; a sink turns that into one call per loop, and the loop writes the same
/// bytes to every connection it owns. The hub calls a sink under its lock, in publish order, so every method
/// must only queue work and return: that is what keeps frames, joins and closes in one order for every member.
public protocol FrameSink: AnyObject, Sendable {
    /// Members currently held, for subscriber counts and publish receipts.
    var memberCount: Int { get }
    /// A frame for every member; returns how many members it was queued for. That count is taken before the
    /// frame is queued: the sink's loop may deliver it, and drop a member that overflows on it, before this
    /// returns, and that member still received it.
    func receive(_ frame: Frame) -> Int
    /// Every member gets `finalFrame` (if any) after what is queued, and is closed for `reason`. New members
    /// may join afterwards (a replaced station, a `disconnect` cue); a finished hub admits them already finished.
    func end(reason: CloseReason, finalFrame: Frame?)
}

/// What a member joining a sink starts with, chosen under the hub's lock: the history asked for, or what follows
/// `Last-Event-ID`.
public struct SinkAdmission: Sendable {
    /// Frames to write before the live ones (history, or what follows `Last-Event-ID`).
    public let replay: [Frame]
    public let placement: Placement
    /// The hub has finished: write the replay, then close.
    public let finished: Bool
}

extension BroadcastHub {
    /// Adds a member to the sink registered under `key` (made by `make` the first time), atomically with
    /// choosing its replay, so it misses and repeats nothing. `admit` runs under the hub's lock and must only
    /// queue the member's join on the sink; everything published later reaches the sink after it.
    public func join<Sink: FrameSink>(
        sinkKey key: ObjectIdentifier, make: () -> Sink, lastEventID: String?, history: HistoryRequest,
        admit: (Sink, SinkAdmission) -> Void
    ) {
        state.withLock { state in
            state.lastUsed = .now
            let sink: Sink
            if let existing = state.sinks[key] as? Sink {
                sink = existing
            } else {
                sink = make()
                state.sinks[key] = sink
            }
            let (replay, placement) = state.replay(lastEventID: lastEventID, history: history)
            admit(sink, SinkAdmission(replay: replay, placement: placement, finished: state.finished))
        }
    }
}
