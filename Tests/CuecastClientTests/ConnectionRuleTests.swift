import CuecastClient
import CuecastCore
import Foundation
import HTTPTypes
import Testing

/// The browser's connection rules against hand-made responses: what opens a stream, what ends it for good, what
/// makes it reconnect, what each request carries.
@Suite(.timeLimit(.minutes(1)))
struct ConnectionRuleTests {
    @Test("requests carry Accept, Cache-Control, extra headers, and Last-Event-ID only when there is one")
    func requestHeaders() async throws {
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\n") }]) { port, log in
            let client = makeClient(port: port, path: "/stream") { $0.addHeader(name: "Authorization", value: "Bearer secret") }
            let outputs = try await collect(client, until: isReconnecting)
            let request = try #require(log.all.first)
            #expect(request.header("Accept") == "text/event-stream")
            #expect(request.header("Cache-Control") == "no-cache")
            #expect(request.header("Authorization") == "Bearer secret")
            #expect(request.header("Last-Event-ID") == nil)
            #expect(outputs.kinds == ["connecting", "open", "event", "reconnecting"])
            #expect(outputs.first == .connecting(url: "http://127.0.0.1:\(port)/stream", lastEventID: nil))
            let open = try #require(outputs.opens.first)
            #expect(open.status == 200)
            #expect(open.contentType == "text/event-stream")
        }
    }

    @Test("a configured last event ID is sent at once and carried by events until the stream sends an id")
    func startingLastEventID() async throws {
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\nid: 8\ndata: b\n\n") }]) { port, log in
            let client = makeClient(port: port, path: "/stream") { $0.lastEventID = "7" }
            let outputs = try await collect(client, until: isReconnecting)
            #expect(log.all.first?.header("Last-Event-ID") == "7")
            #expect(outputs.first == .connecting(url: "http://127.0.0.1:\(port)/stream", lastEventID: "7"))
            #expect(outputs.events == [ParsedEvent(data: "a", lastEventId: "7"), ParsedEvent(data: "b", lastEventId: "8")])
        }
    }

    @Test("204 No Content ends it for good: no reconnection")
    func noContent() async throws {
        try await withStubServer(["/stream": { _, _ in .status(.noContent) }]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream"))
            #expect(outputs.kinds == ["connecting", "closed"])
            #expect(outputs.closeReason == .noContent)
            #expect(outputs.closeReason?.description == "server said 204 No Content: stream is over")
            #expect(log.all.count == 1)
        }
    }

    @Test("any other status than 200 ends it for good", arguments: [400, 401, 403, 404, 500, 502, 503, 201, 206])
    func badStatus(code: Int) async throws {
        let status = HTTPResponse.Status(code: code)
        let body = code == 206 || code == 201 ? "data: not a stream\n\n" : "nope"
        try await withStubServer(["/stream": { _, _ in .status(status, headers: [.contentType: "text/event-stream"], body: body) }]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream"))
            #expect(outputs.kinds == ["connecting", "closed"])
            let closedCode = if case .badStatus(let closed, _, _)? = outputs.closeReason { closed } else { 0 }
            #expect(closedCode == code, "\(String(describing: outputs.closeReason))")
            #expect(log.all.count == 1)
        }
    }

    @Test("a 200 that is not text/event-stream (or not UTF-8) ends it for good", arguments: [
        "text/plain", "application/json", "text/event-stream; charset=iso-8859-1", "text/x-bogus",
    ])
    func wrongContentType(type: String) async throws {
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\n", contentType: type) }]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream"))
            #expect(outputs.kinds == ["connecting", "closed"])
            #expect(outputs.closeReason == .wrongContentType(type))
            #expect(log.all.count == 1)
        }
    }

    @Test("a 200 with no Content-Type ends it for good")
    func missingContentType() async throws {
        try await withStubServer(["/stream": { _, _ in StubResponse(headers: [:], chunks: [Array("data: a\n\n".utf8)]) }]) { port, _ in
            let outputs = try await collect(makeClient(port: port, path: "/stream"))
            #expect(outputs.closeReason == .wrongContentType(nil))
        }
    }

    @Test("redirects are followed, and each reconnection starts again at the original URL", arguments: [301, 302, 303, 307, 308])
    func redirects(code: Int) async throws {
        let routes: [String: StubRoute] = [
            "/old": { _, _ in .status(HTTPResponse.Status(code: code), headers: [.location: "/new"]) },
            "/new": { _, _ in .stream("id: 1\ndata: moved\n\n") },
        ]
        try await withStubServer(routes) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/old"), until: opened(2))
            let open = try #require(outputs.opens.first)
            #expect(open.url == "http://127.0.0.1:\(port)/new")
            #expect(outputs.events == [ParsedEvent(data: "moved", lastEventId: "1")])
            let paths = log.all.map(\.path)
            #expect(paths == ["/old", "/new", "/old", "/new"])
            let ids = log.all.map { $0.header("Last-Event-ID") }
            #expect(ids == [nil, nil, "1", "1"])
        }
    }

    @Test("a stream that ends is reconnected after retry with Last-Event-ID; each connection is a fresh stream")
    func reconnectAfterEnd() async throws {
        let route: StubRoute = { _, earlier in
            switch earlier {
            case 0: .stream("retry: 1234\nid: 7\ndata: one\n\ndata: unfinished")
            case 1: .stream("data: two\n\nretry: 50\nid:\ndata: three\n\n")
            default: .stream("data: four\n\n")
            }
        }
        let sleeps = SleepLog()
        try await withStubServer(["/stream": route]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream", sleeps: sleeps), until: opened(3))
            #expect(outputs.kinds == [
                "connecting", "open", "retry", "event", "reconnecting",
                "connecting", "open", "event", "retry", "event", "reconnecting",
                "connecting", "open",
            ])
            #expect(outputs.events == [
                ParsedEvent(data: "one", lastEventId: "7"), ParsedEvent(data: "two", lastEventId: "7"), ParsedEvent(data: "three"),
            ])
            let reconnections = outputs.reconnections
            let delays = reconnections.map(\.after)
            let reconnectionIDs = reconnections.map(\.lastEventID)
            #expect(delays == [.milliseconds(1234), .milliseconds(50)])
            #expect(reconnectionIDs == ["7", nil])
            #expect(sleeps.recorded == [.milliseconds(1234), .milliseconds(50)])
            let ids = log.all.map { $0.header("Last-Event-ID") }
            #expect(ids == [nil, "7", nil])
        }
    }

    @Test("without retry from the server, the reconnection time is the default (3000 ms, as browsers)")
    func defaultReconnectionTime() async throws {
        let sleeps = SleepLog()
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\n") }]) { port, _ in
            let outputs = try await collect(makeClient(port: port, path: "/stream", sleeps: sleeps), until: opened(2))
            #expect(outputs.reconnections.first?.after == .milliseconds(3000))
            #expect(sleeps.recorded == [.milliseconds(3000)])
        }
    }

    @Test("a connection that drops mid-stream is reconnected, the unfinished event discarded")
    func droppedMidStream() async throws {
        let route: StubRoute = { _, earlier in
            earlier == 0 ? .stream("id: 1\ndata: a\n\nid: 2\ndata: half", ending: .fail) : .stream("data: b\n\n")
        }
        try await withStubServer(["/stream": route]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream"), until: opened(2))
            let reconnection = try #require(outputs.reconnections.first)
            #expect(outputs.events == [ParsedEvent(data: "a", lastEventId: "1")])
            #expect(reconnection.lastEventID == "1")
            let dropped = if case .dropped = reconnection.cause { true } else { false }
            #expect(dropped, "cause: \(reconnection.cause)")
            #expect(log.all.last?.header("Last-Event-ID") == "1")
        }
    }

    @Test("comments are reported; raw bytes are reported as they came when asked")
    func commentsAndRaw() async throws {
        let body = ": welcome\n\nretry: 10\n\n:heartbeat\ndata: x\n\n"
        try await withStubServer(["/stream": { _, _ in .stream(body, chunkSize: 5) }]) { port, _ in
            let client = makeClient(port: port, path: "/stream") { $0.includeRaw = true }
            let outputs = try await collect(client, until: isReconnecting)
            #expect(outputs.comments == ["welcome", "heartbeat"])
            #expect(outputs.raw == Array(body.utf8))
            #expect(outputs.contains(.retry(10)))
            // Raw bytes come before what they produce.
            let firstRaw = outputs.firstIndex { if case .raw = $0 { true } else { false } }
            let firstComment = outputs.firstIndex { if case .comment = $0 { true } else { false } }
            let rawFirst = (firstRaw ?? .max) < (firstComment ?? .min)
            #expect(rawFirst)
        }
    }

    @Test("an unreachable server is retried with back-off, then given up after maxRetries")
    func unreachable() async throws {
        let sleeps = SleepLog()
        // Nothing listens on port 1: every attempt is refused at once.
        var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:1/stream")
        configuration.defaultReconnectionTime = .milliseconds(100)
        configuration.backoff = .exponential(maxDelay: .milliseconds(350), jitter: .equal)
        configuration.maxRetries = 3
        let client = EventSourceClient(configuration, sleep: sleeps.sleep)
        let outputs = try await collect(client)
        #expect(outputs.kinds == [
            "connecting", "reconnecting", "connecting", "reconnecting", "connecting", "reconnecting", "connecting", "closed",
        ])
        // failures 1, 2, 3: ceilings 200, 400 → capped 350, 800 → capped 350; random 1 takes the ceiling.
        #expect(sleeps.recorded == [.milliseconds(200), .milliseconds(350), .milliseconds(350)])
        let gaveUp = if case .unreachable(attempts: 4, _)? = outputs.closeReason { true } else { false }
        #expect(gaveUp, "\(String(describing: outputs.closeReason))")
        let causes = outputs.reconnections.map(\.cause)
        let allFailedToConnect = causes.allSatisfy { if case .connectionFailed = $0 { true } else { false } }
        #expect(allFailedToConnect)
    }

    @Test("failures reset when a stream opens: maxRetries counts attempts in a row")
    func failuresReset() async throws {
        let sleeps = SleepLog()
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\n") }]) { port, _ in
            var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:\(port)/stream")
            configuration.defaultReconnectionTime = .milliseconds(100)
            configuration.backoff = .exponential(maxDelay: .seconds(10), jitter: .equal)
            configuration.maxRetries = 0
            let client = EventSourceClient(configuration, sleep: sleeps.sleep)
            let outputs = try await collect(client, until: opened(3))
            // Each stream opened, so every reconnection is a first one: exactly the retry time, never given up.
            #expect(outputs.closeReason == nil)
            #expect(sleeps.recorded == [.milliseconds(100), .milliseconds(100)])
        }
    }

    @Test("a URL that cannot be fetched ends it for good at once")
    func invalidURL() async throws {
        let client = EventSourceClient(.init(url: "ftp://127.0.0.1/stream"), sleep: SleepLog().sleep)
        let outputs = try await collect(client)
        let invalid = if case .invalidURL? = outputs.closeReason { true } else { false }
        #expect(invalid, "\(outputs)")
    }

    @Test("cancelling the consuming task closes an idle open stream and ends the sequence promptly")
    func cancellation() async throws {
        try await withStubServer(["/stream": { _, _ in .stream("data: a\n\n", ending: .stayOpen(every: .milliseconds(100))) }]) { port, _ in
            let client = makeClient(port: port, path: "/stream")
            let (received, signal) = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                var outputs: [ClientEvent] = []
                for await output in client {
                    outputs.append(output)
                    if case .event = output { signal.yield() }
                }
                return outputs
            }
            for await _ in received { break }
            let cancelled = ContinuousClock.now
            task.cancel()
            let outputs = await task.value
            let elapsed = ContinuousClock.now - cancelled
            #expect(elapsed < .seconds(2))
            #expect(outputs.events == [ParsedEvent(data: "a")])
            #expect(outputs.closeReason == nil)
        }
    }

    @Test("withHTTPClient: a dedicated client follows redirects and is shut down afterwards")
    func dedicatedHTTPClient() async throws {
        let routes: [String: StubRoute] = [
            "/old": { _, _ in .status(.temporaryRedirect, headers: [.location: "/new"]) },
            "/new": { _, _ in .stream("data: hi\n\n") },
        ]
        try await withStubServer(routes) { port, _ in
            let outputs = try await EventSourceClient.withHTTPClient(readTimeout: .seconds(5)) { http in
                let client = EventSourceClient(
                    configuration: .init(url: "http://127.0.0.1:\(port)/old"), httpClient: http, sleep: SleepLog().sleep)
                return try await collect(client, until: isReconnecting)
            }
            #expect(outputs.events == [ParsedEvent(data: "hi")])
        }
    }

    @Test("a read timeout on a silent stream counts as a dropped connection")
    func readTimeout() async throws {
        try await withStubServer(["/stream": { _, _ in .stream("id: 3\ndata: a\n\n", ending: .silence(.seconds(3))) }]) { port, _ in
            // The stub is then silent for 3 s; 1 s of silence trips the timeout (a generous margin for the head to arrive on a busy machine).
            let outputs = try await EventSourceClient.withHTTPClient(readTimeout: .seconds(1)) { http in
                let client = EventSourceClient(
                    configuration: .init(url: "http://127.0.0.1:\(port)/stream"), httpClient: http, sleep: SleepLog().sleep)
                return try await collect(client, until: isReconnecting)
            }
            let reconnection = try #require(outputs.reconnections.first)
            #expect(reconnection.lastEventID == "3")
            #expect(reconnection.cause == .dropped("no data within the read timeout"))
        }
    }
}
