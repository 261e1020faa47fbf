/// Puts a ``Timeline`` on a clock: waits for each entry's moment, scaled by `speed`, and fills silences longer
/// than `heartbeat` with keep-alive beats.
///
/// The clock is injected so tests drive time by hand; servers use `ContinuousClock`.
public struct Playback<C: Clock>: Sendable where C.Duration == Duration {
    /// What a playback hands to its consumer, in order.
    public enum Output: Sendable {
        case entry(TimelineEntry)
        case heartbeat
    }

    public var timeline: Timeline
    public let clock: C
    public let speed: Double
    public let heartbeat: Duration?

    /// - Parameters:
    ///   - speed: 2 plays twice as fast; must be positive.
    ///   - heartbeat: the longest silence allowed; `nil` for none.
    public init(timeline: Timeline, clock: C, speed: Double = 1, heartbeat: Duration?) {
        precondition(speed > 0, "speed must be positive")
        self.timeline = timeline
        self.clock = clock
        self.speed = speed
        self.heartbeat = heartbeat
    }

    /// Runs until the timeline ends (its `.end` entry is emitted last) or the task is cancelled.
    ///
    /// - Parameter origin: the scenario time that corresponds to "now", when resuming part-way through: the next
    ///   entry then waits only for its distance from `origin`.
    public mutating func run(from origin: Duration = .zero, emit: (Output) async throws -> Void) async throws {
        try await Self.drive(
            clock: clock, speed: speed, heartbeat: heartbeat, from: origin, upcoming: { timeline.nextOffset }, next: { timeline.next() },
            emit: emit)
    }

    /// The loop itself, for timelines held elsewhere (a live station keeps its timeline behind a lock so that
    /// triggers can use it between entries). `upcoming` tells when the next entry is due without making it;
    /// `next` makes it once that moment has come, so an entry takes its id and draws its values only when it is
    /// sent, and a trigger fired while the loop waits comes before it in both.
    public static func drive(
        clock: C, speed: Double = 1, heartbeat: Duration?, from origin: Duration = .zero,
        upcoming: () -> Duration?, next: () -> TimelineEntry?, emit: (Output) async throws -> Void
    ) async throws {
        let start = clock.now
        var lastOutput = start
        while let offset = upcoming() {
            let due = start.advanced(by: max(.zero, offset - origin) / speed)
            if let heartbeat {
                while lastOutput.advanced(by: heartbeat) < due {
                    lastOutput = lastOutput.advanced(by: heartbeat)
                    try await clock.sleep(until: lastOutput, tolerance: nil)
                    try await emit(.heartbeat)
                }
            }
            try await clock.sleep(until: due, tolerance: nil)
            guard let entry = next() else { break }
            try await emit(.entry(entry))
            if case .passStarted = entry.item { continue }  // a marker, not traffic: it does not reset the silence
            lastOutput = due
        }
    }
}
