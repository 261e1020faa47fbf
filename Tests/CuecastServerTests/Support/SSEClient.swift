import AsyncHTTPClient
import CuecastCore
import CuecastTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A streaming HTTP client for one request: connects with AsyncHTTPClient, exposes status and headers, and reads
/// the body incrementally in the background, parsing it with `EventStreamParser` as it arrives.
///
/// Reads take a timeout, so a server that stops sending fails the test instead of hanging it. Every byte
/// received is kept (`raw`), to compare streams byte for byte.
final class SSEClient: Sendable {
    enum End: Sendable, Equatable {
        /// The server ended the body.
        case closed
        /// The connection failed (or the client was closed by the test).
        case failed(String)
    }

    let status: Int
    let headers: HTTPHeaders
    /// When the response head arrived.
    let connectedAt: ContinuousClock.Instant

    private struct State {
        var parser = EventStreamParser()
        var outputs: [SSEParserOutput] = []
        var nextOutput = 0
        var raw: [UInt8] = []
        var end: End?
        var generation = 0
        var waiter: CheckedContinuation<Void, Never>?

        /// Something changed: whoever waits re-checks.
        mutating func bump() -> CheckedContinuation<Void, Never>? {
            generation += 1
            defer { waiter = nil }
            return waiter
        }
    }

    private let state = Mutex(State())
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private init(response: HTTPClientResponse) {
        self.status = Int(response.status.code)
        self.headers = response.headers
        self.connectedAt = .now
    }

    /// Sends `GET path` (or `method` with `body`) to the server on `port` and returns once the response head has arrived. `host` is the address
    /// to connect to; `client` defaults to the shared one (at most 8 connections per host and port).
    static func connect(
        port: Int, path: String, headers: [(String, String)] = [], timeout: Duration = .seconds(5),
        host: String = "localhost", client: HTTPClient = .shared, method: HTTPMethod = .GET, body: String? = nil
    ) async throws -> SSEClient {
        var request = HTTPClientRequest(url: "http://\(host):\(port)\(path)")
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        request.headers.add(name: "Accept", value: "text/event-stream")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
        let client = SSEClient(response: response)
        client.startReading(response.body)
        return client
    }

    private func startReading(_ body: HTTPClientResponse.Body) {
        let task = Task { [self] in
            var end = End.closed
            do {
                for try await chunk in body {
                    let waiter = state.withLock { state in
                        let bytes = chunk.readableBytesView
                        state.raw.append(contentsOf: bytes)
                        state.outputs.append(contentsOf: state.parser.feed(bytes))
                        return state.bump()
                    }
                    waiter?.resume()
                }
            } catch {
                end = .failed("\(error)")
            }
            let waiter = state.withLock { state in
                state.end = end
                return state.bump()
            }
            waiter?.resume()
        }
        reader.withLock { $0 = task }
    }

    /// Closes the connection (the server sees the client go away) and waits for the reader to stop.
    func close() async {
        let task = reader.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    // MARK: Looking

    /// Every byte received so far.
    var raw: [UInt8] { state.withLock { $0.raw } }
    var rawText: String { String(decoding: raw, as: UTF8.self) }
    /// How many bytes have arrived (cheap: no copy of `raw`).
    var byteCount: Int { state.withLock { $0.raw.count } }
    /// How the body ended, or nil while it is still open.
    var end: End? { state.withLock { $0.end } }

    /// A response header's first value (names are case-insensitive).
    func header(_ name: String) -> String? { headers.first(name: name) }

    // MARK: Reading

    /// The next parser output, waiting up to `timeout` for it; nil once the stream has ended and everything was read.
    func next(timeout: Duration = .seconds(5)) async throws -> SSEParserOutput? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (output, ended, generation) = state.withLock { state -> (SSEParserOutput?, Bool, Int) in
                if state.nextOutput < state.outputs.count {
                    defer { state.nextOutput += 1 }
                    return (state.outputs[state.nextOutput], false, state.generation)
                }
                return (nil, state.end != nil, state.generation)
            }
            if let output { return output }
            if ended { return nil }
            guard ContinuousClock.now < deadline else { throw TimedOut(what: "the next part of the stream (\(timeout))") }
            await waitForChange(since: generation, until: deadline)
        }
    }

    /// The next event, skipping comments and `retry`; nil if the stream ends first.
    func nextEvent(timeout: Duration = .seconds(5)) async throws -> ParsedEvent? {
        let deadline = ContinuousClock.now + timeout
        while let output = try await next(timeout: deadline - .now) {
            if case .event(let event) = output { return event }
        }
        return nil
    }

    /// The next `count` events (comments skipped); fails if the stream ends or stalls first.
    func events(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [ParsedEvent] {
        let deadline = ContinuousClock.now + timeout
        var events: [ParsedEvent] = []
        while events.count < count {
            guard let event = try await nextEvent(timeout: deadline - .now) else {
                throw TimedOut(what: "\(count) events: the stream ended after \(events.count)")
            }
            events.append(event)
        }
        return events
    }

    /// Outputs up to and including the first one `predicate` accepts.
    func read(until predicate: (SSEParserOutput) -> Bool, timeout: Duration = .seconds(5)) async throws -> [SSEParserOutput] {
        let deadline = ContinuousClock.now + timeout
        var outputs: [SSEParserOutput] = []
        while true {
            guard let output = try await next(timeout: deadline - .now) else {
                throw TimedOut(what: "a matching output: the stream ended after \(outputs)")
            }
            outputs.append(output)
            if predicate(output) { return outputs }
        }
    }

    /// Everything left until the server ends the stream; fails if it is still open after `timeout`.
    func readToEnd(timeout: Duration = .seconds(5)) async throws -> [SSEParserOutput] {
        let deadline = ContinuousClock.now + timeout
        var outputs: [SSEParserOutput] = []
        while let output = try await next(timeout: deadline - .now) { outputs.append(output) }
        return outputs
    }

    /// Waits until the raw bytes satisfy `predicate` (or the stream ends); returns whether they do.
    func waitForRaw(timeout: Duration = .seconds(5), _ predicate: ([UInt8]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (done, ended, generation) = state.withLock { ($0.raw.count > 0 && predicate($0.raw), $0.end != nil, $0.generation) }
            if done { return true }
            if ended || ContinuousClock.now >= deadline { return false }
            await waitForChange(since: generation, until: deadline)
        }
    }

    /// Suspends until new bytes arrive, the stream ends, or the deadline passes (spurious returns are fine).
    private func waitForChange(since generation: Int, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.generation != generation || state.end != nil { return true }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                self.state.withLock { $0.bump() }?.resume()
            }
            await group.next()
            group.cancelAll()
            // Whichever child is left: the sleeper is cancelled, a waiter is released.
            state.withLock { $0.bump() }?.resume()
        }
    }
}

extension [SSEParserOutput] {
    var events: [ParsedEvent] { compactMap { if case .event(let event) = $0 { event } else { nil } } }
    var comments: [String] { compactMap { if case .comment(let text) = $0 { text } else { nil } } }
}

extension ParsedEvent {
    /// The id as a number (tests use automatic ids).
    var number: Int? { Int(lastEventId) }
}
