import Foundation
import Synchronization

@testable import CuecastCore

/// Runs a ``Playback`` on a ``TestClock`` in a task and records every output as a line stamped with the clock
/// time it was emitted at: `"1000 event id=1 data=x"`, `"2000 heartbeat"` (milliseconds, see `Fixture.describe`).
final class PlaybackHarness: Sendable {
    let clock: TestClock
    private let log: OutputLog
    private let task: Task<Void, any Error>

    /// Everything emitted so far.
    var outputs: [String] { log.lines.withLock { $0 } }

    /// Starts playing `timeline` at once.
    init(_ timeline: Timeline, speed: Double = 1, heartbeat: Duration?, from origin: Duration = .zero) {
        let clock = TestClock()
        let log = OutputLog()
        self.clock = clock
        self.log = log
        task = Task {
            defer { clock.stop() }
            var playback = Playback(timeline: timeline, clock: clock, speed: speed, heartbeat: heartbeat)
            try await playback.run(from: origin) { output in
                let time = clock.now.offset.milliseconds
                let line: String
                switch output {
                case .heartbeat: line = "\(time) heartbeat"
                case .entry(let entry): line = "\(time) " + Fixture.describe(entry)
                }
                log.lines.withLock { $0.append(line) }
            }
        }
    }

    convenience init(_ scenario: Scenario, speed: Double = 1, heartbeat: Duration?) {
        self.init(Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0)), speed: speed, heartbeat: heartbeat)
    }

    /// Moves the clock from deadline to deadline, letting the playback catch up after each, until it finishes.
    func runToEnd() async throws -> [String] {
        while await clock.waitForSleepers() {
            guard let deadline = clock.nextDeadline else { continue }
            clock.advance(to: deadline.offset)
        }
        try await value()
        return outputs
    }

    /// Waits until the playback sleeps, advances the clock to `offset`, and waits until it is asleep again (or
    /// done); returns the outputs.
    @discardableResult
    func advance(to offset: Duration) async -> [String] {
        await clock.waitForSleepers()  // the playback has started and set its origin
        clock.advance(to: offset)
        await clock.waitForSleepers()
        return outputs
    }

    /// Waits for the playback task to end, rethrowing what it threw.
    func value() async throws {
        try await task.value
    }

    func cancel() {
        task.cancel()
    }
}

private final class OutputLog: Sendable {
    let lines = Mutex<[String]>([])
}
