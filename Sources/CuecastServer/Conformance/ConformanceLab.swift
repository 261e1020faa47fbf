import CuecastCore
import Synchronization

/// The requests each run of each conformance case received, so the lab can tell how a client reconnected.
///
/// A run is one client going through one case: the page and `cuecast conformance` pick a fresh token per run, so
/// the first request of a run gets the case's first response, the second its second, and so on (then `204`).
/// Runs are kept in memory up to a bound, oldest dropped first.
public final class ConformanceLab: Sendable {
    /// How many runs are remembered.
    static let runLimit = 10_000

    private struct State {
        var runs: [String: [String?]] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Notes a request of `run` on `name`; returns its index in the run (0 for the first).
    func request(run: String, case name: String, lastEventID: String?) -> Int {
        let key = name + "\u{0}" + run
        return state.withLock { state in
            if state.runs[key] == nil {
                state.order.append(key)
                if state.order.count > Self.runLimit { state.runs[state.order.removeFirst()] = nil }
            }
            var requests = state.runs[key] ?? []
            requests.append(lastEventID)
            state.runs[key] = requests
            return requests.count - 1
        }
    }

    /// The `Last-Event-ID` of every request of `run` on `name`, in order (`nil`: none sent).
    public func requests(run: String, case name: String) -> [String?] {
        state.withLock { $0.runs[name + "\u{0}" + run] ?? [] }
    }

    /// Whether a run token is usable: 1 to 64 letters, digits, `-` or `_`.
    static func isValidRun(_ run: String) -> Bool {
        (1...64).contains(run.utf8.count) && run.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}
