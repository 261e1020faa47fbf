import Foundation
import Testing

@testable import CuecastCore

/// A playback on a hand-driven clock. Each output line starts with the clock time it was emitted at, then the
/// entry's own offset (see `PlaybackHarness`), so `"1000 1000 event …"` means "at 1 s, the entry due at 1 s".
@Suite(.timeLimit(.minutes(1)))
struct PlaybackTests {
    static let threeEvents = """
        {"title": "T", "cues": [
          {"at": 1000, "data": "a"},
          {"at": 2500, "data": "b"},
          {"at": 2500, "comment": "c"}
        ], "end": {"delay": 500}}
        """

    @Test func entriesWaitForTheirOffset() async throws {
        let harness = PlaybackHarness(try Fixture.scenario(Self.threeEvents), heartbeat: nil)
        await harness.clock.waitForSleepers()
        #expect(harness.outputs == ["0 0 pass 1"])
        #expect(harness.clock.nextDeadline?.offset == .seconds(1))

        #expect(await harness.advance(to: .milliseconds(999)) == ["0 0 pass 1"])
        #expect(await harness.advance(to: .milliseconds(1000)) == ["0 0 pass 1", "1000 1000 event id=1 data=a"])
        #expect(harness.clock.nextDeadline?.offset == .milliseconds(2500))

        await harness.advance(to: .milliseconds(2500))
        #expect(harness.outputs.suffix(2) == ["2500 2500 event id=2 data=b", "2500 2500 comment c"])
        #expect(harness.clock.nextDeadline?.offset == .seconds(3))

        harness.clock.advance(to: .seconds(3))
        try await harness.value()
        #expect(harness.outputs.last == "3000 3000 end id=-1 data=")
        #expect(harness.outputs.count == 5)
    }

    /// When the clock jumps past several deadlines at once, everything due is emitted in order, each entry
    /// after the clock reached its moment.
    @Test func aLateClockCatchesUpInOrder() async throws {
        let harness = PlaybackHarness(try Fixture.scenario(Self.threeEvents), heartbeat: nil)
        await harness.clock.waitForSleepers()
        harness.clock.advance(to: .seconds(10))
        try await harness.value()
        #expect(
            harness.outputs == [
                "0 0 pass 1", "10000 1000 event id=1 data=a", "10000 2500 event id=2 data=b", "10000 2500 comment c",
                "10000 3000 end id=-1 data=",
            ])
    }

    @Test func speedTwoHalvesTheWaits() async throws {
        let outputs = try await PlaybackHarness(try Fixture.scenario(Self.threeEvents), speed: 2, heartbeat: nil).runToEnd()
        #expect(
            outputs == [
                "0 0 pass 1", "500 1000 event id=1 data=a", "1250 2500 event id=2 data=b", "1250 2500 comment c",
                "1500 3000 end id=-1 data=",
            ])
    }

    /// A heartbeat fills every stretch of silence longer than the interval; a gap of exactly the interval
    /// needs none.
    @Test func heartbeatsFillOnlyLongSilences() async throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"at": 0, "data": "a"}, {"at": 3500, "data": "b"}, {"at": 4000, "data": "c"},
              {"at": 6000, "data": "d"}, {"at": 7000, "data": "e"}
            ], "end": {"sentinel": false}}
            """)
        let outputs = try await PlaybackHarness(scenario, heartbeat: .seconds(1)).runToEnd()
        #expect(
            outputs == [
                "0 0 pass 1", "0 0 event id=1 data=a",
                "1000 heartbeat", "2000 heartbeat", "3000 heartbeat",
                "3500 3500 event id=2 data=b",
                "4000 4000 event id=3 data=c",
                "5000 heartbeat",
                "6000 6000 event id=4 data=d",
                "7000 7000 event id=5 data=e",
                "7000 7000 end",
            ])
    }

    /// The heartbeat interval is real time: at double speed a 4 s scenario gap is a 2 s real gap.
    @Test func heartbeatsCountRealTimeAtSpeed() async throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 4000, "data": "x"}]}"#)
        let outputs = try await PlaybackHarness(scenario, speed: 2, heartbeat: .milliseconds(900)).runToEnd()
        #expect(outputs == ["0 0 pass 1", "900 heartbeat", "1800 heartbeat", "2000 4000 event id=1 data=x", "2000 4000 end id=-1 data="])
    }

    /// A pass marker is not traffic: the silence since the last event goes on counting through it.
    @Test func passMarkersDoNotResetTheSilence() async throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "loop": {"delay": 2500}, "end": {"afterEvents": 2},
             "cues": [{"at": 1500, "data": "x"}]}
            """)
        // x at 1500; pass 2 starts at 1500 + 2500 = 4000 and its x is due at 5500. Heartbeats every second of
        // silence since 1500: 2500, 3500, 4500 (the marker at 4000 does not move the next one to 5000).
        #expect(
            try await PlaybackHarness(scenario, heartbeat: .seconds(1)).runToEnd() == [
                "0 0 pass 1",
                "1000 heartbeat",
                "1500 1500 event id=1 data=x",
                "2500 heartbeat", "3500 heartbeat",
                "4000 4000 pass 2",
                "4500 heartbeat",
                "5500 5500 event id=2 data=x",
                "5500 5500 end id=-1 data=",
            ])
    }

    @Test func cancellationStopsThePlayback() async throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 1000}, "data": "tick"}]}"#)
        let harness = PlaybackHarness(scenario, heartbeat: .milliseconds(300))
        await harness.advance(to: .seconds(2))
        #expect(harness.outputs.count == 10)  // the pass, 3 ticks, 6 heartbeats
        #expect(harness.outputs.last == "2000 2000 event id=3 data=tick")
        harness.cancel()
        await #expect(throws: CancellationError.self) { try await harness.value() }
        #expect(harness.clock.sleeperCount == 0)
        harness.clock.advance(to: .seconds(60))
        #expect(harness.outputs.count == 10)
    }

    /// Resuming part-way: the next entry waits only for its distance from the origin.
    @Test func runFromAnOriginWaitsOnlyTheRemainder() async throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 1000, "count": 5}, "data": "e"}]}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "2") == .after(.seconds(1)))
        let outputs = try await PlaybackHarness(timeline, heartbeat: nil, from: .seconds(1)).runToEnd()
        #expect(outputs == ["1000 2000 event id=3 data=e", "2000 3000 event id=4 data=e", "3000 4000 event id=5 data=e", "3000 4000 end id=-1 data="])
    }

    /// Played into a hub: events and comments are published and kept in history, heartbeats reach subscribers
    /// but not history, and the hub is finished after the sentinel.
    @Test func playingIntoAHub() async throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"at": 0, "data": "a"}, {"at": 2500, "comment": "note", "data": "b"}]}"#)
        let hub = BroadcastHub()
        let live = HubTest.listen(to: hub)
        let clock = TestClock()
        let task = Task {
            defer { clock.stop() }
            var playback = Playback(timeline: Timeline(scenario: scenario), clock: clock, heartbeat: .seconds(1))
            try await playback.run(into: hub)
        }
        while await clock.waitForSleepers(), let deadline = clock.nextDeadline {
            clock.advance(to: deadline.offset)
        }
        try await task.value
        #expect(hub.isFinished)
        #expect(
            live.received == [
                "id: 1\ndata: a\n\n", ": heartbeat\n\n", ": heartbeat\n\n", ": note\n\n", "id: 2\ndata: b\n\n", "id: -1\ndata:\n\n",
            ])
        #expect(HubTest.history(of: hub) == ["id: 1\ndata: a\n\n", ": note\n\n", "id: 2\ndata: b\n\n", "id: -1\ndata:\n\n"])
        #expect(hub.sequence == 3)  // a, b and the sentinel; the comment and heartbeats take no number
    }

    /// A looping playback marks each new pass, so a late joiner replays only the current pass.
    @Test func liveStationStartsAPassInTheHubOnEachLoop() async throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "mode": "live", "loop": {"delay": 1000}, "cues": [{"at": 0, "data": "a"}, {"after": 1000, "data": "b"}]}"#)
        let station = Station(scenario: scenario)
        let clock = TestClock()
        let task = Task { try await station.run(clock: clock) }
        await clock.waitForSleepers()
        #expect(HubTest.history(of: station.hub) == ["id: 1\ndata: a\n\n"])
        clock.advance(to: .seconds(1))
        await clock.waitForSleepers()
        #expect(HubTest.history(of: station.hub) == ["id: 1\ndata: a\n\n", "id: 2\ndata: b\n\n"])
        clock.advance(to: .seconds(3))  // pass 2 starts at 1 s + the 1 s delay = 2 s; its b is due at 3 s
        await clock.waitForSleepers()
        #expect(HubTest.history(of: station.hub) == ["id: 3\ndata: a\n\n", "id: 4\ndata: b\n\n"])
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!station.hub.isFinished)
    }
}
