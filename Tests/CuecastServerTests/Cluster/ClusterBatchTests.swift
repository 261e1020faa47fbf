import CuecastTestSupport
import Foundation
import Testing

extension ClusterTests {
    /// Publishes that arrive together share one statement (`ClusterInsertQueue`), with the guarantees of one publish
    /// at a time: ids from one sequence per channel, every event on every instance, in one order.
    @Suite(.timeLimit(.minutes(2)))
    struct Batches {
        @Test func concurrentPublishesShareStatementsAndKeepOneOrder() async throws {
            try await TestCluster.with(3) { cluster in
                let channels = [uniqueChannel("batch-a"), uniqueChannel("batch-b")]
                var subscribers: [(channel: Int, client: SSEClient)] = []
                for instance in cluster.instances {
                    for index in channels.indices {
                        subscribers.append((index, try await SSEClient.connect(port: instance.port, path: "/channels/\(channels[index])")))
                    }
                }
                // 40 publishes at once from each instance, alternating between the two channels: 60 per channel.
                let perInstance = 40
                let receipts = try await withHTTPClient(connections: 3 * perInstance) { client in
                    try await withThrowingTaskGroup(of: (Int, String).self) { group in
                        for (index, instance) in cluster.instances.enumerated() {
                            for number in 1...perInstance {
                                let channel = number % 2
                                group.addTask {
                                    let answer = try await publish(
                                        port: instance.port, json: #"{"data": "from \#(index) #\#(number)"}"#, channel: channels[channel], client: client
                                    )
                                    #expect(answer.status == 202, "\(answer.body)")
                                    let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
                                    return (channel, try #require(object?["id"] as? String))
                                }
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                let perChannel = 3 * perInstance / 2
                for index in channels.indices {
                    let ids = receipts.filter { $0.0 == index }.compactMap { Int($0.1) }.sorted()
                    #expect(ids == Array(1...perChannel), "channel \(index): every id given once")
                }
                var orders: [Int: Set<String>] = [:]
                for (channel, subscriber) in subscribers {
                    let events = try await subscriber.events(perChannel, timeout: .seconds(15))
                    #expect(events.map(\.lastEventId) == (1...perChannel).map(String.init), "ids arrive strictly increasing, without gaps")
                    orders[channel, default: []].insert(events.map(\.data).joined(separator: "|"))
                    await subscriber.close()
                }
                #expect(orders[0]?.count == 1 && orders[1]?.count == 1, "one order per channel on every instance")
                // Every publish was stored, in fewer statements than publishes.
                var rows = 0
                var statements = 0
                for instance in cluster.instances {
                    rows += try await counter("cuecast_cluster_inserted_rows_total", port: instance.port)
                    statements += try await counter("cuecast_cluster_insert_statements_total", port: instance.port)
                }
                #expect(rows == 3 * perInstance)
                #expect(statements < rows, "\(statements) statements for \(rows) publishes")
            }
        }
    }
}
