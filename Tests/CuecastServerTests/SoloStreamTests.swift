import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// Solo streams: a private playback per connection, from the start, ending with the sentinel.
@Suite(.timeLimit(.minutes(1)))
struct SoloStreamTests {
    /// Six events 20 ms apart with random data (no `$now`, so two runs can be compared byte for byte).
    static let dice = """
        {
          "title": "Dice", "welcome": "dice", "retry": 2000, "heartbeat": false, "seed": 7,
          "values": { "roll": { "int": [1, 1000000] } },
          "cues": [{ "at": 20, "repeat": { "every": 20, "count": 6 }, "event": "roll", "data": "{{roll}} #{{$index}}" }]
        }
        """

    /// Five events 200 ms apart: a full second at speed 1.
    static let slow = """
        {
          "title": "Slow", "heartbeat": false,
          "cues": [{ "at": 200, "repeat": { "every": 200, "count": 5 }, "data": "tick {{$index}}" }]
        }
        """

    /// Twenty seconds of scenario time to the end: at speed 100, a fifth of a second.
    static let long = """
        {
          "title": "Long", "heartbeat": false,
          "cues": [{ "at": 4000, "repeat": { "every": 4000, "count": 5 }, "data": "tick {{$index}}" }]
        }
        """

    static func scenarios() throws -> [Scenario] {
        [try scenario("dice", dice), try scenario("slow", slow), try scenario("long", long)]
    }

    @Test("a full run ends with the sentinel, then the server closes the stream")
    func fullRun() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/dice")
            let outputs = try await client.readToEnd(timeout: .seconds(5))
            #expect(client.end == .closed)
            let events = outputs.events
            let ids = events.map(\.lastEventId)
            let types = Set(events.dropLast().map(\.type))
            let indexes = events.dropLast().map { $0.data.split(separator: "#").last.map(String.init) ?? "" }
            #expect(ids == ["1", "2", "3", "4", "5", "6", "-1"])
            #expect(types == ["roll"])
            #expect(indexes == ["0", "1", "2", "3", "4", "5"])
            let sentinel = try #require(events.last)
            #expect(sentinel == ParsedEvent(type: "message", data: "", lastEventId: "-1"))
            #expect(client.rawText.hasPrefix(": dice\n\nretry: 2000\n\nid: 1\nevent: roll\ndata: "))
            #expect(client.rawText.hasSuffix("\n\nid: -1\ndata:\n\n"))
        }
    }

    @Test("after a stream ends, the same HTTP client's next requests succeed (no reuse of a closing connection)")
    func requestsAfterAStream() async throws {
        try await withServer(Self.scenarios()) { port in
            for _ in 0..<3 {
                let client = try await SSEClient.connect(port: port, path: "/streams/dice?speed=10")
                #expect(try await client.readToEnd().events.count == 7)
                #expect(try await fetch(port: port, "/healthz").status == 200)
            }
        }
    }

    @Test("the same seed gives the same bytes; another seed changes them")
    func seeds() async throws {
        try await withServer(Self.scenarios()) { port in
            async let first = SSEClient.connect(port: port, path: "/streams/dice")
            async let second = SSEClient.connect(port: port, path: "/streams/dice")
            async let seeded = SSEClient.connect(port: port, path: "/streams/dice?seed=8")
            async let seededAgain = SSEClient.connect(port: port, path: "/streams/dice?seed=8")
            let clients = try await [first, second, seeded, seededAgain]
            for client in clients { _ = try await client.readToEnd() }
            let raw = clients.map(\.raw)
            #expect(raw[0].count > 100)
            #expect(raw[0] == raw[1])
            #expect(raw[2] == raw[3])
            #expect(raw[0] != raw[2])
            // Only the data differs: same ids, same types, same sentinel.
            let outputs = clients.map { client in
                var parser = EventStreamParser()
                return parser.feed(client.raw).events
            }
            let ids = outputs.map { $0.map(\.lastEventId) }
            let data = outputs.map { $0.map(\.data) }
            #expect(ids[0] == ids[2])
            #expect(data[0] != data[2])
        }
    }

    @Test("?speed= plays faster: twenty seconds of scenario time end within a few seconds at speed 100")
    func speed() async throws {
        try await withServer(Self.scenarios()) { port in
            // The bound is wide on purpose (a loaded 2-core machine stalls for a second at times), yet speed 1
            // could not meet it: its first event alone is 4 s away.
            let start = ContinuousClock.now
            let fast = try await SSEClient.connect(port: port, path: "/streams/long?speed=100")
            let outputs = try await fast.readToEnd(timeout: .seconds(8))
            let elapsed = ContinuousClock.now - start
            let data = outputs.events.map(\.data)
            #expect(elapsed < .seconds(3.5), "speed 100 took \(elapsed)")
            #expect(data == ["tick 0", "tick 1", "tick 2", "tick 3", "tick 4", ""], "speed changes timing only")
        }
    }

    @Test("?speed= below 1 plays slower")
    func slower() async throws {
        try await withServer(Self.scenarios()) { port in
            // On the manual clock: at speed 0.1 the first event (200 ms of scenario time) is 2 s of the stream's
            // clock away, and comes when the clock reaches 2 s, not a millisecond before.
            let client = try await SSEClient.connect(port: port, path: "/streams/slow?speed=0.1&clock=manual&client=slow")
            let listed = try await fetch(port: port, "/api/playbacks").json()["playbacks"] as? [[String: Any]]
            #expect(listed?.first?["nextCueInMs"] as? Int == 2000)
            let short = try await post(port: port, "/api/playbacks/slow/advance?by=1999ms")
            let none = try? await client.nextEvent(timeout: .milliseconds(200))
            let last = try await post(port: port, "/api/playbacks/slow/advance?by=1")
            let first = try await client.nextEvent()
            await client.close()
            #expect(short.status == 200)
            #expect(none == nil)
            #expect(last.status == 200)
            #expect(first?.data == "tick 0")
        }
    }

    @Test(
        "bad query parameters are refused with a JSON error",
        arguments: [
            ("/streams/dice?speed=0", "bad_speed"),
            ("/streams/dice?speed=fast", "bad_speed"),
            ("/streams/dice?speed=101", "bad_speed"),
            ("/streams/dice?seed=-1", "bad_seed"),
            ("/streams/dice?seed=1.5", "bad_seed"),
            ("/streams/dice?history=some", "bad_history"),
            ("/streams/dice?history=-2", "bad_history"),
            ("/streams/dice?histroy=2", "unknown_parameter"),
            ("/streams/dice?speed=2&volume=11", "unknown_parameter"),
        ]
    )
    func badParameters(path: String, code: String) async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, path)
            #expect(response.status == 400)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let error = try #require(try response.json()["error"] as? [String: Any], "body: \(response.body)")
            #expect(error["code"] as? String == code)
            #expect(error["status"] as? Int == 400)
            #expect((error["message"] as? String)?.isEmpty == false)
        }
    }

    // MARK: Resume

    /// A whole run, to compare resumed streams with.
    static func fullEvents(port: Int) async throws -> [ParsedEvent] {
        let client = try await SSEClient.connect(port: port, path: "/streams/dice")
        return try await client.readToEnd().events
    }

    @Test("Last-Event-ID: 5 resumes at event 6, with the same data as a full run")
    func resumeAfterID() async throws {
        try await withServer(Self.scenarios()) { port in
            let full = try await Self.fullEvents(port: port)
            let client = try await SSEClient.connect(port: port, path: "/streams/dice", headers: [("Last-Event-ID", "5")])
            let events = try await client.readToEnd().events
            let ids = events.map(\.lastEventId)
            #expect(ids == ["6", "-1"])
            #expect(events == Array(full.suffix(2)))
        }
    }

    @Test("the Last-Event-ID header wins over ?lastEventId=, which works alone")
    func resumeQueryParameter() async throws {
        try await withServer(Self.scenarios()) { port in
            let both = try await SSEClient.connect(port: port, path: "/streams/dice?lastEventId=2", headers: [("Last-Event-ID", "4")])
            let bothIDs = try await both.readToEnd().events.map(\.lastEventId)
            #expect(bothIDs == ["5", "6", "-1"])
            let query = try await SSEClient.connect(port: port, path: "/streams/dice?lastEventId=3")
            let queryIDs = try await query.readToEnd().events.map(\.lastEventId)
            #expect(queryIDs == ["4", "5", "6", "-1"])
        }
    }

    @Test("an id the stream never sends: a comment, then a replay from event 1")
    func unknownID() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/dice", headers: [("Last-Event-ID", "nope")])
            let outputs = try await client.readToEnd()
            guard outputs.count >= 4 else {
                Issue.record("too little output: \(outputs)")
                return
            }
            #expect(outputs[0] == .comment("dice"))
            #expect(outputs[1] == .retry(2000))
            guard case .comment(let notice) = outputs[2] else {
                Issue.record("expected a notice comment, got \(outputs[2])")
                return
            }
            #expect(notice.contains("nope"))
            let ids = outputs.events.map(\.lastEventId)
            #expect(outputs.events.first?.type == ResumeGap.eventType)
            #expect(ids == ["", "1", "2", "3", "4", "5", "6", "-1"])
        }
    }

    @Test("the sentinel's id coming back gets 204 No Content", arguments: [true, false])
    func sentinelID(asHeader: Bool) async throws {
        try await withServer(Self.scenarios()) { port in
            let response =
                asHeader
                ? try await fetch(port: port, "/streams/dice", headers: [("Last-Event-ID", "-1")])
                : try await fetch(port: port, "/streams/dice?lastEventId=-1")
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
        }
    }

    @Test("the last event's id: only the sentinel follows, then the stream closes")
    func lastEventID() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/dice", headers: [("Last-Event-ID", "6")])
            #expect(client.status == 200)
            let ids = try await client.readToEnd().events.map(\.lastEventId)
            #expect(ids == ["-1"])
            #expect(client.end == .closed)
        }
    }
}
