import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// `cuecast serve` reloads scenario files while serving: a good edit takes effect for new playbacks, a broken
/// one keeps the last good version, a new file is served and a deleted one is not.
@Suite(.timeLimit(.minutes(1)))
struct ReloadTests {
    static func solo(_ data: String) -> String {
        #"{"title": "Edit me", "heartbeat": false, "cues": [{"at": 0, "event": "line", "data": "\#(data)"}], "end": {"sentinel": false}}"#
    }

    static let live = #"{"title": "Live", "mode": "live", "heartbeat": false, "loop": {"delay": 30}, "cues": [{"at": 0, "repeat": {"every": 20, "count": 3}, "data": "v1"}]}"#

    /// A scratch scenarios folder, removed afterwards.
    static func folder(_ files: [String: String]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for (name, text) in files { try write(text, to: folder.url.appendingPathComponent(name)) }
        return folder
    }

    /// Writes and moves the modification time forward, so an edit within the same second is still seen.
    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
        let later = Date().addingTimeInterval(Double.random(in: 1...1000))
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: url.path)
    }

    static func serve<T: Sendable>(_ folder: URL, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let loaded = ScenarioDirectory.load(folder.path)
        #expect(loaded.problems.isEmpty)
        return try await withServer(loaded.scenarios, configure: {
            $0.scenariosDirectory = folder.path
            $0.reloadInterval = .milliseconds(50)
        }, body)
    }

    static func firstData(port: Int, _ path: String) async throws -> String? {
        let client = try await SSEClient.connect(port: port, path: path)
        let data = try? await client.nextEvent()?.data
        await client.close()
        return data
    }

    @Test func aGoodEditChangesNewPlaybacks() async throws {
        let folder = try Self.folder(["edit.json": Self.solo("before")])
        defer { folder.remove() }
        try await Self.serve(folder.url) { port in
            let before = try await Self.firstData(port: port, "/streams/edit")
            try Self.write(Self.solo("after"), to: folder.url.appendingPathComponent("edit.json"))
            let changed = await eventually { (try? await Self.firstData(port: port, "/streams/edit")) == "after" }
            #expect(before == "before")
            #expect(changed)
        }
    }

    @Test func aBrokenEditKeepsTheLastGoodVersion() async throws {
        let folder = try Self.folder(["edit.json": Self.solo("good")])
        defer { folder.remove() }
        try await Self.serve(folder.url) { port in
            try Self.write(#"{"title": "Broken", "cues": [{"data": "x"}], "title": "again"}"#, to: folder.url.appendingPathComponent("edit.json"))
            // A later good file shows the watcher has looked at the folder since the broken edit.
            try Self.write(Self.solo("marker"), to: folder.url.appendingPathComponent("marker.json"))
            let sawMarker = await eventually { (try? await Self.firstData(port: port, "/streams/marker")) == "marker" }
            let kept = try await Self.firstData(port: port, "/streams/edit")
            #expect(sawMarker)
            #expect(kept == "good")
        }
    }

    @Test func newAndDeletedFiles() async throws {
        let folder = try Self.folder(["old.json": Self.solo("old")])
        defer { folder.remove() }
        try await Self.serve(folder.url) { port in
            try Self.write(Self.solo("new"), to: folder.url.appendingPathComponent("new.json"))
            let added = await eventually { (try? await Self.firstData(port: port, "/streams/new")) == "new" }
            try FileManager.default.removeItem(at: folder.url.appendingPathComponent("old.json"))
            let removed = await eventually { (try? await fetch(port: port, "/streams/old").status) == 404 }
            #expect(added)
            #expect(removed)
        }
    }

    @Test func editingALiveScenarioMovesListenersToTheNewPlayback() async throws {
        let folder = try Self.folder(["radio.json": Self.live])
        defer { folder.remove() }
        try await Self.serve(folder.url) { port in
            let listener = try await SSEClient.connect(port: port, path: "/streams/radio?history=none")
            let first = try await listener.nextEvent()?.data
            try Self.write(Self.live.replacingOccurrences(of: "v1", with: "v2"), to: folder.url.appendingPathComponent("radio.json"))
            // The old station hangs up with a notice; a reconnect (as EventSource would) hears the new version.
            let ended = try await listener.readToEnd()
            let notice = ended.comments.contains { $0.contains("edited") }
            let after = try await Self.firstData(port: port, "/streams/radio?history=none")
            await listener.close()
            #expect(first == "v1")
            #expect(notice)
            #expect(after == "v2")
        }
    }
}
