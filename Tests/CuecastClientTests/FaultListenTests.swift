import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// Every fault against the real `cuecast listen --json`: a correct client dispatches exactly what it dispatches
/// from the same stream without the fault (resuming with `Last-Event-ID` where the server hangs up), or fails
/// the way the specification says (a wrong status or content type opens nothing; a stalled stream delivers no more).
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct FaultListenTests {
    /// Nine events of every shape, 10 ms apart, then the sentinel; a short retry so reconnections are quick.
    static let lab = """
        {
          "title": "Fault lab", "mode": "solo", "retry": 50, "heartbeat": false, "welcome": "fault lab",
          "cues": [
            { "at": 10, "repeat": { "every": 10, "count": 6 }, "event": "tick", "data": "tick {{$index}}\\n  indented\\n" },
            { "after": 10, "comment": "a comment before an event", "data": "" },
            { "after": 10, "data": { "json": true, "text": "é ✓ 🎵" } },
            { "after": 10, "event": "named", "data": "last" }
          ],
          "end": { "delay": 10 }
        }
        """

    /// What `listen --json` printed, without the receive times.
    static func events(_ stdout: String) throws -> [[String: String]] {
        try stdout.split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not JSON: \(line)")
            object["time"] = nil
            return object
        }
    }

    static func listen(_ port: Int, _ query: String, _ extra: [String] = []) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let url = "http://127.0.0.1:\(port)/streams/lab" + (query.isEmpty ? "" : "?\(query)")
        return try await CLIProcess.run(["listen", url, "--json"] + extra, timeout: .seconds(30))
    }

    @Test("the same events as without the fault", arguments: [
        "drip=1", "latency=40", "lineEnding=crlf", "lineEnding=cr", "bom=1", "junk=1", "closeAfter=3", "closeMidEvent=3",
        "junk=1&lineEnding=cr&bom=1&drip=0&closeMidEvent=4", "contentType=text/event-stream;%20charset=UTF-8",
    ])
    func sameEvents(query: String) async throws {
        try await withServer([try scenario("lab", Self.lab)]) { port in
            let clean = try await Self.listen(port, "", ["--until-id", "-1"])
            let faulty = try await Self.listen(port, query, ["--until-id", "-1"])
            #expect(clean.status == 0, "stderr:\n\(clean.stderr)")
            #expect(faulty.status == 0, "stderr:\n\(faulty.stderr)")
            let expected = try Self.events(clean.stdout)
            let received = try Self.events(faulty.stdout)
            #expect(expected.count == 10)
            #expect(received == expected)
            if query.contains("close") {
                // The server hung up, and the client resumed from the last event it dispatched.
                #expect(faulty.stderr.contains("reconnecting in 50 ms with Last-Event-ID"), "stderr:\n\(faulty.stderr)")
            }
        }
    }

    @Test("closeMidEvent: the reconnection names the last dispatched event, not the cut one")
    func midEventResumesFromTheLastDispatched() async throws {
        try await withServer([try scenario("lab", Self.lab)]) { port in
            let result = try await Self.listen(port, "closeMidEvent=3", ["--count", "4"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            #expect(result.stderr.contains("reconnecting in 50 ms with Last-Event-ID: 2"), "stderr:\n\(result.stderr)")
        }
    }

    @Test("closeMidEvent=1 cuts the first event of every connection: a correct client never dispatches it, and keeps trying")
    func firstEventNeverArrives() async throws {
        try await withServer([try scenario("lab", Self.lab)]) { port in
            let result = try await Self.listen(port, "closeMidEvent=1", ["--count", "1", "--timeout", "2"])
            let reconnections = result.stderr.components(separatedBy: "reconnecting in 50 ms without Last-Event-ID").count - 1
            #expect(result.status == 7, "stderr:\n\(result.stderr)")
            #expect(result.stdout.isEmpty)
            // Each connection gets the cut event and ends; the id of an event never dispatched is never sent.
            #expect(reconnections >= 1, "stderr:\n\(result.stderr)")
            #expect(!result.stderr.contains("with Last-Event-ID"))
        }
    }

    @Test("stallAfter: three events, then silence until --timeout (exit 7)")
    func stall() async throws {
        try await withServer([try scenario("lab", Self.lab)]) { port in
            let result = try await Self.listen(port, "stallAfter=3", ["--until-id", "-1", "--timeout", "1.5"])
            #expect(result.status == 7, "stderr:\n\(result.stderr)")
            #expect(try Self.events(result.stdout).map { $0["id"] ?? "?" } == ["1", "2", "3"])
        }
    }

    @Test("a wrong status or content type before any event: nothing dispatched, closed for good", arguments: [
        ("status=500", Int32(4)), ("status=200&contentType=text/plain", 5), ("contentType=text/event-stream;charset=iso-8859-1", 5),
        ("status=503&latency=20", 4),
    ])
    func refused(query: String, exit: Int32) async throws {
        try await withServer([try scenario("lab", Self.lab)]) { port in
            let result = try await Self.listen(port, query, ["--until-id", "-1"])
            #expect(result.status == exit, "stderr:\n\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(!result.stderr.contains("reconnecting"))
        }
    }
}
