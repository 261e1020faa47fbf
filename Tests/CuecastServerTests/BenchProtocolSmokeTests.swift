import CuecastTestSupport
import Foundation
import Testing

/// `cuecast bench --protocol`: the same small run over HTTP/2 (in the clear and over TLS) and HTTP/1.1 over TLS.
/// Like `BenchSmokeTests`, it checks what the benchmark reports (every event delivered, in order), never how fast.
@Suite("cuecast bench over HTTP/2 and TLS (smoke)")
struct BenchProtocolSmokeTests {
    /// 200 subscribers, 20 streams per connection over HTTP/2: 10 events steady and 20 in the burst each, with no
    /// settling time before the memory readings (the smoke test reads delivery, not memory).
    static let smallRun = [
        "--subscribers", "200", "--per-worker", "100", "--streams-per-connection", "20", "--rate", "10", "--duration", "1", "--burst", "20",
        "--settle", "0",
    ]

    /// Checks one server's rows for one protocol: all held on the expected connections, every event, none lost or reordered.
    static func expectEveryEvent(_ output: String, server: String, protocol wire: String, connections: String) {
        // | server | protocol | subscribers | connections | held | failed | 503 (with Retry-After) | ...
        let holding = BenchSmokeTests.row(output, server: server, protocol: wire, after: "Holding subscribers")
        #expect(holding?[2] == "200", "\(server) over \(wire): subscribers\n\(output)")
        #expect(holding?[3] == connections, "\(server) over \(wire): connections")
        #expect(holding?[4] == "200", "\(server) over \(wire): held\n\(output)")
        #expect(holding?[5] == "0", "\(server) over \(wire): failed")
        // | server | protocol | subscribers | deliveries | deliveries/s | p50 | p99 | max | lost | reordered | ...
        for (phase, deliveries) in [("Steady", "2,000"), ("Burst", "4,000")] {
            let row = BenchSmokeTests.row(output, server: server, protocol: wire, after: phase)
            #expect(row?[3] == deliveries, "\(server) over \(wire), \(phase): 200 subscribers × \(phase == "Steady" ? 10 : 20) events")
            #expect(row?[8] == "0", "\(server) over \(wire), \(phase): lost")
            #expect(row?[9] == "0", "\(server) over \(wire), \(phase): reordered")
        }
    }

    @Test(
        "the Node.js reference over h2c, h2 and https: every event, in order, 20 streams per connection",
        .enabled(if: BenchSmokeTests.hasNode), .timeLimit(.minutes(3))
    )
    func nodeOverHTTP2() async throws {
        let run = try await CLIProcess.run(
            ["bench", "--targets", "node", "--protocol", "h2c,h2,https"] + Self.smallRun, timeout: .seconds(170)
        )
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectEveryEvent(run.stdout, server: "Node.js", protocol: "h2c", connections: "10")
        Self.expectEveryEvent(run.stdout, server: "Node.js", protocol: "h2", connections: "10")
        Self.expectEveryEvent(run.stdout, server: "Node.js", protocol: "https", connections: "200")
        let cpu = BenchSmokeTests.row(run.stdout, server: "Node.js", after: "Server CPU µs per delivery by protocol")
        #expect(cpu?.count == 5, "server, subscribers and a column for each of h2c, h2, https")
        #expect(run.stdout.contains("Every server still answered `/healthz`"))
    }

    @Test(
        "a server that allows fewer streams per connection than asked gets more connections, and the report says so",
        .enabled(if: BenchSmokeTests.hasNode), .timeLimit(.minutes(2))
    )
    func serverStreamLimit() async throws {
        // The Node.js reference announces SETTINGS_MAX_CONCURRENT_STREAMS 100.
        let run = try await CLIProcess.run(
            ["bench", "--targets", "node", "--protocol", "h2c", "--subscribers", "300", "--streams-per-connection", "150",
             "--rate", "5", "--duration", "1", "--burst", "0", "--settle", "0"],
            timeout: .seconds(110)
        )
        #expect(run.status == 0, "\(run.stderr)")
        let holding = BenchSmokeTests.row(run.stdout, server: "Node.js", protocol: "h2c", after: "Holding subscribers")
        #expect(holding?[3] == "3", "connections: 100 streams each, not 150\n\(run.stdout)")
        #expect(holding?[4] == "300", "held")
        let steady = BenchSmokeTests.row(run.stdout, server: "Node.js", protocol: "h2c", after: "Steady")
        #expect(steady?[3] == "1,500", "300 subscribers × 5 events")
        #expect(run.stdout.contains("Node.js over h2c allowed 100 streams per connection"))
    }

    /// Needs `cuecast serve --https-port --tls-cert --tls-key` and h2c on the plain port. Until this build's `serve`
    /// has them, the test is skipped; a `serve` that has the flags but does not speak HTTP/2 fails it within
    /// seconds (every subscriber fails, with the reason under the table), it does not hang.
    @Test(
        "Cuecast over h2c and h2: every event, in order, 20 streams per connection",
        .enabled(if: BenchProtocolSmokeTests.serveSpeaksHTTP2, "needs cuecast serve --https-port (HTTP/2 and TLS)"),
        .timeLimit(.minutes(3))
    )
    func cuecastOverHTTP2() async throws {
        let run = try await CLIProcess.run(["bench", "--targets", "cuecast", "--protocol", "h2c,h2"] + Self.smallRun, timeout: .seconds(170))
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectEveryEvent(run.stdout, server: "Cuecast", protocol: "h2c", connections: "10")
        Self.expectEveryEvent(run.stdout, server: "Cuecast", protocol: "h2", connections: "10")
    }

    /// Whether this build's `cuecast serve` takes `--https-port`.
    static let serveSpeaksHTTP2: Bool = {
        guard let executable = CuecastExecutable.url else { return false }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--help"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        guard (try? process.run()) != nil else { return false }
        let help = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: help, as: UTF8.self).contains("--https-port")
    }()
}
