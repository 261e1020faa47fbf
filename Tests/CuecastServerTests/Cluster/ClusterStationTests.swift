import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// Live stations in a cluster: played by one instance, relayed by the others, and taken over when the player dies.
    @Suite(.timeLimit(.minutes(2)))
    struct Stations {
        /// A tick every 100 ms, forever; the file name (unique per run) is the stream's name.
        static let ticker = """
            {
              "title": "Ticker", "mode": "live", "heartbeat": false,
              "cues": [{ "at": 0, "repeat": { "every": 100 }, "data": "tick {{$index}}" }]
            }
            """

        @Test func aLiveStationPlaysOnceAndMovesWhenItsPlayerIsKilled() async throws {
            let name = uniqueChannel("ticker")
            try await TestCluster.with(3, scenarios: [name: Self.ticker]) { cluster in
                let pattern = "playing live stream \(name) on this instance"
                var player: Int?
                _ = await eventually(timeout: .seconds(10)) {
                    player = cluster.instances.firstIndex { ($0.process.stdout + $0.process.stderr).contains(pattern) }
                    return player != nil
                }
                let killed = try #require(player, "no instance plays \(name)")
                // Exactly one plays it.
                try await Task.sleep(for: .seconds(1))
                #expect(cluster.instances.filter { ($0.process.stdout + $0.process.stderr).contains(pattern) }.count == 1)

                var listeners: [Int: SSEClient] = [:]
                for (index, instance) in cluster.instances.enumerated() {
                    listeners[index] = try await SSEClient.connect(port: instance.port, path: "/streams/\(name)?history=none")
                }
                var received: [Int: [ParsedEvent]] = [:]
                for (index, listener) in listeners { received[index] = try await listener.events(5, timeout: .seconds(5)) }

                cluster.instances[killed].process.send(SIGKILL)
                let killedAt = ContinuousClock.now
                // The killed instance's listener lost its connection: it resumes on a survivor, as a browser would.
                let survivors = cluster.instances.indices.filter { $0 != killed }
                _ = try? await listeners[killed]?.readToEnd(timeout: .seconds(5))
                let lastSeen = try #require(listeners[killed]?.rawText.components(separatedBy: "\n").last { $0.hasPrefix("id: ") }).dropFirst(4)
                let resumed = try await SSEClient.connect(
                    port: cluster.instances[survivors[0]].port, path: "/streams/\(name)", headers: [("Last-Event-ID", String(lastSeen))]
                )
                // Another instance takes over and the ticks go on.
                let tookOver = await eventually(timeout: .seconds(10)) {
                    survivors.contains { (cluster.instances[$0].process.stdout + cluster.instances[$0].process.stderr).contains(pattern) }
                }
                #expect(tookOver, "no survivor took the station over")
                for index in survivors {
                    let listener = try #require(listeners[index])
                    received[index, default: []] += try await listener.events(20, timeout: .seconds(15))
                    let ids = received[index, default: []].compactMap(\.number)
                    #expect(ids == Array(ids[0]..<(ids[0] + ids.count)), "instance \(index) got every id once, in order: \(ids)")
                    await listener.close()
                }
                let continued = try await resumed.events(10, timeout: .seconds(10))
                #expect(continued.first?.number == (Int(lastSeen) ?? 0) + 1, "resumed after \(lastSeen): \(continued.map(\.lastEventId))")
                #expect(continued.compactMap(\.number) == Array(((Int(lastSeen) ?? 0) + 1)...((Int(lastSeen) ?? 0) + 10)))
                print("cluster: station failover after kill -9 took at most \(ContinuousClock.now - killedAt) (listeners saw no gap)")
                await resumed.close()
            }
        }

        @Test func aTriggerSentToAnyInstanceReachesTheStation() async throws {
            let name = uniqueChannel("triggered")
            let scenario = """
                {
                  "title": "Triggered", "mode": "live", "heartbeat": false,
                  "cues": [{ "at": 0, "repeat": { "every": 200 }, "data": "tick" }],
                  "triggers": { "bell": { "data": "ding" } }
                }
                """
            try await TestCluster.with(2, scenarios: [name: scenario]) { cluster in
                let listener = try await SSEClient.connect(port: cluster.instances[0].port, path: "/streams/\(name)?history=none")
                _ = try await listener.events(1, timeout: .seconds(10))
                for instance in cluster.instances {
                    let answer = try await post(port: instance.port, "/streams/\(name)/triggers/bell")
                    #expect(answer.status == 202, "\(answer.body)")
                }
                var dings = 0
                var ids: [Int] = []
                while dings < 2 {
                    let event = try #require(try await listener.nextEvent(timeout: .seconds(5)))
                    if event.data == "ding" { dings += 1 }
                    ids += event.number.map { [$0] } ?? []
                }
                #expect(ids == Array(ids[0]..<(ids[0] + ids.count)), "a trigger takes the stream's next id: \(ids)")
                await listener.close()
            }
        }
    }
}
