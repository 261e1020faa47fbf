import CuecastTestSupport
import CuecastCore
import Foundation
import Testing

/// The real `cuecast listen` executable: output formats, and one exit code per way a stream ends.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ListenCLITests {
    /// Five ticks 20 ms apart, the server hangs up after the 3rd, then the sentinel.
    static let ticks = """
        {
          "title": "Ticks", "mode": "solo", "retry": 50, "heartbeat": false, "welcome": "hello",
          "cues": [{ "at": 20, "repeat": { "every": 20, "count": 5 }, "disconnect": 3, "event": "tick", "data": "line {{$index}}\\nsecond line" }],
          "end": { "delay": 20 }
        }
        """
    /// One event, then a long silence (no heartbeat).
    static let quiet = """
        { "title": "Quiet", "mode": "solo", "heartbeat": false, "cues": [{ "at": 0, "data": "only" }, { "after": 60000, "data": "late" }] }
        """

    static func scenarios() throws -> [Scenario] { [try scenario("ticks", ticks), try scenario("quiet", quiet)] }

    @Test("--json --until-id -1: one JSON object per event across reconnections, exit 0 at the sentinel")
    func jsonUntilSentinel() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/ticks", "--json", "--until-id", "-1"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            var objects: [[String: String]] = []
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
                objects.append(try #require(object, "not a JSON object of strings: \(line)"))
            }
            let ids = objects.map { $0["id"] ?? "?" }
            let types = objects.map { $0["type"] ?? "?" }
            let firstData = objects.first?["data"]
            let keys = objects.first.map { Set($0.keys) }
            let time = objects.first?["time"] ?? ""
            #expect(ids == ["1", "2", "3", "4", "5", "-1"])
            #expect(types == ["tick", "tick", "tick", "tick", "tick", "message"])
            #expect(firstData == "line 0\nsecond line")
            #expect(keys == ["type", "id", "data", "time"])
            let parsedTime = try? Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            #expect(parsedTime != nil, "time: \(time)")
            // Status lines on stderr: the reconnection with Last-Event-ID after the server hung up.
            #expect(result.stderr.contains("reconnecting in 50 ms with Last-Event-ID: 3"))
            #expect(result.stderr.contains("connecting to http://127.0.0.1:\(port)/streams/ticks with Last-Event-ID: 3"))
        }
    }

    @Test("pretty output: a header per event, data lines indented; --count exits 0; piped output has no colour")
    func prettyCount() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/ticks", "--count", "2", "--show-comments"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == 8, "stdout:\n\(result.stdout)")
            #expect(lines.first?.hasSuffix(": hello") == true)
            #expect(lines.dropFirst().first?.hasSuffix("  tick  id 1") == true)
            #expect(Array(lines.dropFirst(2).prefix(2)) == ["  line 0", "  second line"])
            #expect(!result.stdout.contains("\u{1B}["))
            #expect(result.stderr.contains("done: 2 event(s) received (--count)"))
        }
    }

    @Test("--raw prints the bytes exactly as sent")
    func raw() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/ticks", "--raw", "--count", "1"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            #expect(result.stdout.hasPrefix(": hello\n\nretry: 50\n\nid: 1\nevent: tick\ndata: line 0\ndata: second line\n\n"))
        }
    }

    @Test("the sentinel's id: exit 3, 'server said 204 No Content: stream is over'")
    func noContent() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/ticks", "--last-event-id", "-1"])
            #expect(result.status == 3)
            #expect(result.stderr.contains("server said 204 No Content: stream is over"))
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("a bad status: exit 4")
    func badStatus() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/missing"])
            #expect(result.status == 4)
            // The server's JSON error message, not only its status: the user learns why.
            #expect(result.stderr.contains("server answered 404 Not Found, not 200: no stream named 'missing'"), "stderr:\n\(result.stderr)")
        }
    }

    @Test("a wrong content type: exit 5")
    func wrongContentType() async throws {
        try await withServer(Self.scenarios()) { port in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/healthz"])
            #expect(result.status == 5, "stderr:\n\(result.stderr)")
            #expect(result.stderr.contains("not text/event-stream"))
        }
    }

    @Test("unreachable after --max-retries: exit 6")
    func unreachable() async throws {
        let result = try await CLIProcess.run(["listen", "http://127.0.0.1:1/x", "--max-retries", "2", "--default-retry", "10", "--backoff"])
        #expect(result.status == 6, "stderr:\n\(result.stderr)")
        #expect(result.stderr.contains("unreachable after 3 attempts"))
    }

    @Test("--timeout: exit 0 alone, 7 when --count was not reached")
    func timeout() async throws {
        try await withServer(Self.scenarios()) { port in
            let url = "http://127.0.0.1:\(port)/streams/quiet"
            async let plain = CLIProcess.run(["listen", url, "--timeout", "0.5"])
            async let counted = CLIProcess.run(["listen", url, "--timeout", "0.5", "--count", "2"])
            let (alone, short) = try await (plain, counted)
            #expect(alone.status == 0, "stderr:\n\(alone.stderr)")
            #expect(short.status == 7, "stderr:\n\(short.stderr)")
            #expect(short.stderr.contains("timed out after 0.5 s before 2 event(s) arrived"))
        }
    }

    @Test("Ctrl-C (SIGINT) closes cleanly with exit 0")
    func interrupt() async throws {
        try await withServer(Self.scenarios()) { port in
            let process = try CLIProcess(["listen", "http://127.0.0.1:\(port)/streams/quiet"])
            let gotEvent = await eventually(timeout: .seconds(10)) { process.stdout.contains("only") }
            #expect(gotEvent)
            process.send(SIGINT)
            let status = await process.waitForExit(timeout: .seconds(5))?.status
            #expect(status == 0, "stderr:\n\(process.stderr)")
        }
    }

    @Test("usage errors: exit 64", arguments: [
        ["listen", "ftp://example.com/x"], ["listen", "http://x/", "--json", "--raw"], ["listen", "http://x/", "-H", "no colon"],
        ["listen", "http://x/", "--count", "0"], ["listen", "http://x/", "--jitter", "some"],
    ])
    func usage(arguments: [String]) async throws {
        let result = try await CLIProcess.run(arguments)
        #expect(result.status == 64, "stderr:\n\(result.stderr)")
    }
}
