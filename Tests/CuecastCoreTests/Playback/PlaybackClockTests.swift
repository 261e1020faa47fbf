import Testing
@testable import CuecastCore

/// The clock a `?clock=manual` stream plays on: still until told, then as far as told.
@Suite(.timeLimit(.minutes(1)))
struct PlaybackClockTests {
    @Test("a sleeper wakes when time is advanced to its deadline, not before")
    func advance() async throws {
        let clock = PlaybackClock()
        let start = clock.now
        let woke = Task { try await clock.sleep(until: start.advanced(by: .seconds(2))) }
        await clock.settled()
        #expect(clock.untilNextDeadline == .seconds(2))
        clock.advance(by: .milliseconds(1999))
        await clock.settled()
        #expect(clock.untilNextDeadline == .milliseconds(1))
        clock.advance(by: .milliseconds(1))
        try await woke.value
        #expect(clock.now == start.advanced(by: .seconds(2)))
        #expect(clock.untilNextDeadline == nil)
    }

    @Test("advanceToNextDeadline jumps to the earliest sleeper; with none it does nothing")
    func next() async throws {
        let clock = PlaybackClock()
        #expect(!clock.advanceToNextDeadline())
        let woke = Task { try await clock.sleep(until: clock.now.advanced(by: .seconds(90))) }
        await clock.settled()
        #expect(clock.advanceToNextDeadline())
        try await woke.value
        #expect(clock.now.offset == .seconds(90))
    }

    @Test("resumed, it runs in real time; paused, it stops")
    func pauseAndResume() async throws {
        let clock = PlaybackClock()
        #expect(clock.isPaused)
        clock.resume()
        let woke = Task { try await clock.sleep(until: clock.now.advanced(by: .milliseconds(30))) }
        try await woke.value
        clock.pause()
        let stopped = clock.now
        try await Task.sleep(for: .milliseconds(30))
        #expect(clock.now == stopped)
        #expect(stopped.offset >= .milliseconds(30))
    }

    @Test("a cancelled sleeper throws and leaves no deadline behind")
    func cancellation() async {
        let clock = PlaybackClock()
        let sleeper = Task { try await clock.sleep(until: clock.now.advanced(by: .seconds(5))) }
        await clock.settled()
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.untilNextDeadline == nil)
    }
}
