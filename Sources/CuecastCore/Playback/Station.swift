import Foundation
import Synchronization

/// A playback and the hub its subscribers listen to.
///
/// A live scenario has one station, shared by every subscriber and running whether or not anyone listens, like a
/// radio; a subscriber joins the hub and gets what the current pass has sent so far, then live events. A solo
/// connection gets a station of its own, started where the connection resumes.
public final class Station: Sendable {
    public let scenario: Scenario
    public let hub: BroadcastHub
    /// The playback's timeline, shared with triggers so that a fired event continues the same id sequence and
    /// the same generators (a crash moves the prices the ticker goes on from).
    private let timeline: Mutex<Timeline>
    private let speed: Double
    private let origin: Duration
    /// Finished by `stop()`: ends `run` even while it sleeps until the next cue.
    private let stopSignal = AsyncStream<Never>.makeStream()
    /// Told how many events each emission of the playback published (not triggers), for the server's metrics.
    private let countEvents: (@Sendable (Int) -> Void)?
    /// Where timeline entries go instead of `hub`, when set: a cluster stores them and feeds every instance's hub
    /// (this one's included). Called under the timeline lock, in order, so it must only queue them.
    private let outlet: (@Sendable (TimelineEntry) -> Void)?

    /// - Parameters:
    ///   - timeline: where to play from (a solo stream resumed after `Last-Event-ID` passes one already advanced).
    ///   - speed: how much faster than written to play.
    ///   - origin: the scenario time that is "now" when the station starts, for a resumed timeline.
    ///   - countEvents: told how many events the playback published at each step (for metrics).
    ///   - outlet: where entries go instead of `hub` (heartbeats still go to `hub`): a cluster's shared table.
    public init(
        scenario: Scenario, hub: BroadcastHub = BroadcastHub(), timeline: Timeline? = nil, speed: Double = 1, origin: Duration = .zero,
        outlet: (@Sendable (TimelineEntry) -> Void)? = nil, countEvents: (@Sendable (Int) -> Void)? = nil
    ) {
        self.outlet = outlet
        self.scenario = scenario
        self.countEvents = countEvents
        self.hub = hub
        self.timeline = Mutex(timeline ?? Timeline(scenario: scenario))
        self.speed = speed
        self.origin = origin
    }

    /// Plays the scenario into the hub until it ends, the station is stopped, or the task is cancelled.
    public func run<C: Clock>(clock: C) async throws where C.Duration == Duration {
        let stopped = stopSignal.stream
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.play(clock: clock) }
            group.addTask {
                for await _ in stopped {}
                throw CancellationError()
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Stops the playback for good and closes every subscription with `notice` as its last words; clients
    /// reconnect (to whatever replaced this station, when a scenario file was edited).
    public func stop(notice: String) {
        stopSignal.continuation.finish()
        hub.closeAll(reason: .dropped, finalFrame: .comment(notice))
    }

    private func play<C: Clock>(clock: C) async throws where C.Duration == Duration {
        let hub = self.hub
        let countEvents = self.countEvents
        let send: (TimelineEntry) -> Void = { [outlet] entry in
            if let outlet { outlet(entry) } else { hub.play(Playback<C>.Output.entry(entry)) }
        }
        try await Playback<C>.drive(
            clock: clock, speed: speed, heartbeat: scenario.heartbeat, from: origin,
            upcoming: { timeline.withLock { $0.nextOffset } },
            next: {
                // Made and published under the lock, as a trigger is, so ids reach subscribers in order; the
                // rest of the same emission (the event after its comment) goes with it, so no trigger comes between.
                let (entry, events) = timeline.withLock { timeline -> (TimelineEntry?, Int) in
                    guard let entry = timeline.next() else { return (nil, 0) }
                    send(entry)
                    var events = entry.item.isEvent ? 1 : 0
                    while timeline.hasPendingEntries, let rest = timeline.next() {
                        send(rest)
                        if rest.item.isEvent { events += 1 }
                    }
                    return (entry, events)
                }
                if events > 0 { countEvents?(events) }
                return entry
            }
        ) { output in
            if case .heartbeat = output { hub.play(output) }
        }
    }

    /// Fires a named trigger: its event goes to every subscriber now, with the next id of the stream, and enters
    /// the history, so it can be resumed after like any other.
    public func fire(trigger name: String) throws(TriggerError) -> FiredTrigger {
        guard scenario.triggers.contains(where: { $0.name == name }) else {
            throw .unknownTrigger(name, known: scenario.triggers.map(\.name))
        }
        // The lock is held from rendering to publishing so ids reach subscribers in order.
        return try timeline.withLock { timeline throws(TriggerError) -> FiredTrigger in
            guard !hub.isFinished else { throw .streamEnded }
            let entries = timeline.fire(trigger: name)
            var receipt = PublishReceipt(sequence: hub.sequence, delivered: hub.subscriberCount)
            var event: SSEEvent?
            for entry in entries {
                if case .event(let fired) = entry.item { event = fired }
                if let outlet {
                    outlet(entry)
                } else if let frame = Frame(entry.item) {
                    receipt = hub.publish(frame)
                }
            }
            return FiredTrigger(event: event, delivered: receipt.delivered)
        }
    }
}

/// What firing a trigger did.
public struct FiredTrigger: Sendable {
    /// The event sent (`nil` for a comment-only trigger).
    public let event: SSEEvent?
    /// How many subscribers it was queued for.
    public let delivered: Int
}

/// Why a trigger could not be fired.
public enum TriggerError: Error, Sendable, Equatable {
    case unknownTrigger(String, known: [String])
    case streamEnded
}
