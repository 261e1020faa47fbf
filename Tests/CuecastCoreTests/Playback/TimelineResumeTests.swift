import Foundation
import Testing

@testable import CuecastCore

/// `Timeline.resume(after:)`: recomputing a deterministic timeline to continue after a `Last-Event-ID`.
struct TimelineResumeTests {
    static let fiveEvents = #"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 100, "count": 5}, "data": "e{{$index}}"}]}"#

    @Test func foundIDResumesAtTheNextEvent() throws {
        let scenario = try Fixture.scenario(Self.fiveEvents)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "3") == .after(.milliseconds(200)))
        #expect(Fixture.describe(Fixture.entries(of: &timeline)) == ["300 event id=4 data=e3", "400 event id=5 data=e4", "400 end id=-1 data="])
    }

    /// The resumed timeline continues with exactly the bytes an uninterrupted one would have sent.
    @Test func resumedStreamMatchesTheUninterruptedOne() throws {
        let scenario = try Fixture.scenario(TimelineTests.randomLoop)
        let full = Fixture.entries(scenario, limit: 120)
        let events = Fixture.events(full)
        let resumeID = try #require(events[40].id)
        let index = try #require(full.firstIndex { if case .event(let event) = $0.item { event.id == resumeID } else { false } })

        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0))
        #expect(timeline.resume(after: resumeID) == .after(full[index].offset))
        let rest = Fixture.entries(of: &timeline, limit: full.count - index - 1)
        #expect(Fixture.wire(rest) == Fixture.wire(Array(full[(index + 1)...])))
    }

    @Test func resumeAcrossLoopPasses() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "loop": {"delay": 1000}, "cues": [{"at": 0, "data": "a"}, {"after": 500, "data": "b"}]}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "4") == .after(.milliseconds(2000)))
        #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 2)) == ["3000 pass 3", "3000 event id=5 data=a"])
    }

    @Test func sentinelIDMeansTheStreamHasEnded() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("random-named-events.json"))
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "-1") == .ended)
    }

    @Test func customSentinelIDMeansTheStreamHasEnded() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"repeat": {"every": 10, "count": 3}, "data": "x"}], "end": {"sentinel": {"id": "0"}}}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "0") == .ended)
    }

    /// With a sentinel still to come, resuming after the last event plays the sentinel.
    @Test func lastEventBeforeASentinelResumesToTheSentinel() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("random-named-events.json"))
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "30") == .after(.milliseconds(88_000)))
        #expect(Fixture.describe(Fixture.entries(of: &timeline)) == ["91000 end id=-1 data="])
    }

    @Test func lastEventWithoutASentinelMeansTheStreamHasEnded() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 100, "count": 5}, "data": "e"}], "end": {"sentinel": false, "delay": 100}}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "5") == .ended)
        var other = Timeline(scenario: scenario)
        #expect(other.resume(after: "4") == .after(.milliseconds(300)))
    }

    @Test func explicitIDsAreFound() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "ids": "none", "cues": [{"repeat": {"every": 10, "count": 4}, "id": "msg-{{$index}}", "data": "x{{$index}}"}]}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "msg-1") == .after(.milliseconds(10)))
        #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 1)) == ["20 event id=msg-2 data=x2"])
    }

    @Test func unknownIDLeavesTheTimelineUnchanged() throws {
        let scenario = try Fixture.scenario(Self.fiveEvents)
        for id in ["nope", "6", "0", "03", "", "-1 "] {
            var timeline = Timeline(scenario: scenario)
            #expect(timeline.resume(after: id) == .notFound, "id \(String(reflecting: id))")
            #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 2)) == ["0 pass 1", "0 event id=1 data=e0"])
        }
    }

    /// An endless scenario never reaches an unplaceable id; the search is bounded instead of hanging.
    @Test(.timeLimit(.minutes(1)))
    func hugeIDOnAnEndlessScenarioIsNotFoundQuickly() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 1000}, "data": "tick"}]}"#)
        let clock = ContinuousClock()
        for id in ["99999999999", "99999999999999999999999", "not-a-number"] {
            var timeline = Timeline(scenario: scenario)
            let elapsed = clock.measure { #expect(timeline.resume(after: id) == .notFound) }
            #expect(elapsed < .seconds(10), "resume(after: \(id)) took \(elapsed)")
            #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 2)) == ["0 pass 1", "0 event id=1 data=tick"])
        }
        var limited = Timeline(scenario: scenario)
        #expect(limited.resume(after: "101", searchLimit: 100) == .notFound)
        #expect(limited.resume(after: "101", searchLimit: 1000) == .after(.seconds(100)))
    }

    /// With explicit ids nothing can be ruled out in advance: the walk itself stops at the search limit.
    @Test(.timeLimit(.minutes(1)))
    func unknownExplicitIDOnAnEndlessScenarioStopsAtTheSearchLimit() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 1000}, "id": "t{{$index}}", "data": "tick"}]}"#)
        var timeline = Timeline(scenario: scenario)
        let elapsed = ContinuousClock().measure { #expect(timeline.resume(after: "t-unknown") == .notFound) }
        #expect(elapsed < .seconds(10), "took \(elapsed)")
        #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 2)) == ["0 pass 1", "0 event id=t0 data=tick"])
        var short = Timeline(scenario: scenario)
        #expect(short.resume(after: "t500", searchLimit: 501) == .notFound)  // t500 is the 502nd entry
        var enough = Timeline(scenario: scenario)
        #expect(enough.resume(after: "t500", searchLimit: 502) == .after(.seconds(500)))
    }
}
