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

    @Test func loadsDaisyBell() throws {
        let path = Fixture.bundledPath("daisy-bell.json")
        let scenario = try ScenarioLoader.load(contentsOf: path)
        #expect(scenario.name == "daisy-bell")
        #expect(scenario.title == "Daisy Bell (Harry Dacre, 1892)")
        #expect(scenario.mode == .live)
        #expect(scenario.retry == 3000)
        #expect(scenario.loop == LoopPolicy(delay: .seconds(4)))
        #expect(scenario.end == nil)
        #expect(scenario.cues.count == 14)
        #expect(scenario.sourcePath == path)
    }

    @Test func loadsRandomNamedEvents() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("random-named-events.json"))
        #expect(scenario.name == "random-named-events")
        #expect(scenario.mode == .solo)
        #expect(scenario.seed == 1892)
        #expect(scenario.values.map(\.name) == ["side", "face"])
        #expect(scenario.cues.count == 1)
        #expect(scenario.cues[0].alternatives.count == 2)
        #expect(scenario.cues[0].repeating == Repetition(every: .seconds(3), count: 30))
        #expect(scenario.end?.delay == .seconds(3))
        #expect(scenario.sentinelID == "-1")
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

    @Test func directoryLoadsBothBundledScenarios() {
        let result = ScenarioDirectory.load(Fixture.scenariosDirectory)
        #expect(result.problems.map(\.description) == [])
        let names = result.scenarios.map(\.name)
        #expect(names.contains("daisy-bell") && names.contains("random-named-events"))
        #expect(names == names.sorted())  // files load in name order
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
