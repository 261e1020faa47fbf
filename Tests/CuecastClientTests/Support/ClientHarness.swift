import CuecastClient
import CuecastCore
import CuecastTestSupport
import Foundation
import Synchronization
import Testing

/// A sleep that returns at once and remembers what it was asked to wait, so reconnection delays are checked
/// without waiting them.
final class SleepLog: Sendable {
    private let durations = Mutex<[Duration]>([])

    var recorded: [Duration] { durations.withLock { $0 } }

    var sleep: EventSourceClient.Sleep {
        { [self] duration in
            durations.withLock { $0.append(duration) }
            try Task.checkCancellation()
        }
    }
}

/// Iterates `source` until `stop` accepts an output (included), the sequence ends, or `limit` outputs; throws
/// `TimedOut` after `timeout`. Leaving the loop drops the iterator, which closes its connection.
func collect(
    _ source: EventSourceClient, timeout: Duration = .seconds(10), limit: Int = 1000,
    until stop: @escaping @Sendable (ClientEvent) -> Bool = { _ in false }
) async throws -> [ClientEvent] {
    try await withThrowingTaskGroup(of: [ClientEvent].self) { group in
        group.addTask {
            var outputs: [ClientEvent] = []
            for await output in source {
                outputs.append(output)
                if stop(output) || outputs.count >= limit { break }
            }
            return outputs
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimedOut(what: "the client's outputs (\(timeout))")
        }
        defer { group.cancelAll() }
        return try await group.next() ?? []
    }
}

/// The HTTP client every test shares, as a program would: made once, for the life of the test process.
let testHTTPClient = EventSourceClient.makeHTTPClient(readTimeout: .seconds(30))

extension EventSourceClient {
    /// A client on `testHTTPClient`.
    init(_ configuration: Configuration, sleep: @escaping Sleep = { try await Task.sleep(for: $0) }, random: @escaping RandomUnit = { 1 }) {
        self.init(configuration: configuration, httpClient: testHTTPClient, sleep: sleep, random: random)
    }
}

/// A client for a stub or test server at `port`, recording sleeps instead of waiting.
func makeClient(
    port: Int, path: String, sleeps: SleepLog = SleepLog(), _ configure: (inout EventSourceClient.Configuration) -> Void = { _ in }
) -> EventSourceClient {
    var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:\(port)\(path)")
    configure(&configuration)
    return EventSourceClient(configuration, sleep: sleeps.sleep)
}

/// Stops at the first reconnection (or at the end).
@Sendable func isReconnecting(_ output: ClientEvent) -> Bool {
    if case .reconnecting = output { return true }
    return false
}

/// Stops once `count` connections have opened.
func opened(_ count: Int) -> @Sendable (ClientEvent) -> Bool {
    let seen = Mutex(0)
    return { output in
        guard case .open = output else { return false }
        return seen.withLock { seen in
            seen += 1
            return seen >= count
        }
    }
}

extension [ClientEvent] {
    var events: [ParsedEvent] { compactMap { if case .event(let event) = $0 { event } else { nil } } }
    var comments: [String] { compactMap { if case .comment(let text) = $0 { text } else { nil } } }
    var raw: [UInt8] {
        var bytes: [UInt8] = []
        for case .raw(let chunk) in self { bytes += chunk }
        return bytes
    }
    var reconnections: [(after: Duration, lastEventID: String?, cause: DropCause)] {
        compactMap { if case .reconnecting(let after, let id, let cause) = $0 { (after, id, cause) } else { nil } }
    }
    var opens: [OpenedStream] { compactMap { if case .open(let opened) = $0 { opened } else { nil } } }
    var closeReason: ClientCloseReason? { if case .closed(let reason)? = last { reason } else { nil } }
    /// The kinds of outputs, for checking the order of things.
    var kinds: [String] {
        map { output in
            switch output {
            case .connecting: "connecting"
            case .open: "open"
            case .raw: "raw"
            case .event: "event"
            case .comment: "comment"
            case .retry: "retry"
            case .reconnecting: "reconnecting"
            case .closed: "closed"
            }
        }
    }
}
