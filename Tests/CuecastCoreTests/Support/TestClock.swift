import Synchronization

/// A clock whose time moves only when a test says so.
///
/// `sleep(until:)` suspends until `advance` reaches the deadline (or returns at once if it already has), and
/// throws `CancellationError` if its task is cancelled. `waitForSleepers` lets a test wait until the code under
/// test has caught up and is sleeping, so each step is deterministic without real waiting.
final class TestClock: Clock, Sendable {
    typealias Duration = Swift.Duration

    struct Instant: InstantProtocol, CustomStringConvertible {
        /// Time since the clock was created.
        var offset: Swift.Duration

        func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        var description: String { "\(offset)" }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiter {
        var count: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Sleeper] = []
        var cancelled: Set<Int> = []
        var waiters: [Waiter] = []
        var stopped = false

        /// Waiters satisfied by the current sleepers (or by the clock being stopped), removed from the list.
        mutating func takeSatisfiedWaiters() -> [(CheckedContinuation<Bool, Never>, Bool)] {
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            waiters.removeAll { waiter in
                if sleepers.count >= waiter.count {
                    ready.append((waiter.continuation, true))
                    return true
                }
                if stopped {
                    ready.append((waiter.continuation, false))
                    return true
                }
                return false
            }
            return ready
        }
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Swift.Duration { .zero }

    /// Number of tasks currently suspended in `sleep(until:)`.
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline anyone is sleeping until.
    var nextDeadline: Instant? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Registration { case due, cancelled, waiting([(CheckedContinuation<Bool, Never>, Bool)]) }
                let registration = state.withLock { state -> Registration in
                    if state.cancelled.remove(id) != nil { return .cancelled }
                    if deadline <= state.now { return .due }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .waiting(state.takeSatisfiedWaiters())
                }
                switch registration {
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting(let ready): ready.forEach { $0.0.resume(returning: $0.1) }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)  // not registered yet: refuse it when it arrives
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come, earliest first.
    func advance(by duration: Swift.Duration) {
        advance(to: now.offset + duration)
    }

    /// Moves time to `offset` since the clock's creation (never backwards).
    func advance(to offset: Swift.Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = Swift.max(state.now, Instant(offset: offset))
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    /// Suspends until at least `count` tasks are sleeping on this clock. Returns `false` instead if the clock is
    /// stopped first (the code under test has finished and will not sleep again).
    @discardableResult
    func waitForSleepers(_ count: Int = 1) async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool? in
                if state.sleepers.count >= count { return true }
                if state.stopped { return false }
                state.waiters.append(Waiter(count: count, continuation: continuation))
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Says nobody will sleep on this clock again; wakes `waitForSleepers` callers with `false`.
    func stop() {
        let ready = state.withLock { state in
            state.stopped = true
            return state.takeSatisfiedWaiters()
        }
        ready.forEach { $0.0.resume(returning: $0.1) }
    }
}
