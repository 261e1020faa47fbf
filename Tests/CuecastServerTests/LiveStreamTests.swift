import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// Live streams: one shared playback per scenario, history for late joiners, resume from history.
@Suite(.timeLimit(.minutes(1)))
struct LiveStreamTests {
    /// Five events 20 ms apart, again every 120 ms, forever.
    static let shared = """
        {
          "title": "Shared", "mode": "live", "heartbeat": false, "loop": { "delay": 40 },
          "cues": [{ "at": 0, "repeat": { "every": 20, "count": 5 }, "data": "{{$pass}}:{{$index}}" }]
        }
        """

    /// Each pass: a0 a1 a2 10 ms apart, then 1.5 s of silence before b; the next pass 50 ms later. The silence
    /// is the window in which late joiners connect, so what they get is known exactly (wide enough for a loaded
    /// CI machine to open six connections).
    static let pauses = """
        {
          "title": "Pauses", "mode": "live", "heartbeat": false, "loop": { "delay": 50 },
          "cues": [
            { "at": 0, "repeat": { "every": 10, "count": 3 }, "data": "{{$pass}}:a{{$index}}" },
            { "at": 1500, "data": "{{$pass}}:b" }
          ]
        }
        """

    /// Three events and the sentinel within 20 ms of the server starting, then nothing: a finished live stream.
    static let finite = """
        {
          "title": "Finite", "mode": "live", "heartbeat": false,
          "cues": [{ "at": 0, "repeat": { "every": 10, "count": 3 }, "data": "e{{$index}}" }]
        }
        """

    static func scenarios() throws -> [Scenario] {
        [try scenario("shared", shared), try scenario("pauses", pauses), try scenario("finite", finite)]
    }

    @Test("two subscribers get the same events in the same order")
    func sameEvents() async throws {
        try await withServer(Self.scenarios()) { port in
            let first = try await SSEClient.connect(port: port, path: "/streams/shared?history=none")
            let second = try await SSEClient.connect(port: port, path: "/streams/shared?history=none")
            let secondEvents = try await second.events(12)
            let last = try #require(secondEvents.last?.number)
            var firstEvents: [ParsedEvent] = []
            while (firstEvents.last?.number ?? 0) < last {
                firstEvents += try await first.events(1)
            }
            let firstID = try #require(secondEvents.first?.number)
            // The first subscriber joined earlier, so it saw everything the second saw, and maybe more before.
            let overlap = firstEvents.filter { ($0.number ?? 0) >= firstID }
            #expect(overlap == secondEvents)
            await first.close()
            await second.close()
        }
    }

    @Test("ids keep increasing across loops")
    func idsAcrossLoops() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/shared?history=none")
            let events = try await client.events(16)
            await client.close()
            let ids = events.compactMap(\.number)
            #expect(ids.count == events.count)
            #expect(ids == Array(ids[0]..<(ids[0] + ids.count)), "ids: \(ids)")
            let passes = Set(events.map { $0.data.split(separator: ":")[0] })
            #expect(passes.count >= 3, "16 events span at least three passes of five")
            // Within the data, each pass counts 0...4 again while the ids go on.
            for (previous, event) in zip(events, events.dropFirst()) {
                let (pass, index) = (Int(event.data.split(separator: ":")[0])!, Int(event.data.split(separator: ":")[1])!)
                let (previousPass, previousIndex) = (Int(previous.data.split(separator: ":")[0])!, Int(previous.data.split(separator: ":")[1])!)
                #expect((pass == previousPass && index == previousIndex + 1) || (pass == previousPass + 1 && index == 0 && previousIndex == 4))
            }
        }
    }

    /// Waits, on a subscriber that joined with `history=none`, for the a2 event of a pass after the first, then
    /// returns that pass's a0, a1 and a2. Late joiners connecting now fall in the 1.48 s silence before b.
    static func waitForSilence(_ watcher: SSEClient) async throws -> (pass: String, a: [ParsedEvent]) {
        var seen: [ParsedEvent] = []
        while true {
            let event = try #require(try await watcher.nextEvent(timeout: .seconds(3)))
            seen.append(event)
            let parts = event.data.split(separator: ":")
            if parts[1] == "a2", parts[0] != "1", seen.count >= 3 {
                let pass = String(parts[0])
                let a = Array(seen.suffix(3))
                let data = a.map(\.data)
                #expect(data == ["\(pass):a0", "\(pass):a1", "\(pass):a2"])
                return (pass, a)
            }
        }
    }

    @Test("a late joiner first gets what the current pass has sent; ?history= and Last-Event-ID choose how much")
    func lateJoiners() async throws {
        try await withServer(Self.scenarios()) { port in
            let watcher = try await SSEClient.connect(port: port, path: "/streams/pauses?history=none")
            let (pass, a) = try await Self.waitForSilence(watcher)
            let a0 = a[0].lastEventId
            async let all = SSEClient.connect(port: port, path: "/streams/pauses")
            async let explicitAll = SSEClient.connect(port: port, path: "/streams/pauses?history=all")
            async let none = SSEClient.connect(port: port, path: "/streams/pauses?history=none")
            async let two = SSEClient.connect(port: port, path: "/streams/pauses?history=2")
            async let resumed = SSEClient.connect(port: port, path: "/streams/pauses", headers: [("Last-Event-ID", a0)])
            async let unknown = SSEClient.connect(port: port, path: "/streams/pauses", headers: [("Last-Event-ID", "123456")])
            let clients = try await (all: all, explicitAll: explicitAll, none: none, two: two, resumed: resumed, unknown: unknown)

            /// Everything up to and including this pass's b event.
            func untilB(_ client: SSEClient) async throws -> [SSEParserOutput] {
                try await client.read(until: { output in
                    if case .event(let event) = output { return event.data == "\(pass):b" }
                    return false
                })
            }
            let b = try #require(try await untilB(watcher).events.last)
            #expect(b.number == a[2].number! + 1)

            #expect(try await untilB(clients.all).events == a + [b])
            #expect(try await untilB(clients.explicitAll).events == a + [b])
            #expect(try await untilB(clients.none).events == [b])
            #expect(try await untilB(clients.two).events == Array(a.suffix(2)) + [b])
            // Resumed after a0: exactly what followed it, nothing twice.
            #expect(try await untilB(clients.resumed).events == Array(a.suffix(2)) + [b])
            // An id not in history: the welcome, a notice naming the id, then the current pass.
            let unknownOutputs = try await untilB(clients.unknown)
            #expect(unknownOutputs.first == .comment("Pauses"))
            let notice = try #require(unknownOutputs.comments.dropFirst().first, "\(unknownOutputs)")
            #expect(notice.contains("123456"))
            #expect(unknownOutputs.events.first?.type == ResumeGap.eventType)
            #expect(Array(unknownOutputs.events.dropFirst()) == a + [b])
            let noticeIndex = try #require(unknownOutputs.firstIndex(of: .comment(notice)))
            let firstEventIndex = unknownOutputs.firstIndex { if case .event = $0 { true } else { false } }
            #expect(noticeIndex < (firstEventIndex ?? -1))

            for client in [watcher, clients.all, clients.explicitAll, clients.none, clients.two, clients.resumed, clients.unknown] {
                await client.close()
            }
        }
    }

    @Test("a finished live stream: history, the sentinel, then close; the sentinel id gets 204")
    func finishedLiveStream() async throws {
        // Alone: the server must keep serving after its only live stream has ended.
        try await withServer([try scenario("finite", Self.finite)]) { port in
            let finished = try await eventually { try await catalogEntry(port: port, "finite")["finished"] as? Bool == true }
            #expect(finished)

            let late = try await SSEClient.connect(port: port, path: "/streams/finite")
            let outputs = try await late.readToEnd(timeout: .seconds(3))
            #expect(late.end == .closed)
            let data = outputs.events.map(\.data)
            let ids = outputs.events.map(\.lastEventId)
            #expect(data == ["e0", "e1", "e2", ""])
            #expect(ids == ["1", "2", "3", "-1"])
            #expect(late.rawText.hasSuffix("id: -1\ndata:\n\n"))

            let resumed = try await SSEClient.connect(port: port, path: "/streams/finite", headers: [("Last-Event-ID", "2")])
            let resumedIDs = try await resumed.readToEnd().events.map(\.lastEventId)
            #expect(resumedIDs == ["3", "-1"])

            let sentinel = try await fetch(port: port, "/streams/finite", headers: [("Last-Event-ID", "-1")])
            #expect(sentinel.status == 204)

            #expect(try await fetch(port: port, "/healthz").status == 200)
        }
    }

    @Test("a finished live stream still sends the sentinel when no history is asked for", arguments: ["none", "0"])
    func finishedWithoutHistory(history: String) async throws {
        try await withServer(Self.scenarios()) { port in
            let finished = try await eventually { try await catalogEntry(port: port, "finite")["finished"] as? Bool == true }
            #expect(finished)
            let client = try await SSEClient.connect(port: port, path: "/streams/finite?history=\(history)")
            let outputs = try await client.readToEnd(timeout: .seconds(3))
            // Without the sentinel an EventSource would reconnect forever to a stream that will never send again.
            let ids = outputs.events.map(\.lastEventId)
            #expect(ids == ["-1"])
        }
    }

    @Test("speed and seed are refused on live streams")
    func soloOnlyParameters() async throws {
        try await withServer(Self.scenarios()) { port in
            for (query, code) in [("speed=2", "speed_on_live"), ("seed=3", "seed_on_live")] {
                let response = try await fetch(port: port, "/streams/shared?\(query)")
                #expect(response.status == 400)
                let error = try #require(try response.json()["error"] as? [String: Any])
                #expect(error["code"] as? String == code)
            }
        }
    }
}
