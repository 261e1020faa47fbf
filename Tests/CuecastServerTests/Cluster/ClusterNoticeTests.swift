import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

extension ClusterTests {
    /// A stored event travels to every instance inside its `NOTIFY` when it fits, so no instance reads it back;
    /// one too large for the payload is read from the table, as every event once was.
    @Suite(.timeLimit(.minutes(2)))
    struct Notices {
        static func counts(_ cluster: TestCluster) async throws -> [(notified: Int, read: Int)] {
            var counts: [(notified: Int, read: Int)] = []
            for instance in cluster.instances {
                counts.append((
                    try await counter("cuecast_cluster_rows_notified_total", port: instance.port),
                    try await counter("cuecast_cluster_rows_read_total", port: instance.port)
                ))
            }
            return counts
        }

        @Test func smallEventsTravelInTheNotificationAndLargeOnesAreReadBack() async throws {
            try await TestCluster.with(2) { cluster in
                let channel = uniqueChannel("notice")
                // One subscriber on each instance: once both have an event, both instances have applied it.
                var subscribers: [SSEClient] = []
                for instance in cluster.instances {
                    subscribers.append(try await SSEClient.connect(port: instance.port, path: "/channels/\(channel)"))
                }
                let before = try await Self.counts(cluster)
                // Fields that need care inside JSON inside a NOTIFY: quotes, backslashes, line breaks, non-ASCII,
                // an id of the publisher's own, a retry.
                let bodies = [
                    #"{"event": "plain", "data": "one"}"#,
                    #"{"data": "two \"quoted\" \\ back\nslashed\nand 🎉 wörld"}"#,
                    #"{"event": "own-id", "data": "three", "id": "mine:3", "retry": 2500}"#,
                ]
                for body in bodies {
                    let answer = try await publish(port: cluster.instances[0].port, json: body, channel: channel)
                    #expect(answer.status == 202, "\(answer.body)")
                }
                for subscriber in subscribers {
                    #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(type: "plain", data: "one", lastEventId: "1"))
                    #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(data: "two \"quoted\" \\ back\nslashed\nand 🎉 wörld", lastEventId: "2"))
                    #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(type: "own-id", data: "three", lastEventId: "mine:3"))
                    #expect(subscriber.rawText.contains("retry: 2500\n"))
                }
                let small = try await Self.counts(cluster)
                for (index, (was, now)) in zip(before, small).enumerated() {
                    #expect(now.notified - was.notified == 3, "instance \(index) applied the three from their notifications")
                    #expect(now.read == was.read, "instance \(index) read nothing back")
                }

                // 9,000 bytes: over NOTIFY's payload limit, so the notification carries only the stream and number.
                let large = String(repeating: "x", count: 9_000)
                let answer = try await publish(port: cluster.instances[0].port, json: #"{"event": "large", "data": "\#(large)"}"#, channel: channel)
                #expect(answer.status == 202, "\(answer.body)")
                for subscriber in subscribers {
                    #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(type: "large", data: large, lastEventId: "4"))
                }
                let after = try await Self.counts(cluster)
                for (index, (was, now)) in zip(small, after).enumerated() {
                    #expect(now.read - was.read == 1, "instance \(index) read the large one from the table")
                    #expect(now.notified == was.notified)
                }
                for subscriber in subscribers { await subscriber.close() }
            }
        }

        /// Notices that do not continue where an instance is, or do not read, send it to the table, which holds the
        /// truth: a forged row ahead of the table, a gap, and broken JSON reach no subscriber.
        @Test func aNoticeWithAGapOrBrokenRowsIsCheckedAgainstTheTable() async throws {
            try await TestCluster.with(1) { cluster in
                let channel = uniqueChannel("gap")
                let port = cluster.instances[0].port
                let subscriber = try await SSEClient.connect(port: port, path: "/channels/\(channel)")
                #expect(try await publish(port: port, json: #"{"data": "real 1"}"#, channel: channel).status == 202)
                #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(data: "real 1", lastEventId: "1"))
                let read = try await counter("cuecast_cluster_rows_read_total", port: port)
                // Number 3 after 1 (a gap), then rows that are not JSON, then a row with a kind no one writes.
                for payload in [
                    #"channel:\#(channel):3\#n[[3,0,null,"FORGED 3",null,null,0,0,false]]"#,
                    #"channel:\#(channel):2\#n[[2,0,null,"BROKEN"#,
                    #"channel:\#(channel):2\#n[[2,99,null,"ODD KIND",null,null,0,0,false]]"#,
                ] {
                    try await ClusterDatabase.sql("SELECT pg_notify('cuecast', $forged$\(payload)$forged$)")
                }
                #expect(try await publish(port: port, json: #"{"data": "real 2"}"#, channel: channel).status == 202)
                #expect(try await subscriber.nextEvent(timeout: .seconds(10)) == ParsedEvent(data: "real 2", lastEventId: "2"))
                #expect(try await counter("cuecast_cluster_rows_read_total", port: port) == read, "the table had nothing after 1")
                #expect(!subscriber.rawText.contains("FORGED") && !subscriber.rawText.contains("BROKEN") && !subscriber.rawText.contains("ODD KIND"))
                await subscriber.close()
            }
        }
    }
}
