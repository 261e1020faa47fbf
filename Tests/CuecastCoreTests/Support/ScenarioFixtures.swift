import Foundation
import Testing

@testable import CuecastCore

/// Shared helpers for scenario, timeline and playback tests: load JSON text, walk timelines, and describe
/// entries as short strings for exact comparisons.
enum Fixture {
    /// The repository's `scenarios` folder, found from this file (through the dev package's symlinks).
    static let scenariosDirectory: String = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // CuecastCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("scenarios").path

    /// The repository's `public` folder (static files the server serves, such as `/memes/…`).
    static let publicDirectory: String = (scenariosDirectory as NSString).deletingLastPathComponent + "/public"

    /// Every file in the `scenarios` folder except the JSON Schema, by name: each must be a scenario that loads.
    static let bundledScenarioFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: scenariosDirectory)) ?? []
        // Only the files: `llm/` holds scripted models, which are not scenarios.
        return names.filter { $0.hasSuffix(".json") && $0 != "scenario.schema.json" && !$0.hasPrefix(".") }.sorted()
    }()

    static func bundledPath(_ file: String) -> String {
        (scenariosDirectory as NSString).appendingPathComponent(file)
    }

    /// Loads scenario JSON, failing the test with every problem if it does not load.
    static func scenario(_ json: String, file: String = "test.json", name: String = "test", sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Scenario {
        do {
            return try ScenarioLoader.load(text: json, file: file, defaultName: name)
        } catch {
            Issue.record("scenario did not load:\n\(error)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// The problems loading `json` reports, as `file:line:column: message`; empty when it loads.
    static func problems(_ json: String, file: String = "test.json") -> [String] {
        do {
            _ = try ScenarioLoader.load(text: json, file: file, defaultName: "test")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// The first `limit` entries of a timeline (fewer if it ends).
    static func entries(_ scenario: Scenario, seed: UInt64? = nil, limit: Int = 1000) -> [TimelineEntry] {
        var timeline = Timeline(scenario: scenario, seed: seed, startDate: Date(timeIntervalSince1970: 0))
        return entries(of: &timeline, limit: limit)
    }

    static func entries(of timeline: inout Timeline, limit: Int = 1000) -> [TimelineEntry] {
        var entries: [TimelineEntry] = []
        while entries.count < limit, let entry = timeline.next() { entries.append(entry) }
        return entries
    }

    /// Only the events, in order.
    static func events(_ entries: [TimelineEntry]) -> [SSEEvent] {
        entries.compactMap { if case .event(let event) = $0.item { event } else { nil } }
    }

    /// Each event's data, in order.
    static func data(_ entries: [TimelineEntry]) -> [String] {
        events(entries).map { $0.data ?? "<none>" }
    }

    /// An entry as one short line: `"1500 pass 2"`, `"1500 event id=3 type=tick data=hi"`, `"1500 comment hi"`,
    /// `"1500 end id=-1 data="` (offsets in milliseconds; absent fields left out; data shown escaped).
    static func describe(_ entry: TimelineEntry) -> String {
        let time = "\(entry.offset.milliseconds)"
        switch entry.item {
        case .passStarted(let pass): return "\(time) pass \(pass)"
        case .comment(let text): return "\(time) comment \(text)"
        case .event(let event): return "\(time) event\(fields(event))"
        case .end(nil): return "\(time) end"
        case .end(let sentinel?): return "\(time) end\(fields(sentinel))"
        }
    }

    static func describe(_ entries: [TimelineEntry]) -> [String] { entries.map(describe) }

    private static func fields(_ event: SSEEvent) -> String {
        var text = ""
        if let id = event.id { text += " id=\(id)" }
        if let type = event.type { text += " type=\(type)" }
        if let retry = event.retry { text += " retry=\(retry)" }
        if let data = event.data { text += " data=\(data.replacingOccurrences(of: "\n", with: "\\n"))" }
        return text
    }

    /// The bytes a timeline puts on the wire, entry after entry (markers write nothing).
    static func wire(_ entries: [TimelineEntry]) -> [UInt8] {
        entries.compactMap { Frame($0.item) }.flatMap(\.bytes)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
