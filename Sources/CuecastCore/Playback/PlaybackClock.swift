import Synchronization

/// A clock a test drives from outside: paused, it moves only when told (`advance(by:)`, `advanceToNextDeadline()`);
/// resumed, it runs in real time from where it stands. A solo stream opened with `?clock=manual` plays on one, so
/// an end-to-end test decides when each event comes (docs/test-double.md).
///
/// `Playback` sleeps on it like on any clock. Every change (advance, pause, resume, a new sleeper, the end) bumps a
/// generation number and wakes whoever waits, so sleepers re-check their deadline and `settled()` can tell when
/// the playback is asleep again.
public final class PlaybackClock: Clock, Sendable {
    public typealias Duration = Swift.Duration

    public struct Instant: InstantProtocol, Sendable {
        /// Playback time since the clock was made.
        public var offset: Swift.Duration

        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        /// Time accumulated while paused or up to the last pause.
        var elapsed: Swift.Duration = .zero
        /// Running in real time since this moment; `nil` while paused.
        var runningSince: ContinuousClock.Instant?
        var generation = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// What each sleeping task waits for.
        var deadlines: [Int: Instant] = [:]
        var finished = false

        var now: Instant {
            Instant(offset: elapsed + (runningSince.map { ContinuousClock.now - $0 } ?? .zero))
        }

        /// Something changed: the waiters to wake.
        mutating func bump() -> [CheckedContinuation<Void, Never>] {
            generation += 1
            defer { waiters = [:] }
            return Array(waiters.values)
        }
    }

    private let state = Mutex(State())

    /// - Parameter running: start in real time instead of paused.
    public init(running: Bool = false) {
        if running { state.withLock { $0.runningSince = .now } }
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Swift.Duration { .milliseconds(1) }

    public var isPaused: Bool { state.withLock { $0.runningSince == nil } }
    public var isFinished: Bool { state.withLock { $0.finished } }
    /// How long until the earliest sleeper is due; `nil` when nobody sleeps.
    public var untilNextDeadline: Swift.Duration? {
        state.withLock { state in state.deadlines.values.min().map { max(.zero, $0.offset - state.now.offset) } }
    }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        // Registering is a change (`settled()` waits for it); re-checking is not, or two sleepers would wake each
        // other for ever.
        let id = change { state in
            state.nextID += 1
            state.deadlines[state.nextID] = deadline
            return state.nextID
        }
        defer { change { $0.deadlines[id] = nil } }
        while true {
            try Task.checkCancellation()
            let (now, running, generation) = state.withLock { state in (state.now, state.runningSince != nil, state.generation) }
            if now >= deadline { return }
            await waitForChange(since: generation, timeout: running ? now.duration(to: deadline) : nil)
        }
    }

    /// Moves time forward; sleepers it passes wake up.
    public func advance(by duration: Swift.Duration) {
        change { $0.elapsed += max(.zero, duration) }
    }

    /// Moves time to the earliest sleeper's deadline (the next cue of a playback); `false` if nobody sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        change { state in
            guard let next = state.deadlines.values.min() else { return false }
            state.elapsed += max(.zero, next.offset - state.now.offset)
            return true
        }
    }

    public func pause() {
        change { state in
            guard state.runningSince != nil else { return }
            state.elapsed = state.now.offset
            state.runningSince = nil
        }
    }

    public func resume() {
        change { state in
            if state.runningSince == nil { state.runningSince = .now }
        }
    }

    /// The playback on this clock is over: nothing will sleep on it again.
    public func finish() { change { $0.finished = true } }

    /// Waits until the playback has caught up after a change: someone sleeps toward a moment still to come, or the
    /// playback is over (or `timeout` passed). After it, what the change made due has been published.
    public func settled(timeout: Swift.Duration = .seconds(2)) async {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            let (done, generation) = state.withLock { state in
                let now = state.now
                return (state.finished || state.deadlines.values.contains { $0 > now }, state.generation)
            }
            if done { return }
            await waitForChange(since: generation, timeout: end - ContinuousClock.now)
        }
    }

    /// Runs `body` under the lock, then wakes everyone waiting for a change.
    @discardableResult
    private func change<T>(_ body: (inout State) -> T) -> T {
        let (result, woken) = state.withLock { state in
            let result = body(&state)
            return (result, state.bump())
        }
        for waiter in woken { waiter.resume() }
        return result
    }

    /// Returns after the next change, after `timeout` (real time), or on cancellation.
    private func waitForChange(since generation: Int, timeout: Swift.Duration?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextChange(since: generation) }
            if let timeout {
                group.addTask { try? await Task.sleep(for: timeout) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func nextChange(since generation: Int) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard state.generation == generation, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
