import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// The real `cuecast` executable: `validate`, `serve` refusing bad scenarios, and graceful shutdown on SIGTERM.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct CLITests {
    /// A file jansson rejects: `title` twice. jansson points at the end of the second key: line 3, column 9.
    static let duplicateKey = """
        {
          "title": "A",
          "title": "B",
          "cues": [{ "at": 0, "data": "x" }]
        }

        """

    /// A file that parses but has three problems: an unknown top-level field, a bad mode, an unknown cue field.
    static let unknownFields = """
        {
          "title": "Broken",
          "colour": "blue",
          "mode": "radio",
          "cues": [{ "at": 0, "data": "x", "volume": 11 }]
        }

        """

    /// Problem lines: `file:line:column: message`.
    static func problemLines(_ text: String) -> [(location: String, message: String)] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, Int(parts[1]) != nil, Int(parts[2]) != nil else { return nil }
            return ("\(parts[0]):\(parts[1]):\(parts[2])", parts[3].trimmingCharacters(in: .whitespaces))
        }
    }

    /// `line:column` (1-based) where `needle` first occurs in `text`.
    static func position(of needle: String, in text: String) -> String {
        for (number, line) in zip(1..., text.split(separator: "\n", omittingEmptySubsequences: false)) {
            if let range = line.range(of: needle) {
                return "\(number):\(line.distance(from: line.startIndex, to: range.lowerBound) + 1)"
            }
        }
        return "not found"
    }

    @Test("validate scenarios/*.json: every bundled scenario is valid, exit 0")
    func validateBundled() async throws {
        let folder = CuecastExecutable.packageRoot.appendingPathComponent("scenarios")
        // What a shell makes of scenarios/*.json, JSON Schema included.
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        let scenarioFiles = files.filter { !$0.hasSuffix(".schema.json") }
        #expect(scenarioFiles.count >= 2)
        let result = try await CLIProcess.run(["validate"] + files.map { "scenarios/\($0)" }, in: CuecastExecutable.packageRoot)
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        for file in scenarioFiles {
            let ok = result.stdout.contains("scenarios/\(file): ok (")
            #expect(ok, "no ok line for \(file)")
        }
        let problems = Self.problemLines(result.stdout)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("validate on broken files: every problem as file:line:column: message, exit 1")
    func validateBroken() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let duplicate = try folder.write("duplicate.json", Self.duplicateKey)
        let unknown = try folder.write("unknown.json", Self.unknownFields)

        let result = try await CLIProcess.run(["validate", duplicate, unknown], in: folder.url)
        #expect(result.status == 1)
        let problems = Self.problemLines(result.stdout)
        let locations = problems.map(\.location)
        let expectedLocations = [
            "\(duplicate):3:9",
            "\(unknown):\(Self.position(of: #""colour""#, in: Self.unknownFields))",
            "\(unknown):\(Self.position(of: #""radio""#, in: Self.unknownFields))",
            "\(unknown):\(Self.position(of: #""volume""#, in: Self.unknownFields))",
        ]
        #expect(locations == expectedLocations, "stdout:\n\(result.stdout)")
        let messages = problems.map(\.message)
        if messages.count == 4 {
            #expect(messages[0].contains("duplicate object key"))
            #expect(messages[1].contains("unknown field 'colour'"))
            #expect(messages[2].contains("'mode' must be 'live' or 'solo'"))
            #expect(messages[3].contains("unknown field 'volume'"))
        }
        #expect(result.stderr.contains("2 of 2 file(s) invalid"))

        // A folder checks every scenario in it, the same way.
        let byFolder = try await CLIProcess.run(["validate", folder.url.path], in: folder.url)
        #expect(byFolder.status == 1)
        let folderLocations = Self.problemLines(byFolder.stdout).map(\.location)
        #expect(folderLocations == locations)
    }

    @Test("serve refuses to start with a broken scenario, printing the same problems")
    func serveRefusesBrokenScenarios() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let unknown = try folder.write("scenarios/unknown.json", Self.unknownFields)
        try folder.write("scenarios/fine.json", #"{ "title": "Fine", "cues": [{ "at": 0, "data": "x" }] }"#)

        let validate = try await CLIProcess.run(["validate", unknown], in: folder.url)
        let expected = validate.stdout.split(separator: "\n").map(String.init)
        #expect(expected.count == 3)

        let serve = try await CLIProcess.run(["serve", "--port", "0", "--scenarios", folder.path("scenarios")], in: folder.url, timeout: .seconds(10))
        let status = try #require(serve.status, "serve kept running with a broken scenario")
        #expect(status != 0)
        let stderrLines = Set(serve.stderr.split(separator: "\n").map(String.init))
        for line in expected {
            let printed = stderrLines.contains(line)
            #expect(printed, "serve did not print '\(line)'; stderr:\n\(serve.stderr)")
        }
        #expect(serve.stderr.contains("not starting"))
        #expect(!serve.stderr.contains("cuecast is serving"))
    }

    @Test("serve on SIGTERM: streams get a goodbye comment and end, the process exits 0 within 2 s")
    func gracefulShutdown() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            "scenarios/ticker.json",
            """
            { "title": "Ticker", "mode": "live", "heartbeat": false, "loop": true,
              "cues": [{ "at": 0, "repeat": { "every": 50, "count": 20 }, "data": "tick {{$index}}" }] }
            """
        )
        let server = try CLIProcess(["serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public")], in: folder.url)
        let port = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")

        let client = try await SSEClient.connect(port: portNumber, path: "/streams/ticker?history=none")
        #expect(client.status == 200)
        _ = try await client.events(2)

        let signalled = ContinuousClock.now
        server.terminate()
        let rest = try await client.readToEnd(timeout: .seconds(3))
        let streamEnded = ContinuousClock.now - signalled
        #expect(rest.comments.contains("the server is shutting down; reconnect in a moment"), "\(rest)")
        #expect(client.end == .closed)

        let exit = await server.waitForExit(timeout: .seconds(3))
        let exited = ContinuousClock.now - signalled
        let (status, reason) = try #require(exit, "still running 3 s after SIGTERM; stderr:\n\(server.stderr)")
        #expect(reason == .exit)
        #expect(status == 0, "stderr:\n\(server.stderr)")
        #expect(exited < .seconds(2), "took \(exited) to exit (stream ended after \(streamEnded))")
    }

    @Test("serve on SIGTERM waits for its streams: each of 200 subscribers gets the goodbye comment, then the end")
    func everyDirectStreamGetsTheGoodbye() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/fine.json", #"{ "title": "Fine", "cues": [{ "at": 0, "data": "x" }] }"#)
        let server = try CLIProcess(["serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public")], in: folder.url)
        let port = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")

        // A stream has no task of its own holding the server open: only the drain at shutdown makes the process
        // wait until every one has written its notice and ended.
        let request = "GET /subscribeToEvents?history=none HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
        let sockets = try (0..<200).map { _ in
            let socket = try RawSocket(port: portNumber, receiveBuffer: 64 * 1024)
            try socket.send(request)
            return socket
        }
        for socket in sockets {
            let (head, _) = await socket.read { $0.contains("retry: 3000\n\n") }
            try #require(head.hasPrefix("HTTP/1.1 200"), "a subscriber was not admitted: \(head.debugDescription)")
        }

        server.terminate()
        var missing = 0
        for socket in sockets {
            let (text, ended) = await socket.read { _ in false }
            // The rest of a chunked body: the goodbye, then the last chunk.
            if !ended || !text.contains(": the server is shutting down; reconnect in a moment\n\n\r\n") || !text.hasSuffix("\r\n0\r\n\r\n") {
                missing += 1
            }
        }
        #expect(missing == 0, "\(missing) of 200 streams ended without the goodbye comment")
        let exit = await server.waitForExit(timeout: .seconds(3))
        #expect(exit?.status == 0, "stderr:\n\(server.stderr)")
    }

    @Test("serve on SIGTERM: streams on HTTP/1.1, h2c and HTTP/2 over TLS each get the goodbye comment and their end")
    func goodbyeOnEveryProtocol() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/fine.json", #"{ "title": "Fine", "cues": [{ "at": 0, "data": "x" }] }"#)
        let files = try LocalCertificate.generate().write(to: folder.path("certs"))
        let server = try CLIProcess(
            [
                "serve", "--port", "0", "--https-port", "0", "--tls-cert", files.certificate, "--tls-key", files.key,
                "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public"),
            ],
            in: folder.url
        )
        let plain = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let secure = try await server.waitForOutput(matching: #"cuecast is serving HTTPS at https://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let port = try #require(plain.flatMap { Int($0) }, "stderr:\n\(server.stderr)")
        let httpsPort = try #require(secure.flatMap { Int($0) }, "stderr:\n\(server.stderr)")
        let path = "/subscribeToEvents?history=none"
        let clients = [
            ("HTTP/1.1", try Curl(["-sN", "--http1.1", "--max-time", "10", "http://127.0.0.1:\(port)\(path)"])),
            ("h2c", try Curl(["-sN", "--http2-prior-knowledge", "--max-time", "10", "http://127.0.0.1:\(port)\(path)"])),
            ("h2", try Curl(["-sN", "--http2", "-k", "--max-time", "10", "https://localhost:\(httpsPort)\(path)"])),
        ]
        let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 3 }
        try #require(joined, "not every client joined")
        let signalled = ContinuousClock.now
        server.terminate()
        for (name, curl) in clients {
            let text = await curl.finish()
            #expect(text.hasSuffix(": the server is shutting down; reconnect in a moment\n\n"), "\(name): \(text.debugDescription)")
        }
        #expect(ContinuousClock.now - signalled < .seconds(3), "the streams did not end promptly")
        let exit = await server.waitForExit(timeout: .seconds(3))
        #expect(exit?.status == 0, "stderr:\n\(server.stderr)")
    }
}
