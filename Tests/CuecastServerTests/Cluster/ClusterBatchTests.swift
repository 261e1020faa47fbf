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

        /// The table is trimmed in steps (`ClusterBatchStatement`): a stream keeps between one and two history limits
        /// of rows, and an instance that joins later still starts from exactly the newest history.
        @Test func theTableIsTrimmedInStepsAndAJoiningInstanceStartsFromTheNewestHistory() async throws {
            let history = ["--channel-history", "5"]
            let channel = uniqueChannel("trim")
            try await TestCluster.with(1, extra: history) { cluster in
                for number in 1...23 {
                    let answer = try await publish(port: cluster.instances[0].port, json: #"{"data": "n\#(number)"}"#, channel: channel)
                    #expect(answer.status == 202, "\(answer.body)")
                }
            }
            // One publish at a time is one row a statement: the stream was trimmed as its numbers reached 5, 10, 15
            // and 20, the last time down to 15, so 16 to 23 are kept (psql fails, and so the test, on anything else).
            try await ClusterDatabase.sql(
                """
                DO $$ DECLARE kept bigint[] := ARRAY(SELECT seq FROM cuecast_events WHERE stream = 'channel:\(channel)' ORDER BY seq);
                BEGIN IF kept IS DISTINCT FROM ARRAY(SELECT generate_series(16, 23)::bigint) THEN RAISE EXCEPTION 'kept %', kept; END IF; END $$
                """
            )
            try await TestCluster.with(1, extra: history) { joined in
                let port = joined.instances[0].port
                let resumed = try await SSEClient.connect(port: port, path: "/channels/\(channel)", headers: [("Last-Event-ID", "19")])
                #expect(try await resumed.events(4).map(\.data) == (20...23).map { "n\($0)" })
                await resumed.close()
                // Further back than five: the joining instance has the newest five, as the one that published had
                // (after the event that says the resume point is older than its history, which has no id).
                let late = try await SSEClient.connect(port: port, path: "/channels/\(channel)", headers: [("Last-Event-ID", "16")])
                let events = try await late.events(6)
                #expect(events.map(\.lastEventId) == [""] + (19...23).map(String.init), "\(late.rawText)")
                await late.close()
            }
        }
    }
}
