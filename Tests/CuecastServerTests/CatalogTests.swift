import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// The index: the JSON list, the plain-text menu for curl, the page for browsers, health, unknown streams.
@Suite(.timeLimit(.minutes(1)))
struct CatalogTests {
    static func scenarios() throws -> [Scenario] {
        [
            try scenario(
                "radio",
                """
                { "title": "Radio", "description": "Shared by all.", "tags": ["music"], "mode": "live", "loop": true,
                  "cues": [{ "at": 0, "repeat": { "every": 50, "count": 4 }, "data": "la" }] }
                """
            ),
            try scenario(
                "tape",
                """
                { "title": "Tape", "description": "Yours alone.", "cues": [{ "at": 0, "data": "play" }] }
                """
            ),
        ]
    }

    @Test("GET /api/scenarios describes every stream")
    func apiScenarios() async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, "/api/scenarios")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let list = try #require(try response.json()["scenarios"] as? [[String: Any]])
            let names = list.compactMap { $0["name"] as? String }
            #expect(names == ["radio", "tape"])
            let base = "http://localhost:\(port)"
            for (entry, expected) in zip(list, [("radio", "Radio", "Shared by all.", "live"), ("tape", "Tape", "Yours alone.", "solo")]) {
                #expect(entry["name"] as? String == expected.0)
                #expect(entry["title"] as? String == expected.1)
                #expect(entry["description"] as? String == expected.2)
                #expect(entry["mode"] as? String == expected.3)
                #expect(entry["stream"] as? String == "/streams/\(expected.0)")
                #expect(entry["url"] as? String == "\(base)/streams/\(expected.0)")
                #expect(entry["curl"] as? String == "curl -N \(base)/streams/\(expected.0)")
            }
            // Live entries say how many listen and whether the stream is over; solo ones have no shared state.
            #expect(list[0]["subscribers"] as? Int == 0)
            #expect(list[0]["finished"] as? Bool == false)
            #expect(list[1]["subscribers"] == nil)
            #expect(list[0]["tags"] as? [String] == ["music"])
        }
    }

    @Test("GET / for curl: a plain-text menu with a curl command per stream")
    func textMenu() async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, "/", headers: [("Accept", "*/*")])
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true)
            for name in ["radio", "tape"] {
                #expect(response.body.contains("curl -N http://localhost:\(port)/streams/\(name)"), "\(response.body)")
            }
            #expect(response.body.contains("Radio"))
            #expect(response.body.contains("Tape"))
        }
    }

    @Test("GET / for a browser: the public folder's index.html")
    func htmlPage() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cuecast-public-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = "<!doctype html><title>Test page</title><p>cuecast test \(UUID().uuidString)</p>\n"
        try page.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)

        try await withServer(Self.scenarios(), configure: { $0.publicDirectory = folder.path }) { port in
            let response = try await fetch(port: port, "/", headers: [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")])
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(response.body == page)
            // curl still gets the menu with the folder present.
            let menu = try await fetch(port: port, "/", headers: [("Accept", "*/*")])
            #expect(menu.body.contains("curl -N"))
        }
    }

    @Test("GET /healthz")
    func health() async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, "/healthz")
            #expect(response.status == 200)
            let body = try response.json()
            #expect(body["status"] as? String == "ok")
            #expect(body["scenarios"] as? Int == 2)
            #expect(body["uptimeSeconds"] as? Int != nil)
        }
    }

    @Test("an unknown stream is a 404 with a JSON error naming the streams there are")
    func unknownStream() async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, "/streams/nope")
            #expect(response.status == 404)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let error = try #require(try response.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "unknown_stream")
            #expect(error["status"] as? Int == 404)
            #expect(error["streams"] as? [String] == ["radio", "tape"])
        }
    }
}
