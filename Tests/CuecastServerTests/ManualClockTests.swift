import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// `?clock=manual`: a solo stream that sends its preamble, then nothing until a test says so over HTTP.
@Suite(.timeLimit(.minutes(1)))
struct ManualClockTests {
    /// Events at 1 s, 3 s and 10 s, then the sentinel at 10 s.
    static let steps = """
        {"title": "Steps", "mode": "solo", "retry": 500, "welcome": "steps", "cues": [
          {"at": 1000, "event": "step", "data": "one"}, {"at": 3000, "event": "step", "data": "two"},
          {"at": 10000, "comment": "last", "event": "step", "data": "three"}]}
        """
    static let live = """
        {"title": "Live", "mode": "live", "cues": [{"at": 0, "repeat": {"every": 1000}, "data": "x"}]}
        """

    static func scenarios() throws -> [Scenario] { [try scenario("steps", steps), try scenario("live", live)] }

    static func step(_ port: Int, _ id: String, _ action: String) async throws -> (status: Int, body: [String: Any]) {
        let response = try await post(port: port, "/api/playbacks/\(id)/\(action)")
        return (response.status, try response.json())
    }

    @Test("the preamble at once, then each event only when the test moves the clock")
    func stepping() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/steps?clock=manual&client=e2e")
            let id = try #require(client.header("X-Cuecast-Playback"))
            #expect(client.header("X-Cuecast-Connection") == id)
            let preamble = try await client.read { output in
                if case .retry = output { return true }
                return false
            }
            // Time stands still: far past the first cue's real moment, nothing has come.
            let early = try? await client.next(timeout: .milliseconds(1300))
            #expect(preamble == [.comment("steps"), .retry(500)])
            #expect(early == nil)

            let listed = try await fetch(port: port, "/api/playbacks").json()["playbacks"] as? [[String: Any]]
            #expect(listed?.first?["client"] as? String == "e2e")
            #expect(listed?.first?["paused"] as? Bool == true)
            #expect(listed?.first?["nextCueInMs"] as? Int == 1000)

            // 999 ms: still nothing; 1 ms more: the first event.
            let short = try await post(port: port, "/api/playbacks/\(id)/advance?by=999ms")
            let none = try? await client.next(timeout: .milliseconds(200))
            let first = try await Self.step(port, id, "advance?by=1")
            let one = try await client.nextEvent()
            #expect(short.status == 200)
            #expect(none == nil)
            #expect(first.status == 200)
            #expect(first.body["elapsedMs"] as? Int == 1000)
            #expect(first.body["nextCueInMs"] as? Int == 2000)
            #expect(one?.data == "one")

            // By label: to the next cue.
            let next = try await Self.step(port, "e2e", "next")
            let two = try await client.nextEvent()
            #expect(next.body["elapsedMs"] as? Int == 3000)
            #expect(two?.data == "two")

            // Real time for a moment, then paused again: the clock moved, but not to the 10 s cue.
            let resumed = try await Self.step(port, id, "resume")
            try await Task.sleep(for: .milliseconds(150))
            let paused = try await Self.step(port, id, "pause")
            let elapsed = paused.body["elapsedMs"] as? Int ?? 0
            #expect(resumed.body["paused"] as? Bool == false)
            #expect(paused.body["paused"] as? Bool == true)
            #expect(elapsed >= 3150 && elapsed < 10000, "elapsed: \(elapsed)")

            let last = try await Self.step(port, id, "next")
            let rest = try await client.readToEnd()
            #expect(last.status == 200)
            #expect(rest.events.map(\.data) == ["three", ""])
            #expect(rest.comments.contains("last"))
        }
    }

    @Test("errors: unknown playbacks, bad durations, manual clocks on live streams, a finished playback")
    func errors() async throws {
        try await withServer(Self.scenarios()) { port in
            let unknown = try await post(port: port, "/api/playbacks/999/next")
            let unknownLabel = try await post(port: port, "/api/playbacks/nobody/advance?by=1s")
            let onLive = try await fetch(port: port, "/streams/live?clock=manual")
            let badClock = try await fetch(port: port, "/streams/steps?clock=fast")
            #expect(unknown.status == 404)
            #expect(try unknown.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "unknown_playback")
            #expect(unknownLabel.status == 404)
            #expect(onLive.status == 400)
            #expect(try onLive.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "clock_on_live")
            #expect(badClock.status == 400)

            let client = try await SSEClient.connect(port: port, path: "/streams/steps?clock=manual")
            let id = try #require(client.header("X-Cuecast-Playback"))
            let missing = try await post(port: port, "/api/playbacks/\(id)/advance")
            let bad = try await post(port: port, "/api/playbacks/\(id)/advance?by=soon")
            let action = try await post(port: port, "/api/playbacks/\(id)/rewind")
            let end = try await post(port: port, "/api/playbacks/\(id)/advance?by=20s")
            let events = try await client.readToEnd()
            #expect(missing.status == 400)
            #expect(bad.status == 400)
            #expect(action.status == 404)
            #expect(end.status == 200)
            #expect(events.events.count == 4)
            // The stream has ended and gone from the list.
            let gone = await eventually { (try? await post(port: port, "/api/playbacks/\(id)/next").status) == 404 }
            #expect(gone)
        }
    }

    @Test("resuming with Last-Event-ID opens a new paused playback at that point")
    func resume() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/steps?clock=manual", headers: [("Last-Event-ID", "1")])
            let id = try #require(client.header("X-Cuecast-Playback"))
            let next = try await Self.step(port, id, "next")
            let event = try await client.nextEvent()
            await client.close()
            // From the first event (at 1 s) to the second (at 3 s).
            #expect(next.body["elapsedMs"] as? Int == 2000)
            #expect(event?.data == "two")
        }
    }
}
