import CuecastTestSupport
import Foundation
import Testing

extension ClusterTests {
    /// `cuecast bench --instances 1,3 --cluster URL`: a small run through the real executable, with three real
    /// `serve --cluster` processes on the test database. It checks what the benchmark reports, never how fast.
    @Suite(.timeLimit(.minutes(3)))
    struct Bench {
        @Test func clusterModeSpreadsSubscribersAndCountsEveryDelivery() async throws {
            let url = try ClusterDatabase.requireURL()
            let run = try await CLIProcess.run(
                ["bench", "--targets", "cuecast", "--subscribers", "60", "--per-worker", "10", "--instances", "1,3", "--cluster", url,
                 "--rate", "10", "--duration", "1", "--burst", "20", "--settle", "0"],
                timeout: .seconds(150)
            )
            #expect(run.status == 0, "\(run.stderr)")
            // The log says where each worker went: three instances, each started and measured.
            #expect(run.stderr.contains("Cuecast ×3 (cluster), 60 subscribers: starting"), "\(run.stderr)")
            for name in ["Cuecast", "Cuecast ×3 (cluster)"] {
                // | server | subscribers | held | failed | 503 (with Retry-After) | ...
                let holding = BenchSmokeTests.row(run.stdout, server: name, after: "Holding subscribers")
                #expect(holding?[2] == "60", "\(name) held")
                #expect(holding?[3] == "0", "\(name) failed")
                // | server | subscribers | deliveries | deliveries/s | p50 | p99 | max | lost | reordered | ...
                let steady = BenchSmokeTests.row(run.stdout, server: name, after: "Steady")
                #expect(steady?[2] == "600", "\(name): 60 subscribers × 10 events")
                #expect(steady?[7] == "0", "\(name) lost")
                #expect(steady?[8] == "0", "\(name) reordered")
                let burst = BenchSmokeTests.row(run.stdout, server: name, after: "Burst")
                #expect(burst?[2] == "1,200", "\(name): 60 subscribers × 20 events")
                #expect(burst?[7] == "0", "\(name) lost")
            }
            // Only the cluster run gets a row in the database table; the single process has no database.
            let database = BenchSmokeTests.row(run.stdout, server: "Cuecast ×3 (cluster)", after: "The cluster's database")
            #expect(database?[1] == "60", "\(run.stdout)")
            #expect(BenchSmokeTests.row(run.stdout, server: "Cuecast", after: "The cluster's database") == nil)
            #expect(run.stdout.contains("Every server still answered `/healthz`"))
        }
    }
}
