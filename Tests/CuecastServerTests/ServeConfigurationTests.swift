import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `cuecast serve`'s options from the command line, the environment (`CUECAST_*`) and a JSON file (`--config`),
/// through the real executable: one precedence rule, errors that name the source of a bad value, and every option
/// listed once in `--help` and in the README.
@Suite(.timeLimit(.minutes(1)))
struct ServeConfigurationTests {
    /// Starts `serve` and returns the subscriber cap it reports on /healthz, and its log.
    static func servedCap(_ arguments: [String], environment: [String: String], in folder: TemporaryFolder) async throws -> (cap: Int?, log: String) {
        let server = try CLIProcess(
            ["serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public")] + arguments, in: folder.url,
            environment: environment
        )
        defer { server.terminate() }
        // Beyond loopback the line names the machine's addresses ("on every address of this machine (0.0.0.0), so at …").
        let port = try await server.waitForOutput(
            matching: #"cuecast is serving \d+ scenario\(s\) (?:on every address of this machine \([^)]*\), so )?at http://[0-9.]+:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")
        let health = try await fetch(port: portNumber, "/healthz").json()
        return (health["maxSubscribers"] as? Int, server.stderr)
    }

    static func folder() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("scenarios/tick.json", #"{"title": "Tick", "cues": [{"at": 0, "data": "t"}]}"#)
        try folder.write("cuecast.json", #"{"maxSubscribers": 11, "logFormat": "json", "channelHistory": 50}"#)
        return folder
    }

    @Test("the command line wins over the environment, which wins over the --config file, which wins over the default")
    func precedence() async throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let config = ["--config", folder.path("cuecast.json")]
        let all = try await Self.servedCap(config + ["--max-subscribers", "33"], environment: ["CUECAST_MAX_SUBSCRIBERS": "22"], in: folder)
        let environment = try await Self.servedCap(config, environment: ["CUECAST_MAX_SUBSCRIBERS": "22"], in: folder)
        let file = try await Self.servedCap(config, environment: [:], in: folder)
        let fileFromEnvironment = try await Self.servedCap([], environment: ["CUECAST_CONFIG": folder.path("cuecast.json")], in: folder)
        let textLog = try await Self.servedCap(config + ["--log-format", "text"], environment: [:], in: folder)
        #expect(all.cap == 33)
        #expect(environment.cap == 22)
        #expect(file.cap == 11)
        #expect(fileFromEnvironment.cap == 11)
        // The file's "logFormat": "json" applies unless something above it says otherwise.
        let fileLines = file.log.split(separator: "\n")
        let allJSON = fileLines.allSatisfy { $0.hasPrefix("{") }
        #expect(!fileLines.isEmpty && allJSON, "\(file.log)")
        #expect(!textLog.log.hasPrefix("{"), "\(textLog.log)")
    }

    @Test(
        "a bad value is refused with an error naming where it came from",
        arguments: [
            (["--port", "70000"], [:], nil, "--port must be from 0 to 65535 (got 70000)"),
            ([], ["CUECAST_PORT": "eighty"], nil, "CUECAST_PORT must be a whole number (got 'eighty')"),
            ([], ["CUECAST_MAX_SUBSCRIBERS": "0"], nil, "CUECAST_MAX_SUBSCRIBERS must be a positive whole number (got 0)"),
            ([], ["CUECAST_TRUSTED_PROXY": "127.0.0.1,nginx"], nil, "CUECAST_TRUSTED_PROXY: 'nginx' is not an IP address"),
            ([], [:], #"{"port": 70000}"#, #""port" in CONFIG must be from 0 to 65535 (got 70000)"#),
            ([], [:], #"{"port": "eighty"}"#, #""port" in CONFIG must be a whole number"#),
            ([], [:], #"{"logLevel": "loud"}"#, #""logLevel" in CONFIG must be one of trace"#),
            ([], [:], #"{"maxBodyByte": 1}"#, #"CONFIG: "maxBodyByte" is not an option (did you mean "maxBodyBytes"?)"#),
            // jansson, as for scenarios: the file, line and column of the syntax error.
            ([], [:], "{\n  \"port\": 80,\n}", "CONFIG:3:1: string or '}' expected near '}' (the --config file is not valid JSON)"),
        ] as [([String], [String: String], String?, String)]
    )
    func badValues(arguments: [String], environment: [String: String], file: String?, message: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("scenarios/tick.json", #"{"title": "Tick", "cues": [{"at": 0, "data": "t"}]}"#)
        var extra = arguments
        if let file {
            try folder.write("bad.json", file)
            extra += ["--config", folder.path("bad.json")]
        }
        let run = try await CLIProcess.run(
            ["serve", "--scenarios", folder.path("scenarios")] + extra,
            in: folder.url, environment: environment, timeout: .seconds(10)
        )
        let expected = message.replacingOccurrences(of: "CONFIG", with: folder.path("bad.json"))
        #expect(run.status == 64, "stderr:\n\(run.stderr)")
        #expect(run.stderr.contains(expected), "expected '\(expected)' in:\n\(run.stderr)")
        #expect(!run.stderr.contains("cuecast is serving"))
    }

    @Test("beyond loopback, the start-up log says /metrics is open unless it has a token or an address of its own")
    func metricsBeyondLoopback() async throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        let open = try await Self.servedCap(["--host", "0.0.0.0"], environment: [:], in: folder)
        let tokened = try await Self.servedCap(["--host", "0.0.0.0"], environment: ["CUECAST_METRICS_TOKEN": "t"], in: folder)
        let loopback = try await Self.servedCap([], environment: [:], in: folder)
        #expect(open.log.contains("/metrics is open to anyone who can reach this port"), "\(open.log)")
        #expect(!tokened.log.contains("/metrics is open"))
        #expect(!loopback.log.contains("/metrics is open"))
    }

    /// The options `serve --help` lists, by long name.
    static func helpOptions() async throws -> [String] {
        let help = try await CLIProcess.run(["serve", "--help"], timeout: .seconds(10))
        let text = help.stdout + help.stderr
        // An option's entry starts two spaces in; its help's continuation lines are indented further.
        return text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  --") else { return nil }
            return String(line.dropFirst(2).prefix { $0 != " " && $0 != "," && $0 != "\t" })
        }
    }

    /// Each option's entry in `serve --help`, by long name: its help text on one line (ArgumentParser wraps it).
    static func helpEntries() async throws -> [String: String] {
        let help = try await CLIProcess.run(["serve", "--help"], timeout: .seconds(10))
        var entries: [String: String] = [:]
        var current: String?
        for line in (help.stdout + help.stderr).split(separator: "\n") {
            if line.hasPrefix("  --") {
                let name = String(line.dropFirst(2).prefix { $0 != " " && $0 != "," && $0 != "\t" })
                current = name
                entries[name] = String(line)
            } else if let name = current, line.hasPrefix("   ") {
                entries[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                current = nil
            }
        }
        return entries
    }

    /// The `X` of `(default X` in an option's help.
    static func helpDefault(_ entry: String) -> String? {
        guard let range = entry.range(of: "(default ") else { return nil }
        return String(entry[range.upperBound...].prefix { !" ,;)".contains($0) })
    }

    @Test("serve --help shows each default as the server has it, and the README's option table agrees")
    func helpShowsTheRealDefaults() async throws {
        let entries = try await Self.helpEntries()
        let defaults = ServerConfiguration.Defaults.self
        let expected: [String: String] = [
            "--host": defaults.host, "--port": "\(defaults.port)", "--scenarios": defaults.scenariosDirectory,
            "--public": defaults.publicDirectory, "--max-body-bytes": "\(defaults.maxBodyBytes)", "--publish-rate": "\(Int(defaults.publishRate))",
            "--channel-history": "\(defaults.channelHistoryLimit)", "--history-memory": "\(defaults.historyMemoryBytes)",
            "--channel-idle": "\(defaults.channelIdleAfter.components.seconds)", "--https-port": "\(defaults.httpsPort)",
            "--idle-timeout": "\(defaults.idleTimeout.components.seconds)",
            "--request-body-timeout": "\(defaults.requestBodyTimeout.components.seconds)",
            "--log-level": "info", "--log-format": "text",
        ]
        for (option, value) in expected {
            let entry = try #require(entries[option], "\(option) is not in serve --help")
            #expect(Self.helpDefault(entry) == value, "\(option): \(entry)")
        }
        // A server made with no arguments uses them too.
        let configuration = ServerConfiguration()
        #expect(configuration.maxBodyBytes == defaults.maxBodyBytes && configuration.port == defaults.port)
        #expect(configuration.historyBudget.limitBytes == defaults.historyMemoryBytes)
        #expect(configuration.channelIdleAfter == defaults.channelIdleAfter && configuration.idleTimeout == defaults.idleTimeout)

        // The README writes the default as the first `code` of its second column.
        let readme = try String(contentsOf: CuecastExecutable.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for row in readme.split(separator: "\n") where row.hasPrefix("| `--") {
            let columns = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let option = String(columns[1].dropFirst().prefix { $0 != "`" && $0 != " " })
            guard let entry = entries[option], let helpDefault = Self.helpDefault(entry) else { continue }
            let written = columns[2].split(separator: "`", omittingEmptySubsequences: false).dropFirst().first.map(String.init)
            #expect(written == helpDefault, "README's default for \(option) is \(columns[2]); serve --help says \(helpDefault)")
        }
    }

    @Test("every option of serve --help may be given in a --config file, and only those")
    func everyOptionIsAFileKey() async throws {
        let folder = try Self.folder()
        defer { folder.remove() }
        try folder.write("unknown.json", #"{"noSuchOption": 1}"#)
        let run = try await CLIProcess.run(
            ["serve", "--scenarios", folder.path("scenarios"), "--config", folder.path("unknown.json")], in: folder.url, timeout: .seconds(10))
        let listed = try #require(run.stderr.range(of: "options are "), "stderr:\n\(run.stderr)")
        let keys = run.stderr[listed.upperBound...].prefix { $0 != "\n" }.split(separator: ", ").map(String.init)
        let options = try await Self.helpOptions().filter { !["--help", "--version", "--config"].contains($0) }
        let camel = options.map { option in
            let words = option.dropFirst(2).split(separator: "-")
            return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
        }
        #expect(keys.sorted() == camel.sorted())
    }

    @Test("serve --help and the README's option table list every option once")
    func everyOptionListedOnce() async throws {
        let options = try await Self.helpOptions()
        let readme = try String(contentsOf: CuecastExecutable.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `--") }.map { row in
            String(row.dropFirst(3).prefix { $0 != "`" && $0 != " " })
        }
        let listed = options.filter { $0 != "--help" && $0 != "--version" }
        #expect(listed.count == Set(listed).count, "an option listed twice in --help: \(listed)")
        #expect(rows.count == Set(rows).count, "an option listed twice in the README: \(rows)")
        #expect(rows.sorted() == listed.sorted(), "README rows \(rows.sorted()) against --help \(listed.sorted())")
        #expect(listed.contains("--config") && listed.contains("--trusted-proxy") && listed.count >= 20, "\(listed)")
    }
}
