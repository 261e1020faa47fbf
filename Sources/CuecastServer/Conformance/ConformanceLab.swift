import CuecastCore
import Synchronization

/// The requests each run of each conformance case received, so the lab can tell how a client reconnected and what
/// it sent.
///
/// A run is one client going through one case: the page and `cuecast conformance` pick a fresh token per run, so
/// the first request of a run gets the case's first response, the second its second, and so on (then `204`).
/// What is kept is bounded: `runLimit` runs (oldest dropped first), `requestLimit` requests a run (later ones are
/// counted, not kept), and per request only the headers a case looks at, each cut to `valueLimit` bytes, and
/// `bodyLimit` bytes of body: at most about 1,000 × 8 × 2.3 KB ≈ 18 MB whatever clients send (a page visit uses
/// about 130 runs; no case makes more than 4 requests).
public final class ConformanceLab: Sendable {
    static let runLimit = 1_000
    static let requestLimit = 8
    static let bodyLimit = 1_024
    static let valueLimit = 256
    /// The headers a case looks at, besides the custom ones it asks a client to send.
    static let notedHeaders = ["last-event-id", "accept", "cache-control", "content-type"]

    private struct Run {
        var requests: [SeenRequest] = []
        var count = 0
    }

    private struct State {
        var runs: [String: Run] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())

    /// The longest a stream of this lab stays silent (`nil`: as long as its case says). A case's silence is what an
    /// idle stream is made of (`idle-35s` holds one for 35 s), so a full run lasts as long as the longest; a test
    /// of the runner itself passes a cap (`cuecast conformance --max-silence`) rather than wait it out. A silence
    /// is never cut below twice the read timeout its case asks of a client, so such a client still gives up first.
    public let maxSilence: Duration?

    public init(maxSilence: Duration? = nil) {
        self.maxSilence = maxSilence
    }

    /// How long `response` of `conformanceCase` stays silent in this lab, if it has a silence.
    public func silence(of response: ConformanceCase.Response, in conformanceCase: ConformanceCase) -> Duration? {
        guard let idle = response.idle, let maxSilence else { return response.idle }
        let floor = conformanceCase.request.readTimeoutMilliseconds.map { Duration.milliseconds($0 * 2) } ?? .zero
        return min(idle, max(maxSilence, floor))
    }

    /// How long the responses of `conformanceCase` stay silent in all in this lab: a runner gives a case this much
    /// longer before it stops it.
    public func silenceTime(of conformanceCase: ConformanceCase) -> Duration {
        conformanceCase.responses.compactMap { silence(of: $0, in: conformanceCase) }.reduce(.zero, +)
    }

    /// Notes a request of `run` on `name`; returns its index in the run (0 for the first).
    func request(run: String, case name: String, _ request: SeenRequest) -> Int {
        let key = name + "\u{0}" + run
        return state.withLock { state in
            if state.runs[key] == nil {
                state.order.append(key)
                if state.order.count > Self.runLimit { state.runs[state.order.removeFirst()] = nil }
            }
            var entry = state.runs[key] ?? Run()
            if entry.requests.count < Self.requestLimit { entry.requests.append(request) }
            entry.count += 1
            state.runs[key] = entry
            return entry.count - 1
        }
    }

    /// The requests of `run` on `name`, in order, as far as they were kept.
    public func seen(run: String, case name: String) -> [SeenRequest] {
        state.withLock { $0.runs[name + "\u{0}" + run]?.requests ?? [] }
    }

    /// The `Last-Event-ID` of every request of `run` on `name`, in order (`nil`: none sent), one per request made.
    public func requests(run: String, case name: String) -> [String?] {
        state.withLock { state in
            guard let entry = state.runs[name + "\u{0}" + run] else { return [] }
            // Requests past the limit were not kept: they count, with the last kept header standing in.
            return entry.requests.map(\.lastEventID) + Array(repeating: entry.requests.last?.lastEventID, count: entry.count - entry.requests.count)
        }
    }

    /// Whether a run token is usable: 1 to 64 letters, digits, `-` or `_`.
    static func isValidRun(_ run: String) -> Bool {
        (1...64).contains(run.utf8.count) && run.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}
