import AsyncHTTPClient
import CuecastCore

/// An `EventSource` for Swift: connects to a `text/event-stream` URL and follows the browser's rules (WHATWG HTML,
/// "Server-sent events") for opening, reconnecting with `Last-Event-ID`, and stopping for good. Iterate it to
/// see everything it does, as `ClientEvent`s:
///
///     try await EventSourceClient.withHTTPClient { http in
///         let source = EventSourceClient(configuration: .init(url: "http://127.0.0.1:8080/streams/dice"), httpClient: http)
///         for await output in source {
///             if case .event(let event) = output { print(event.type, event.data) }
///         }
///     }
///
/// It is pull-driven: nothing runs between calls to `next()` (no background task), so the consumer's speed is the
/// stream's back-pressure, and cancelling the consuming task closes the connection and ends the sequence. Each
/// iterator is one independent `EventSource`; the value itself is an immutable description.
public struct EventSourceClient: AsyncSequence, Sendable {
    public typealias Element = ClientEvent
    public typealias Failure = Never

    /// Sleeps between connections; tests inject one that records and returns at once.
    public typealias Sleep = @Sendable (Duration) async throws -> Void
    /// A number in [0, 1] for back-off jitter; tests inject fixed values.
    public typealias RandomUnit = @Sendable () -> Double

    public let configuration: Configuration
    let httpClient: HTTPClient
    let sleep: Sleep
    let random: RandomUnit

    /// - Parameters:
    ///   - httpClient: the client to send requests with; many `EventSourceClient`s can share one. Make it with
    ///     `EventSourceClient.makeHTTPClient` (or `withHTTPClient`): redirects followed, a read timeout fit for quiet
    ///     streams, failed connections reported at once, enough connections per host. (`HTTPClient.shared` would
    ///     hold a ninth stream to one host back, and retry a refused connection silently for 90 s.)
    ///   - sleep: how to wait before reconnecting (default: `Task.sleep`).
    ///   - random: the jitter source (default: the system random generator).
    public init(
        configuration: Configuration, httpClient: HTTPClient,
        sleep: @escaping Sleep = { try await Task.sleep(for: $0) },
        random: @escaping RandomUnit = { Double.random(in: 0...1) }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.sleep = sleep
        self.random = random
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: self)
    }
}
