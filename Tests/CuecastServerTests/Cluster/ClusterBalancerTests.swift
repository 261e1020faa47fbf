import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// End to end: three instances behind Debian's nginx as a round-robin balancer, configured as the README shows
    /// (`docs/nginx/cuecast.conf`, events unbuffered), and clients that keep reconnecting through it, landing on a
    /// different instance each time.
    @Suite(.timeLimit(.minutes(2)), .enabled(if: Nginx.binary != nil || ClusterDatabase.isCI))
    struct Balancer {
        static let ticker = """
            {
              "title": "Ticker", "mode": "live", "heartbeat": false,
              "cues": [{ "at": 0, "repeat": { "every": 50 }, "data": "tick {{$index}}" }]
            }
            """

        @Test func theReadmeShowsTheConfigurationTestedHere() throws {
            let readme = try String(contentsOf: CuecastExecutable.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
            #expect(readme.contains("include /path/to/cuecast/docs/nginx/cuecast.conf;"), "the README's cluster section includes the tested file")
            #expect(readme.contains("upstream cuecast { server 127.0.0.1:8081; server 127.0.0.1:8082; server 127.0.0.1:8083; }"))
        }

        @Test func reconnectingClientsGetEveryEventExactlyOnce() async throws {
            let station = uniqueChannel("balanced")
            try await TestCluster.with(3, scenarios: [station: Self.ticker]) { cluster in
                let nginx = try await Nginx(upstreams: cluster.instances.map(\.port))
                defer { nginx.stop() }
                let port = nginx.port
                let channel = uniqueChannel("balanced")
                // Thirty events published through the balancer (so to every instance in turn) while a client reads
                // three events per connection and reconnects with Last-Event-ID.
                let publisher = Task {
                    for number in 1...30 {
                        let answer = try await publish(port: port, json: #"{"data": "e\#(number)"}"#, channel: channel, host: "127.0.0.1")
                        #expect(answer.status == 202, "\(answer.body)")
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                var channelEvents: [ParsedEvent] = []
                var instancesSeen: Set<String> = []
                while channelEvents.count < 30 {
                    let headers = channelEvents.last.map { [("Last-Event-ID", $0.lastEventId)] } ?? []
                    let client = try await SSEClient.connect(port: port, path: "/channels/\(channel)", headers: headers, host: "127.0.0.1")
                    #expect(client.status == 200)
                    instancesSeen.insert(String(client.header("X-Cuecast-Connection")?.split(separator: "-").first ?? ""))
                    channelEvents += try await client.events(min(3, 30 - channelEvents.count), timeout: .seconds(10))
                    await client.close()
                }
                try await publisher.value
                #expect(channelEvents.map(\.data) == (1...30).map { "e\($0)" })
                #expect(channelEvents.map(\.lastEventId) == (1...30).map(String.init))
                #expect(instancesSeen.count == 3, "round robin spread the reconnections: \(instancesSeen)")

                // The live station, the same way: ids run on without a gap or a repeat across connections.
                var ticks: [Int] = []
                var resumeAfter: String?
                for _ in 1...6 {
                    let headers = resumeAfter.map { [("Last-Event-ID", $0)] } ?? []
                    let client = try await SSEClient.connect(port: port, path: "/streams/\(station)?history=none", headers: headers, host: "127.0.0.1")
                    let events = try await client.events(3, timeout: .seconds(10))
                    ticks += events.compactMap(\.number)
                    resumeAfter = events.last?.lastEventId
                    await client.close()
                }
                #expect(ticks == Array(ticks[0]..<(ticks[0] + 18)), "every tick once, in order: \(ticks)")
            }
        }
    }
}
