import Foundation
import Testing

@testable import CuecastCore

/// What a valid file loads as: defaults, the model, and the bundled example scenarios.
struct ScenarioLoaderTests {
    @Test func minimalScenarioGetsTheDefaults() throws {
        let scenario = try Fixture.scenario(#"{"title": "Minimal", "cues": [{"data": "x"}]}"#, name: "minimal")
        #expect(scenario.name == "minimal")
        #expect(scenario.title == "Minimal")
        #expect(scenario.mode == .solo)
        #expect(scenario.welcome == "Minimal")  // the title, unless told otherwise
        #expect(scenario.heartbeat == ScenarioLoader.defaultHeartbeat)
        #expect(scenario.seed == 0)
        #expect(scenario.ids == .auto)
        #expect(scenario.loop == nil)
        #expect(scenario.sentinelID == "-1")
        #expect(scenario.cues.count == 1)
        #expect(scenario.cues[0].start == .after(.zero))
    }

    @Test func explicitSettingsAreRead() throws {
        let json = """
            {"name": "tick.v2", "title": "T", "mode": "live", "retry": 1500, "welcome": false, "heartbeat": 0,
             "seed": 42, "ids": "none", "loop": {"delay": 250}, "tags": ["a", "b"],
             "cues": [{"at": 10, "repeat": {"every": 20, "count": 3}, "data": "x"}]}
            """
        let scenario = try Fixture.scenario(json)
        #expect(scenario.name == "tick.v2")
        #expect(scenario.mode == .live)
        #expect(scenario.retry == 1500)
        #expect(scenario.welcome == nil)
        #expect(scenario.heartbeat == nil)
        #expect(scenario.seed == 42)
        #expect(scenario.ids == .none)
        #expect(scenario.loop == LoopPolicy(delay: .milliseconds(250)))
        #expect(scenario.end == nil)  // a loop without an end never ends
        #expect(scenario.tags == ["a", "b"])
        #expect(scenario.cues[0].start == .at(.milliseconds(10)))
        #expect(scenario.cues[0].repeating == Repetition(every: .milliseconds(20), count: 3))
    }

    @Test func historyIsReadForLiveScenarios() throws {
        #expect(try Fixture.scenario(#"{"title": "T", "cues": [{"data": "x"}]}"#).history == .all)
        #expect(try Fixture.scenario(#"{"title": "T", "mode": "live", "cues": [{"data": "x"}]}"#).history == .all)
        #expect(try Fixture.scenario(#"{"title": "T", "mode": "live", "history": "none", "cues": [{"data": "x"}]}"#).history == HistoryRequest.none)
        #expect(try Fixture.scenario(#"{"title": "T", "mode": "live", "history": "all", "cues": [{"data": "x"}]}"#).history == .all)
        #expect(try Fixture.scenario(#"{"title": "T", "mode": "live", "history": 5, "cues": [{"data": "x"}]}"#).history == .last(5))
        #expect(try Fixture.scenario(#"{"title": "T", "mode": "live", "history": 0, "cues": [{"data": "x"}]}"#).history == .last(0))
    }

    @Test func triggersAreRead() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "mode": "live",
             "values": {"aapl": {"walk": {"start": 100, "step": 1}}, "msft": {"walk": {"start": 400, "step": 1}}, "mood": ["up"]},
             "cues": [{"data": "x"}],
             "triggers": {
               "crash": {"event": "crash", "data": "{{aapl}}", "adjust": {"percent": -8, "values": ["aapl"]}},
               "Boom": {"values": {"n": {"counter": 1}}, "oneOf": [{"data": "a{{n}}", "weight": 2}, {"comment": "b"}], "adjust": {"percent": 12.5}},
               "note": {"comment": "hello", "retry": 500}
             }}
            """)
        #expect(scenario.triggers.map(\.name) == ["crash", "Boom", "note"])
        #expect(scenario.triggers[0].adjustments == [WalkAdjustment(value: "aapl", percent: -8)])
        #expect(scenario.triggers[0].emission.alternatives.first?.type?.literalText == "crash")
        // Without `values`, every walk of the scenario moves; the pick does not.
        #expect(scenario.triggers[1].adjustments == [WalkAdjustment(value: "aapl", percent: 12.5), WalkAdjustment(value: "msft", percent: 12.5)])
        #expect(scenario.triggers[1].emission.values.map(\.name) == ["n"])
        #expect(scenario.triggers[1].emission.alternatives.map(\.weight) == [2, 1])
        #expect(scenario.triggers[2].adjustments == [])
        #expect(scenario.triggers[2].emission.alternatives.first?.retry == 500)
        #expect(scenario.triggers[2].emission.disconnectEvery == nil)
        #expect(try Fixture.scenario(#"{"title": "T", "cues": [{"data": "x"}]}"#).triggers.isEmpty)
    }

    @Test func disconnectIsRead() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"data": "a", "disconnect": true}, {"data": "b", "disconnect": false}, {"data": "c", "disconnect": 4}, {"data": "d"}]}"#)
        #expect(scenario.cues.map(\.disconnectEvery) == [1, nil, 4, nil])
    }

    /// The bundled song: live, looping forever, one `lyric` event per line. (Its exact lines and timings are
    /// the file's business; `TimelineTests.daisyBellLoopsWithItsDelay` checks how it plays.)
    @Test func loadsDaisyBell() throws {
        let path = Fixture.bundledPath("daisy-bell.json")
        let scenario = try ScenarioLoader.load(contentsOf: path)
        #expect(scenario.name == "daisy-bell")
        #expect(scenario.mode == .live)
        #expect(scenario.loop != nil)
        #expect(scenario.end == nil)  // a loop without an end never ends
        #expect(scenario.sentinelID == nil)
        #expect(scenario.eventTypes == ["lyric"])
        #expect(scenario.cues.count > 1)
        #expect(scenario.sourcePath == path)
    }

    /// The bundled classic: a solo stream of four kinds of named event, ending with the classic sentinel.
    @Test func loadsRandomNamedEvents() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("random-named-events.json"))
        #expect(scenario.name == "random-named-events")
        #expect(scenario.mode == .solo)
        #expect(scenario.loop == nil)
        #expect(scenario.sentinelID == "-1")
        #expect(Set(scenario.eventTypes).isSubset(of: ["coinToss", "dieRoll", "catFact", "meme"]))
        #expect(scenario.eventTypes.contains("catFact"))

        // The cat facts come from a pool big enough for a whole run without repeating.
        let cue = try #require(scenario.cues.first { $0.alternatives.contains { $0.type?.literalText == "catFact" } })
        let template = try #require(cue.alternatives.first { $0.type?.literalText == "catFact" })
        guard case .text(let data)? = template.data, let reference = data.soleReference else {
            Issue.record("catFact data is not a single placeholder")
            return
        }
        let generator = try #require((cue.values + scenario.values).first { $0.name == reference.name }?.generator)
        let pool: [JSONValue]
        switch generator {
        case .sequence(let values), .pick(let values, _): pool = values
        default:
            Issue.record("catFact draws from \(generator), not a list of facts")
            return
        }
        let facts = Set(pool.compactMap { if case .string(let text) = $0 { text } else { nil } })
        #expect(facts.count == pool.count)  // every entry is a distinct string
        #expect(facts.count >= 30)
        #expect(facts.allSatisfy { !$0.isEmpty })
    }

    @Test func missingFileIsAProblemWithoutAPosition() {
        do {
            _ = try ScenarioLoader.load(contentsOf: "/nonexistent/nowhere.json", displayPath: "nowhere.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.map(\.description) == ["nowhere.json: cannot read the file (no such file)"])
        }
    }

    @Test func defaultNameIsTheFileNameWithoutJSON() {
        #expect(ScenarioLoader.defaultName(forPath: "/a/b/stock-ticker.json") == "stock-ticker")
        #expect(ScenarioLoader.defaultName(forPath: "plain") == "plain")
    }

    /// Every bundled file loads, the schema is skipped, and each file's scenario is named after the file.
    @Test func directoryLoadsEveryBundledScenario() {
        let result = ScenarioDirectory.load(Fixture.scenariosDirectory)
        #expect(result.problems.map(\.description) == [])
        let names = result.scenarios.map(\.name)
        #expect(names.contains("daisy-bell") && names.contains("random-named-events"))
        #expect(names == names.sorted())  // files load in name order
        #expect(result.scenarios.count == Fixture.bundledScenarioFiles.count)
        #expect(Fixture.bundledScenarioFiles.count >= 12)
        #expect(result.scenarios.compactMap(\.sourcePath).map { ($0 as NSString).lastPathComponent } == Fixture.bundledScenarioFiles)
    }

    @Test func directoryReportsTheSecondFileClaimingAName() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.json", #"{"name": "same", "title": "A", "cues": [{"data": "a"}]}"#)
        try directory.write("b.json", #"{"name": "same", "title": "B", "cues": [{"data": "b"}]}"#)
        try directory.write("c.json", #"{"title": "C", "cues": []}"#)
        try directory.write("d.schema.json", #"{"not": "a scenario"}"#)
        try directory.write("notes.txt", "ignored")

        let result = ScenarioDirectory.load(directory.path)
        #expect(result.scenarios.map(\.title) == ["A"])
        #expect(
            result.problems.map(\.description) == [
                "\(directory.path)/b.json: scenario name 'same' is already used by \(directory.path)/a.json",
                "\(directory.path)/c.json:1:24: 'cues' is empty: a scenario needs at least one cue",
            ])
    }

    @Test func unreadableDirectoryIsOneProblem() {
        let result = ScenarioDirectory.load("/nonexistent/scenarios")
        #expect(result.scenarios.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.description.hasPrefix("/nonexistent/scenarios: cannot read the folder") == true)
    }
}

/// A fresh folder under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("cuecast-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: (path as NSString).appendingPathComponent(name)))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
