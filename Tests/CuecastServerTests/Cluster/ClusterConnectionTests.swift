import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

extension ClusterTests {
    /// Connection ids that name their instance, and drops that reach the instance holding the connection.
    @Suite(.timeLimit(.minutes(2)))
    struct Connections {
        @Test func aDropSentToAnyInstanceReachesTheConnection() async throws {
            try await TestCluster.with(2) { cluster in
                let (a, b) = (cluster.instances[0], cluster.instances[1])
                let channel = uniqueChannel("drop")
                let onA = try await SSEClient.connect(port: a.port, path: "/channels/\(channel)")
                let onB = try await SSEClient.connect(port: b.port, path: "/channels/\(channel)?client=teacher-demo")
                let idA = try #require(onA.header("X-Cuecast-Connection"))
                let idB = try #require(onB.header("X-Cuecast-Connection"))
                // Both are the first stream of their instance, and still differ: each names its instance.
                #expect(idA != idB)
                #expect(idA.hasSuffix("-1") && idB.hasSuffix("-1"), "\(idA) \(idB)")

                // Sent to A, for B's connection: B hangs up on it.
                let answer = try await post(port: a.port, "/api/connections/\(idB)/drop")
                #expect(answer.status == 202, "\(answer.body)")
                let outputs = try await onB.readToEnd(timeout: .seconds(5))
                #expect(outputs.comments.contains { $0.contains("dropped this connection on request") })
                #expect(onA.end == nil, "A's own stream is untouched")

                // By label, sent to A: B's labelled stream ends too.
                let again = try await SSEClient.connect(port: b.port, path: "/channels/\(channel)?client=teacher-demo")
                let byLabel = try await post(port: a.port, "/api/connections/drop?client=teacher-demo")
                #expect(byLabel.status == 202, "\(byLabel.body)")
                _ = try await again.readToEnd(timeout: .seconds(5))
                #expect(again.end == .closed)
                #expect(onA.end == nil)
                await onA.close()
            }
        }

        @Test func channelCountsCoverEveryInstance() async throws {
            try await TestCluster.with(2) { cluster in
                let (a, b) = (cluster.instances[0], cluster.instances[1])
                let channel = uniqueChannel("counted")
                var clients: [SSEClient] = []
                for port in [a.port, a.port, b.port] { clients.append(try await SSEClient.connect(port: port, path: "/channels/\(channel)")) }
                // Each instance writes its counts every two seconds; B's list adds A's two to its own one.
                let counted = await eventually(timeout: .seconds(10), interval: .milliseconds(200)) {
                    guard let list = try? await send(port: b.port, .GET, "/api/channels"),
                        let object = try? JSONSerialization.jsonObject(with: Data(list.body.utf8)) as? [String: Any],
                        let channels = object["channels"] as? [[String: Any]],
                        let entry = channels.first(where: { $0["name"] as? String == channel })
                    else { return false }
                    return entry["subscribers"] as? Int == 3 && object["subscribersCounted"] as? String == "cluster"
                }
                #expect(counted, "B's /api/channels counts the subscribers of both instances")
                for client in clients { await client.close() }
            }
        }
    }
}
