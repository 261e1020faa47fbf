import Foundation
import Synchronization
import Testing

@testable import CuecastCore

/// A station on a hand-driven clock: triggers fired between the timeline's own events, disconnecting cues, and
/// what a late joiner hears.
@Suite(.timeLimit(.minutes(1)))
struct StationTests {
    /// A price ticking every second from 0, two walks that only move when a trigger moves them (step 0), and
    /// triggers that crash one walk, lift every walk, or only write a comment.
    static let ticker = """
        {"title": "T", "mode": "live", "heartbeat": false,
         "values": {"aapl": {"walk": {"start": 100, "step": 0, "min": 50, "max": 200}},
                    "msft": {"walk": {"start": 400, "step": 0, "min": 100, "max": 500}},
                    "n": {"counter": 1}},
         "cues": [{"at": 0, "repeat": {"every": 1000}, "event": "price", "data": "{{aapl}} {{msft}} n={{n}}"}],
         "triggers": {
           "crash": {"event": "crash", "data": "aapl {{aapl}} #{{$event}} n={{n}}", "adjust": {"percent": -8, "values": ["aapl"]}},
           "boom": {"event": "boom", "data": "{{aapl}} {{msft}}", "adjust": {"percent": 50}},
           "floor": {"comment": "floor", "adjust": {"percent": -90, "values": ["aapl"]}},
           "note": {"comment": "fired {{$index}}"}
         }}
        """

    /// A station running on a test clock, with one subscriber listening from the start.
    final class Running: Sendable {
        let station: Station
        let clock = TestClock()
        let listener: Listener
        private let task: Task<Void, any Error>

        init(_ scenario: Scenario) {
            let station = Station(scenario: scenario, timeline: Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0)))
            let clock = clock
            self.station = station
            self.listener = HubTest.listen(to: station.hub)
            task = Task {
                defer { clock.stop() }
                try await station.run(clock: clock)
            }
        }

        /// Advances the clock to `offset` and waits until the station is asleep again (or done).
        func advance(to offset: Duration) async {
            await clock.waitForSleepers()
            clock.advance(to: offset)
            await clock.waitForSleepers()
        }

        /// Stops the station and returns everything the listener received, as wire text.
        func stop() async -> [String] {
            task.cancel()
            _ = try? await task.value
            station.hub.closeAll(reason: .shutdown)
            return listener.received
        }
    }

    // MARK: Playing

    /// A station can start from a resumed timeline: it plays into the hub it was given, waits only for the
    /// distance from `origin`, scaled by `speed`, and fills silences with heartbeats that stay out of history.
    @Test func aStationPlaysAResumedTimelineAtSpeedIntoTheGivenHub() async throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "heartbeat": 300, "cues": [{"at": 0, "repeat": {"every": 1000, "count": 4}, "data": "e{{$index}}"}]}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "2") == .after(.seconds(1)))
        let hub = BroadcastHub()
        let listener = HubTest.listen(to: hub)
        let station = Station(scenario: scenario, hub: hub, timeline: timeline, speed: 2, origin: .seconds(1))
        #expect(station.hub === hub)
        let clock = TestClock()
        let task = Task {
            defer { clock.stop() }
            try await station.run(clock: clock)
        }
        await clock.waitForSleepers()
        clock.advance(to: .milliseconds(499))
        await clock.waitForSleepers()
        #expect(hub.sequence == 0)
        clock.advance(to: .milliseconds(500))  // event 3 is 1 s of scenario time after the origin: 0.5 s at speed 2
        await clock.waitForSleepers()
        #expect(hub.sequence == 1)
        #expect(hub.lastEventID == "3")
        clock.advance(to: .milliseconds(1000))
        try await task.value
        #expect(hub.isFinished)
        #expect(
            listener.received == [
                ": heartbeat\n\n", "id: 3\ndata: e2\n\n", ": heartbeat\n\n", "id: 4\ndata: e3\n\n", "id: -1\ndata:\n\n",
            ])
        #expect(HubTest.history(of: hub) == ["id: 3\ndata: e2\n\n", "id: 4\ndata: e3\n\n", "id: -1\ndata:\n\n"])
    }

    // MARK: Triggers

    /// A fired event takes the next id of the stream: the timeline sent 1…3, the trigger gets 4, the timeline's
    /// next event 5. It is in the history, and a subscriber can resume after it.
    @Test func aTriggerTakesTheNextIDAndTheTimelineGoesOnAfterIt() async throws {
        let running = Running(try Fixture.scenario(Self.ticker))
        await running.advance(to: .seconds(2))
        #expect(running.station.hub.sequence == 3)

        let fired = try running.station.fire(trigger: "crash")
        #expect(fired.event?.id == "4")
        #expect(fired.event?.type == "crash")
        #expect(fired.event?.data == "aapl 92.0 #4 n=4")
        #expect(fired.delivered == 1)
        #expect(running.station.hub.sequence == 4)
        #expect(running.station.hub.lastEventID == "4")
        #expect(running.station.hub.hasEvent(id: "4"))

        await running.advance(to: .seconds(3))
        #expect(running.station.hub.lastEventID == "5")
        let resumed = HubTest.listen(to: running.station.hub, lastEventID: "4")
        #expect(resumed.placement == .resumed)
        #expect(resumed.received == ["id: 5\nevent: price\ndata: 92.0 400.0 n=5\n\n"])

        #expect(
            await running.stop() == [
                "id: 1\nevent: price\ndata: 100.0 400.0 n=1\n\n",
                "id: 2\nevent: price\ndata: 100.0 400.0 n=2\n\n",
                "id: 3\nevent: price\ndata: 100.0 400.0 n=3\n\n",
                "id: 4\nevent: crash\ndata: aapl 92.0 #4 n=4\n\n",
                "id: 5\nevent: price\ndata: 92.0 400.0 n=5\n\n",
            ])
    }

    /// Fired while the station waits for its next event: that event, due later, still comes after the trigger
    /// in ids and in what it draws.
    @Test func aTriggerBetweenTwoEventsComesBeforeTheNext() async throws {
        let running = Running(try Fixture.scenario(Self.ticker))
        await running.advance(to: .milliseconds(1500))
        #expect(running.station.hub.sequence == 2)
        #expect(try running.station.fire(trigger: "crash").event?.id == "3")
        #expect(try running.station.fire(trigger: "crash").event?.data == "aapl 84.64 #4 n=4")
        await running.advance(to: .seconds(2))
        let frames = await running.stop()
        #expect(frames.map { $0.split(separator: "\n")[0] } == ["id: 1", "id: 2", "id: 3", "id: 4", "id: 5"])
        #expect(frames.last == "id: 5\nevent: price\ndata: 84.64 400.0 n=5\n\n")
    }

    /// Without `values`, an adjustment moves every walk of the scenario, each within its bounds.
    @Test func anAdjustmentWithoutValuesMovesEveryWalkWithinItsBounds() async throws {
        let running = Running(try Fixture.scenario(Self.ticker))
        await running.advance(to: .zero)
        #expect(try running.station.fire(trigger: "boom").event?.data == "150.0 500.0")  // 600 is over msft's max
        #expect(try running.station.fire(trigger: "boom").event?.data == "200.0 500.0")  // 225 is over aapl's max
        #expect(try running.station.fire(trigger: "floor").event == nil)
        #expect(try running.station.fire(trigger: "crash").event?.data == "aapl 50.0 #4 n=2")  // 20 is under the min
        await running.advance(to: .seconds(1))
        #expect(await running.stop().last == "id: 5\nevent: price\ndata: 50.0 500.0 n=3\n\n")
    }

    /// A trigger that only writes a comment sends it to everyone and into the history, and takes no id.
    @Test func aCommentTriggerTakesNoID() async throws {
        let running = Running(try Fixture.scenario(Self.ticker))
        await running.advance(to: .zero)
        let fired = try running.station.fire(trigger: "note")
        #expect(fired.event == nil)
        #expect(fired.delivered == 1)
        #expect(try running.station.fire(trigger: "note").event == nil)
        #expect(running.station.hub.sequence == 1)
        #expect(HubTest.history(of: running.station.hub) == ["id: 1\nevent: price\ndata: 100.0 400.0 n=1\n\n", ": fired 0\n\n", ": fired 1\n\n"])
        await running.advance(to: .seconds(1))
        #expect(await running.stop().last?.hasPrefix("id: 2\n") == true)
    }

    @Test func anUnknownTriggerIsRefusedWithTheKnownNames() async throws {
        let running = Running(try Fixture.scenario(Self.ticker))
        await running.advance(to: .zero)
        #expect(throws: TriggerError.unknownTrigger("Crash", known: ["crash", "boom", "floor", "note"])) {
            try running.station.fire(trigger: "Crash")
        }
        #expect(running.station.hub.sequence == 1)
        let none = Station(scenario: try Fixture.scenario(#"{"title": "T", "cues": [{"data": "x"}]}"#))
        #expect(throws: TriggerError.unknownTrigger("crash", known: [])) { try none.fire(trigger: "crash") }
        _ = await running.stop()
    }

    /// Once the stream has ended (sentinel sent, hub finished), nothing can be fired into it.
    @Test func firingAfterTheEndIsRefused() async throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"at": 1000, "data": "only"}], "triggers": {"late": {"data": "too late"}}}"#)
        let running = Running(scenario)
        await running.clock.waitForSleepers()
        #expect(try running.station.fire(trigger: "late").event?.id == "1")  // before the first cue
        while !running.station.hub.isFinished {
            guard let deadline = running.clock.nextDeadline else { break }
            await running.advance(to: deadline.offset)
        }
        #expect(running.station.hub.isFinished)
        #expect(throws: TriggerError.streamEnded) { try running.station.fire(trigger: "late") }
        #expect(await running.stop() == ["id: 1\ndata: too late\n\n", "id: 2\ndata: only\n\n", "id: -1\ndata:\n\n"])
    }

    /// A cue with a comment and an event is one emission: a trigger fired just after the comment went out (here
    /// from inside the station's next wait, as another thread could) still comes after the event.
    @Test func aTriggerCannotComeBetweenACommentAndItsEvent() async throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "heartbeat": false, "cues": [{"at": 1000, "comment": "c", "data": "x"}], "triggers": {"t": {"data": "fired"}}}"#)
        let station = Station(scenario: scenario)
        let listener = HubTest.listen(to: station.hub)
        let clock = HookedClock()
        let sleeps = Mutex(0)
        let fired = Mutex<SSEEvent?>(nil)
        clock.onSleep = {
            // Sleeps: for the pass marker, for the cue at 1 s, then for whatever comes next at 1 s.
            guard sleeps.withLock({ $0 += 1; return $0 }) == 3 else { return }
            fired.withLock { $0 = try? station.fire(trigger: "t").event }
        }
        let task = Task {
            defer { clock.base.stop() }
            try await station.run(clock: clock)
        }
        await clock.base.waitForSleepers()
        clock.base.advance(to: .seconds(1))
        try await task.value
        #expect(fired.withLock { $0?.id } == "2")
        #expect(listener.received == [": c\n\n", "id: 1\ndata: x\n\n", "id: 2\ndata: fired\n\n", "id: -1\ndata:\n\n"])
    }

    // MARK: Disconnects

    /// A `disconnect` cue closes every subscription after its event and a notice, without ending the stream:
    /// a client that comes back resumes after that event.
    @Test func aDisconnectCueDropsEveryoneAfterItsEvent() async throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "mode": "live", "heartbeat": false,
             "cues": [{"at": 0, "repeat": {"every": 1000, "count": 4}, "data": "e{{$index}}", "disconnect": 2}]}
            """)
        let running = Running(scenario)
        let other = HubTest.listen(to: running.station.hub)
        await running.advance(to: .seconds(1))
        #expect(other.closeReason == .dropped)
        #expect(running.listener.closeReason == .dropped)
        #expect(!running.station.hub.isFinished)
        let notice = ": the scenario closes the connection here on purpose; a client reconnects after its retry time and resumes with Last-Event-ID\n\n"
        #expect(other.received == ["id: 1\ndata: e0\n\n", "id: 2\ndata: e1\n\n", notice])

        let back = HubTest.listen(to: running.station.hub, lastEventID: "2")
        #expect(back.placement == .resumed)
        #expect(back.replayed == 0)  // the notice is not history
        await running.advance(to: .seconds(2))
        #expect(back.received == ["id: 3\ndata: e2\n\n"])
        #expect(back.closeReason == nil)
        await running.advance(to: .seconds(3))
        #expect(back.closeReason == .dropped)  // the 4th emission drops again
        #expect(await running.stop() == ["id: 1\ndata: e0\n\n", "id: 2\ndata: e1\n\n", notice])
    }

    // MARK: Late joiners

    /// A listener who joins the bundled song part-way hears the section markers already sung in this pass.
    @Test func aLateJoinerToDaisyBellHearsTheVerseMarker() async throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("daisy-bell.json"))
        let entries = Fixture.entries(scenario, limit: 200)
        let marker = try #require(entries.firstIndex { if case .comment("verse 2") = $0.item { true } else { false } })
        let line = try #require(entries[(marker + 1)...].first { if case .event = $0.item { true } else { false } })
        let running = Running(scenario)
        await running.advance(to: line.offset)
        let history = HubTest.history(of: running.station.hub)
        let index = try #require(history.firstIndex(of: ": verse 2\n\n"))
        #expect(history[index + 1] == Fixture.text(Fixture.wire([line])))
        #expect(history.first == "id: 1\nevent: lyric\ndata: [START]\n\n")
        #expect(history.contains(": verse 1\n\n"))
        _ = await running.stop()
    }
}

/// A ``TestClock`` that runs a hook each time someone starts to sleep on it, to act at an exact point of the
/// code under test.
final class HookedClock: Clock, Sendable {
    typealias Duration = Swift.Duration
    typealias Instant = TestClock.Instant

    let base = TestClock()
    private let hook = Mutex<(@Sendable () -> Void)?>(nil)

    var onSleep: (@Sendable () -> Void)? {
        get { hook.withLock { $0 } }
        set { hook.withLock { $0 = newValue } }
    }

    var now: Instant { base.now }
    var minimumResolution: Swift.Duration { base.minimumResolution }

    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        onSleep?()
        try await base.sleep(until: deadline, tolerance: tolerance)
    }
}
