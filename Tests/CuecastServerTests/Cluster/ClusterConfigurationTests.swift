import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// `--cluster` URLs: what is accepted, what is refused with a message, and that a password never reaches the log.
struct ClusterConfigurationTests {
    @Test func acceptsHostsAndSocketsAndHidesThePassword() throws {
        let tcp = try ClusterConfiguration(url: "postgres://cuecast:s3cret@db.example:5433/streams", instanceID: "abc123")
        #expect(tcp.displayURL == "postgres://cuecast:***@db.example:5433/streams")
        #expect(tcp.instanceID == "abc123")
        let socket = try ClusterConfiguration(url: "postgresql://cuecast@/streams?host=/run/postgresql&port=5433")
        #expect(!socket.displayURL.contains("s3cret"))
        #expect(socket.instanceID.count == 6)
    }

    @Test(arguments: ["http://db/streams", "streams", "postgres:///streams"])
    func refusesWhatIsNotAPostgresURL(_ url: String) {
        #expect(throws: ClusterConfigurationError.self) { try ClusterConfiguration(url: url) }
    }

    @Test func serveRefusesABadClusterURLAtStart() async throws {
        let run = try await CLIProcess.run(["serve", "--port", "0", "--cluster", "mysql://db/streams"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--cluster: expected postgres://"), "\(run.stderr)")
    }
}
