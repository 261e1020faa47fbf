import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// What a newcomer meets first, through the real executable: `--version`, a mistyped command, a port in use, a
/// server on every address, and a config file with a syntax error.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct NewcomerCLITests {
    @Test("cuecast --version prints the version and exits 0")
    func version() async throws {
        let result = try await CLIProcess.run(["--version"])
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == CuecastVersion.current)
    }

    @Test("a mistyped command names the command it is closest to, exit 64")
    func mistypedCommand() async throws {
        let result = try await CLIProcess.run(["srve", "--port", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Error: 'srve' is not a cuecast command. Did you mean 'serve'?"), "stderr:\n\(result.stderr)")
        let far = try await CLIProcess.run(["frobnicate"])
        #expect(far.status == 64)
        #expect(far.stderr.contains("'frobnicate' is not a cuecast command.\nCommands: serve, validate"), "stderr:\n\(far.stderr)")
    }

    @Test("a port in use: the error names the address and port, exit 1")
    func portInUse() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/tick.json", #"{"title": "Tick", "cues": [{"at": 0, "data": "t"}]}"#)
        let first = try CLIProcess(["serve", "--port", "0", "--scenarios", folder.path("scenarios")], in: folder.url)
        defer { first.terminate() }
        let port = try #require(
            try await first.waitForOutput(matching: #"at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10)), "stderr:\n\(first.stderr)")
        let second = try await CLIProcess.run(["serve", "--port", port, "--scenarios", folder.path("scenarios")], in: folder.url)
        #expect(second.status == 1)
        #expect(
            second.stderr.contains("cuecast: cannot listen on 127.0.0.1:\(port): the address is already in use"), "stderr:\n\(second.stderr)")
    }

    @Test("--host 0.0.0.0: the start-up line gives addresses a browser can open, not 0.0.0.0")
    func everyAddress() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/tick.json", #"{"title": "Tick", "cues": [{"at": 0, "data": "t"}]}"#)
        let server = try CLIProcess(
            ["serve", "--host", "0.0.0.0", "--port", "0", "--scenarios", folder.path("scenarios"), "--publish-token", "t"], in: folder.url)
        defer { server.terminate() }
        let line = try #require(
            try await server.waitForOutput(matching: #"cuecast is serving 1 scenario\(s\) ([^\n]*)"#, timeout: .seconds(10)),
            "stderr:\n\(server.stderr)")
        #expect(line.hasPrefix("on every address of this machine (0.0.0.0), so at http://"), "\(line)")
        let urls = line.split(separator: " ").filter { $0.hasPrefix("http://") }
        #expect(!urls.isEmpty && urls.allSatisfy { !$0.contains("0.0.0.0") }, "\(line)")
        #expect(urls.contains { $0.hasPrefix("http://127.0.0.1:") }, "\(line)")
        // The loopback one answers (tests send traffic to loopback addresses only).
        let loopback = try #require(urls.first { $0.hasPrefix("http://127.0.0.1:") })
        let port = try #require(Int(loopback.dropFirst("http://127.0.0.1:".count).dropLast()))
        #expect(try await send(port: port, .GET, "/healthz", host: "127.0.0.1").status == 200)
    }

    @Test("a config file with a JSON syntax error: file:line:column, exit 64")
    func configSyntaxError() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("cuecast.json", "{\n  \"port\": 8080,\n  \"host\": \"127.0.0.1\",,\n}\n")
        let result = try await CLIProcess.run(["serve", "--config", "cuecast.json"], in: folder.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains("cuecast.json:3:"), "stderr:\n\(result.stderr)")
        #expect(result.stderr.contains("not valid JSON"), "stderr:\n\(result.stderr)")
    }
}
