import CuecastTestSupport
import Foundation
import Testing

/// A small run of `cuecast bench` through the real executable: worker processes on their own source addresses,
/// the publisher, the tables. It checks what the benchmark reports, never how fast: speed lives in
/// BENCHMARKS.md, measured on purpose, not judged by a test on a busy machine.
@Suite("cuecast bench (smoke)")
struct BenchSmokeTests {
    /// The first row of `server` (over `wire`, in a table with a protocol column) in the table after `heading`,
    /// split into cells (cell 0 is the server's name, cell 1 the protocol if there is one).
    static func row(_ table: String, server: String, protocol wire: String? = nil, after heading: String) -> [String]? {
        guard let section = table.range(of: heading) else { return nil }
        let lead = wire.map { "| \(server) | \($0) |" } ?? "| \(server) |"
        for line in table[section.upperBound...].split(separator: "\n") where line.hasPrefix(lead) {
            return line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    @Test("past --max-subscribers the generator sees 503 with Retry-After; the held subscribers lose nothing")
    func capAndDelivery() async throws {
        let run = try await CLIProcess.run(
            ["bench", "--subscribers", "40", "--per-worker", "15", "--targets", "cuecast", "--max-subscribers", "30",
             "--rate", "10", "--duration", "1", "--burst", "20", "--settle", "0"],
            timeout: .seconds(120)
        )
        #expect(run.status == 0, "\(run.stderr)")
        // | server | subscribers | held | failed | 503 (with Retry-After) | ...
        let holding = Self.row(run.stdout, server: "Cuecast", after: "Holding subscribers")
        #expect(holding?[1] == "40")
        #expect(holding?[2] == "30", "held")
        #expect(holding?[3] == "0", "failed")
        #expect(holding?[4] == "10 (10)", "refused with Retry-After")
        // | server | subscribers | deliveries | deliveries/s | p50 | p99 | max | lost | reordered | ...
        let steady = Self.row(run.stdout, server: "Cuecast", after: "Steady")
        #expect(steady?[2] == "300", "30 subscribers × 10 events")
        #expect(steady?[7] == "0", "lost")
        #expect(steady?[8] == "0", "reordered")
        let burst = Self.row(run.stdout, server: "Cuecast", after: "Burst")
        #expect(burst?[2] == "600", "30 subscribers × 20 events")
        #expect(burst?[7] == "0", "lost")
        #expect(run.stdout.contains("Every server still answered `/healthz`"))
    }

    @Test("the Node.js reference server is measured by the same generator", .enabled(if: BenchSmokeTests.hasNode))
    func nodeReference() async throws {
        let run = try await CLIProcess.run(
            ["bench", "--subscribers", "20", "--per-worker", "10", "--targets", "node", "--rate", "10", "--duration", "1", "--burst", "10",
             "--settle", "0"],
            timeout: .seconds(120)
        )
        #expect(run.status == 0, "\(run.stderr)")
        let holding = Self.row(run.stdout, server: "Node.js", after: "Holding subscribers")
        #expect(holding?[2] == "20", "held")
        let burst = Self.row(run.stdout, server: "Node.js", after: "Burst")
        #expect(burst?[2] == "200", "20 subscribers × 10 events")
        #expect(burst?[7] == "0", "lost")
    }

    @Test("bad options are refused with a message")
    func badOptions() async throws {
        let run = try await CLIProcess.run(["bench", "--subscribers", "ten"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--subscribers takes positive counts"))
        let wire = try await CLIProcess.run(["bench", "--protocol", "h2c,h3"])
        #expect(wire.status == 64)
        #expect(wire.stderr.contains("--protocol takes http1, https, h2 and/or h2c"))
        let cluster = try await CLIProcess.run(["bench", "--instances", "1,3"])
        #expect(cluster.status == 64)
        #expect(cluster.stderr.contains("--instances over 1 needs --cluster postgres://"), "\(cluster.stderr)")
        let instances = try await CLIProcess.run(["bench", "--instances", "three"])
        #expect(instances.status == 64)
        #expect(instances.stderr.contains("--instances takes counts from 1 to 64"), "\(instances.stderr)")
        let settle = try await CLIProcess.run(["bench", "--settle=-1"])
        #expect(settle.status == 64)
        #expect(settle.stderr.contains("--settle must be 0 or more"), "\(settle.stderr)")
    }

    static let hasNode = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/node")
    }
}
