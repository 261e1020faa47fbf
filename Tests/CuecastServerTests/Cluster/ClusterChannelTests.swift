import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// Several real `cuecast serve --cluster` processes sharing one real PostgreSQL: channels published anywhere reach
    /// everyone, in one order, with ids from one sequence, and resume on any instance.
    @Suite(.timeLimit(.minutes(2)))
    struct Channels {
        @Test func publishToOneInstanceReachesEveryInstanceInOrder() async throws {
            try await TestCluster.with(3) { cluster in
                let channel = uniqueChannel("order")
                var subscribers: [SSEClient] = []
                for instance in cluster.instances {
                    subscribers.append(try await SSEClient.connect(port: instance.port, path: "/channels/\(channel)"))
                }
                let publisher = cluster.instances[0].port
                for number in 1...20 {
                    let receipt = try await publish(port: publisher, json: #"{"event": "step", "data": "step \#(number)"}"#, channel: channel)
                    #expect(receipt.status == 202, "\(receipt.body)")
                    #expect(receipt.body.contains(#""id":"\#(number)""#), "\(receipt.body)")
                }
                for (index, subscriber) in subscribers.enumerated() {
                    let events = try await subscriber.events(20, timeout: .seconds(10))
                    #expect(events.map(\.data) == (1...20).map { "step \($0)" }, "instance \(index)")
                    #expect(events.map(\.lastEventId) == (1...20).map(String.init), "instance \(index)")
                    #expect(events.allSatisfy { $0.type == "step" })
                    await subscriber.close()
                }
            }
        }

        @Test func idsIncreaseAcrossTheClusterUnderConcurrentPublishers() async throws {
            try await TestCluster.with(3) { cluster in
                let channel = uniqueChannel("concurrent")
                var subscribers: [SSEClient] = []
                for instance in cluster.instances {
                    subscribers.append(try await SSEClient.connect(port: instance.port, path: "/channels/\(channel)"))
                }
                let perInstance = 15
                // Every instance publishes at once; the receipts' ids must be 1...45, each given once.
                let receipts = try await withThrowingTaskGroup(of: [String].self) { group in
                    for (index, instance) in cluster.instances.enumerated() {
                        group.addTask {
                            var ids: [String] = []
                            for number in 1...perInstance {
                                let answer = try await publish(port: instance.port, json: #"{"data": "from \#(index) #\#(number)"}"#, channel: channel)
                                #expect(answer.status == 202, "\(answer.body)")
                                let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                                ids.append(try #require(object?["id"] as? String))
                            }
                            return ids
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                let total = perInstance * cluster.instances.count
                #expect(receipts.compactMap { Int($0) }.sorted() == Array(1...total))
                var orders: [[String]] = []
                for subscriber in subscribers {
                    let events = try await subscriber.events(total, timeout: .seconds(15))
                    #expect(events.map(\.lastEventId) == (1...total).map(String.init), "ids arrive strictly increasing, without gaps")
                    orders.append(events.map(\.data))
                    await subscriber.close()
                }
                // One order for everyone, and each publisher's own events in the order it sent them.
                #expect(Set(orders.map { $0.joined(separator: "|") }).count == 1)
                for index in cluster.instances.indices {
                    #expect(orders[0].filter { $0.hasPrefix("from \(index) ") } == (1...perInstance).map { "from \(index) #\($0)" })
                }
            }
        }

        @Test func resumeOnAnotherInstanceContinuesWithoutGapOrDuplicate() async throws {
            try await TestCluster.with(2) { cluster in
                let (a, b) = (cluster.instances[0].port, cluster.instances[1].port)
                let channel = uniqueChannel("resume")
                let first = try await SSEClient.connect(port: a, path: "/channels/\(channel)")
                for number in 1...10 { _ = try await publish(port: a, json: #"{"data": "n\#(number)"}"#, channel: channel) }
                let seen = try await first.events(4)
                await first.close()
                #expect(seen.last?.lastEventId == "4")
                // The client reconnects through the balancer and lands on B, which never served it.
                let resumed = try await SSEClient.connect(port: b, path: "/channels/\(channel)", headers: [("Last-Event-ID", "4")])
                let rest = try await resumed.events(6)
                #expect(rest.map(\.data) == (5...10).map { "n\($0)" })
                _ = try await publish(port: a, json: #"{"data": "n11"}"#, channel: channel)
                #expect(try await resumed.nextEvent()?.data == "n11")
                #expect(!resumed.rawText.contains("Last-Event-ID 4 is older"), "B knew event 4: \(resumed.rawText)")
                await resumed.close()

                // Straight after a publish on A, its id given to B: B may not have the event yet, and must not replay.
                for round in 1...5 {
                    let receipt = try await publish(port: a, json: #"{"data": "race \#(round)"}"#, channel: channel)
                    let object = try JSONSerialization.jsonObject(with: Data(receipt.body.utf8)) as? [String: Any]
                    let id = try #require(object?["id"] as? String)
                    let client = try await SSEClient.connect(port: b, path: "/channels/\(channel)", headers: [("Last-Event-ID", id)])
                    _ = try await publish(port: a, json: #"{"data": "after race \#(round)"}"#, channel: channel)
                    let next = try await client.nextEvent()
                    #expect(next?.data == "after race \(round)", "after \(id): \(client.rawText)")
                    #expect(next?.lastEventId == String((Int(id) ?? 0) + 1))
                    await client.close()
                }
            }
        }

        @Test func aSixtyKilobyteEventCrossesIntact() async throws {
            try await TestCluster.with(2) { cluster in
                let channel = uniqueChannel("large")
                let subscriber = try await SSEClient.connect(port: cluster.instances[1].port, path: "/channels/\(channel)")
                // 60 KiB, far over NOTIFY's 8000-byte payload limit, with characters that need care on the way.
                let unit = "héllo wörld 🎉 0123456789 abcdefghijklmnopqrstuvwxyz "
                var data = "\"quoted\" and \\ backslashed: "
                while data.utf8.count < 60 * 1024 { data += unit }
                let answer = try await publish(port: cluster.instances[0].port, json: #"{"event": "big", "data": \#(jsonString(data))}"#, channel: channel)
                #expect(answer.status == 202, "\(answer.body)")
                let event = try await subscriber.nextEvent(timeout: .seconds(10))
                #expect(event?.type == "big")
                #expect(event?.data == data)
                await subscriber.close()
            }
        }

        @Test func channelListAndHealthNameTheCluster() async throws {
            try await TestCluster.with(2) { cluster in
                let channel = uniqueChannel("listed")
                for _ in 1...3 { _ = try await publish(port: cluster.instances[0].port, json: #"{"data": "x"}"#, channel: channel) }
                // B never had a subscriber or a publish on this channel, and knows it with its count.
                let listed = await eventually(timeout: .seconds(5)) {
                    let list = try? await send(port: cluster.instances[1].port, .GET, "/api/channels")
                    return list?.body.contains(#""name":"\#(channel)""#) == true && list?.body.contains(#""lastEventId":"3""#) == true
                }
                #expect(listed)
                #expect(await cluster.instances[0].link() == "up")
            }
        }
    }
}
