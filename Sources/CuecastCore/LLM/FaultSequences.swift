import Synchronization

/// Where each client is in its fault sequence (`X-Cuecast-Fault: rate-limit,ok` with `X-Cuecast-Client: KEY`): the
/// first request with that key gets the first fault, the next the second, and the last repeats, so a test can
/// check that a client retries after a 429 and then succeeds.
///
/// Keys come from clients, so the table is bounded: past `capacity` keys the least recently used is forgotten
/// (its client starts its sequence again), which keeps a flood of made-up keys to a fixed amount of memory.
public final class FaultSequences: Sendable {
    private struct Entry {
        var sequence: String
        var position: Int
        var used: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// The fault for this request of `client`'s sequence; a client that changes its sequence starts it again.
    public func next(client: String, sequence text: String, steps: [LLMFault]) -> LLMFault {
        guard let last = steps.last else { return .none }
        let position = state.withLock { state -> Int in
            state.clock += 1
            var entry = state.entries[client].flatMap { $0.sequence == text ? $0 : nil } ?? Entry(sequence: text, position: 0, used: 0)
            let position = entry.position
            entry.position = min(entry.position + 1, steps.count)
            entry.used = state.clock
            if state.entries[client] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.used < $1.value.used })?.key {
                state.entries[oldest] = nil
            }
            state.entries[client] = entry
            return position
        }
        return position < steps.count ? steps[position] : last
    }

    /// Clients remembered now.
    public var count: Int { state.withLock { $0.entries.count } }
}
