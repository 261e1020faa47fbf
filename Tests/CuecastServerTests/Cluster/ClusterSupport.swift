import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Every cluster test, one at a time: they share one PostgreSQL, and one of them stops it.
@Suite(.serialized, .enabled(if: ClusterDatabase.runs, ClusterDatabase.skipNote))
struct ClusterTests {}

/// The PostgreSQL that `scripts/test` starts (`scripts/postgres start`) for the cluster tests.
///
/// Locally, without it, the cluster tests are skipped with a message; on CI (`CI=true`) a missing database fails
/// them instead, so a broken script cannot pass unnoticed.
enum ClusterDatabase {
    static let url = ProcessInfo.processInfo.environment["CUECAST_TEST_POSTGRES_URL"]
    static let folder = ProcessInfo.processInfo.environment["CUECAST_TEST_POSTGRES_DIR"]
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    /// Whether the cluster tests run: with a database, or on CI (where they then fail).
    static let runs = url != nil || isCI
    static let skipNote: Comment = "no CUECAST_TEST_POSTGRES_URL: run scripts/test, or eval \"$(scripts/postgres start)\" and export its two variables"

    static func requireURL() throws -> String {
        try #require(url, "CI=true but CUECAST_TEST_POSTGRES_URL is not set: scripts/test starts PostgreSQL with scripts/postgres")
    }

    /// Runs `scripts/postgres stop|resume` on the test database: an outage, and its end.
    static func control(_ verb: String) async throws {
        let folder = try #require(folder, "CUECAST_TEST_POSTGRES_DIR is not set")
        try await run(CuecastExecutable.packageRoot.appendingPathComponent("scripts/postgres").path, [verb, folder])
    }

    /// Runs a helper program to its end, with `posix_spawn` and `waitpid`: Foundation's `Process` never reported
    /// `scripts/postgres resume` as finished here (the server it starts lives on), so the test hung.
    static func run(_ executable: String, _ arguments: [String]) async throws {
        var pid: pid_t = 0
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0) }
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        try #require(spawned == 0, "cannot start \(executable): \(spawned)")
        var status: Int32 = 0
        let ended = await eventually(timeout: .seconds(60), interval: .milliseconds(20)) { waitpid(pid, &status, WNOHANG) == pid }
        try #require(ended, "\(executable) \(arguments) did not finish")
        try #require(status == 0, "\(executable) \(arguments) failed with status \(status)")
    }
}

/// One `cuecast serve --cluster` process on a free port.
struct ClusterInstance {
    let process: CLIProcess
    let port: Int

    /// Starts an instance serving `scenarios` and waits until its cluster link is up.
    static func start(url: String, scenarios: String, extra: [String] = []) async throws -> ClusterInstance {
        let process = try CLIProcess(
            ["serve", "--port", "0", "--scenarios", scenarios, "--public", "/nonexistent", "--publish-rate", "100000", "--cluster", url] + extra
        )
        let port = try await process.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(20))
        let instance = ClusterInstance(process: process, port: try #require(port.flatMap { Int($0) }, "no port in: \(process.stderr)"))
        #expect(await instance.waitForLink("up"), "the cluster link did not come up: \(process.stderr)")
        return instance
    }

    /// The link state `/healthz` reports (`up`, `down`), or nil if it does not answer.
    func link() async -> String? {
        guard let health = try? await send(port: port, .GET, "/healthz"), health.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any],
            let cluster = object["cluster"] as? [String: Any]
        else { return nil }
        return cluster["link"] as? String
    }

    /// Waits until `/healthz` reports the link as `state`.
    func waitForLink(_ state: String, timeout: Duration = .seconds(15)) async -> Bool {
        await eventually(timeout: timeout, interval: .milliseconds(50)) { await link() == state }
    }
}

/// Several instances and a scenarios folder, stopped and removed by `stop()`.
struct TestCluster {
    let instances: [ClusterInstance]
    let folder: TemporaryFolder

    static func start(_ count: Int, scenarios: [String: String] = [:], extra: [String] = []) async throws -> TestCluster {
        let url = try ClusterDatabase.requireURL()
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(atPath: folder.path("scenarios"), withIntermediateDirectories: true)
        for (name, text) in scenarios { try folder.write("scenarios/\(name).json", text) }
        var instances: [ClusterInstance] = []
        for _ in 0..<count { instances.append(try await ClusterInstance.start(url: url, scenarios: folder.path("scenarios"), extra: extra)) }
        return TestCluster(instances: instances, folder: folder)
    }

    /// Runs `body` with `count` instances, and always stops them (and removes the folder) afterwards.
    static func with<T>(
        _ count: Int, scenarios: [String: String] = [:], extra: [String] = [], _ body: (TestCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(count, scenarios: scenarios, extra: extra)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    func stop() async {
        for instance in instances {
            instance.process.terminate()
            if await instance.process.waitForExit(timeout: .seconds(5)) == nil {
                Issue.record("instance on port \(instance.port) did not stop on SIGTERM: \(instance.process.stderr.suffix(2000))")
                instance.process.send(SIGKILL)
            }
        }
        folder.remove()
    }
}

/// A channel name no earlier run used: the database outlives test runs.
func uniqueChannel(_ base: String) -> String {
    "\(base)-\(UUID().uuidString.prefix(8).lowercased())"
}

extension ClusterDatabase {
    /// Runs one statement with `psql` (installed with the server), as an administrator would.
    static func sql(_ statement: String) async throws {
        try await run("/usr/bin/env", ["psql", try requireURL(), "-q", "-c", statement])
    }
}

/// A counter without labels on an instance's `/metrics`; 0 before its first increment (it is not listed yet).
func counter(_ name: String, port: Int) async throws -> Int {
    let scrape = try await fetch(port: port, "/metrics").body
    let line = scrape.split(separator: "\n").first { $0.hasPrefix(name + " ") }
    return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
}
