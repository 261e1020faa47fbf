import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// The database going away: subscribers keep their streams and miss nothing, publishes are refused with a 503
    /// meanwhile, and instances catch up from the table when the link is back.
    @Suite(.timeLimit(.minutes(2)))
    struct Outages {
        @Test func postgresStoppedAndStartedMidStreamLosesNothing() async throws {
            try await TestCluster.with(2) { cluster in
                let (a, b) = (cluster.instances[0], cluster.instances[1])
                let channel = uniqueChannel("outage")
                let subscriber = try await SSEClient.connect(port: b.port, path: "/channels/\(channel)")
                for number in 1...3 { _ = try await publish(port: a.port, json: #"{"data": "before \#(number)"}"#, channel: channel) }
                #expect(try await subscriber.events(3).map(\.data) == ["before 1", "before 2", "before 3"])

                try await ClusterDatabase.control("stop")
                do {
                    #expect(await a.waitForLink("down"), "A still reports its link up")
                    for instance in [a, b] {
                        let refused = try await publish(port: instance.port, json: #"{"data": "lost?"}"#, channel: channel)
                        #expect(refused.status == 503)
                        #expect(try refused.apiError()["code"] as? String == "cluster_unavailable")
                        #expect(refused.headers.first(name: "Retry-After") != nil)
                    }
                    #expect(subscriber.end == nil, "the subscriber keeps its stream through the outage")
                } catch {
                    try? await ClusterDatabase.control("resume")
                    throw error
                }
                try await ClusterDatabase.control("resume")
                #expect(await a.waitForLink("up"))
                #expect(await b.waitForLink("up"))
                for number in 1...3 {
                    let answer = try await publish(port: a.port, json: #"{"data": "after \#(number)"}"#, channel: channel)
                    #expect(answer.status == 202, "\(answer.body)")
                }
                let after = try await subscriber.events(3, timeout: .seconds(10))
                #expect(after.map(\.data) == ["after 1", "after 2", "after 3"], "nothing refused was delivered, nothing accepted was lost")
                #expect(after.map(\.lastEventId) == ["4", "5", "6"])
                await subscriber.close()
            }
        }

        @Test func anInstanceCutOffCatchesUpFromTheTable() async throws {
            try await TestCluster.with(2) { cluster in
                let (a, b) = (cluster.instances[0], cluster.instances[1])
                let channel = uniqueChannel("catchup")
                let subscriber = try await SSEClient.connect(port: b.port, path: "/channels/\(channel)")
                _ = try await publish(port: a.port, json: #"{"data": "0"}"#, channel: channel)
                _ = try await subscriber.events(1)
                // PostgreSQL ends B's sessions: B misses the notifications of what A publishes until it is back.
                let health = try await send(port: b.port, .GET, "/healthz")
                let object = try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any]
                let instance = try #require((object?["cluster"] as? [String: Any])?["instance"] as? String)
                try await ClusterDatabase.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cuecast-\(instance)'")
                for number in 1...10 {
                    let answer = try await publish(port: a.port, json: #"{"data": "\#(number)"}"#, channel: channel)
                    #expect(answer.status == 202)
                }
                let events = try await subscriber.events(10, timeout: .seconds(10))
                #expect(events.map(\.data) == (1...10).map(String.init))
                #expect(events.map(\.lastEventId) == (2...11).map(String.init))
                #expect(b.process.stderr.contains("cluster link down") || b.process.stdout.contains("cluster link down"), "B's link was cut")
                await subscriber.close()
            }
        }
    }
}
