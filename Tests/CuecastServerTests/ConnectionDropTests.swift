import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The server hangs up on a stream when asked, so a teacher can show a browser reconnecting with Last-Event-ID.
@Suite(.timeLimit(.minutes(1)))
struct ConnectionDropTests {
    static let ticking = """
        {"title": "Ticking", "heartbeat": false, "cues": [{"at": 0, "repeat": {"every": 30, "count": 200}, "data": "t{{$index}}"}]}
        """

    @Test func droppingByLabelEndsThatStreamWithANoticeAndResumeContinues() async throws {
        try await withServer([try scenario("ticking", Self.ticking)]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/ticking?client=lab")
            let id = client.header("X-Cuecast-Connection")
            let first = try await client.nextEvent()
            let listed = try await fetch(port: port, "/api/connections").body
            let status = try await post(port: port, "/api/connections/drop?client=lab").status
            let rest = try await client.readToEnd()
            let lastID = rest.events.last?.lastEventId ?? first?.lastEventId ?? ""
            // Reconnecting as EventSource does picks up right after the last event received.
            let resumed = try await SSEClient.connect(port: port, path: "/streams/ticking", headers: [("Last-Event-ID", lastID)])
            let next = try await resumed.nextEvent()
            await resumed.close()
            let emptied = await eventually { (try? await fetch(port: port, "/api/connections").body.contains("\"lab\"")) == false }
            let noticed = rest.comments.contains { $0.contains("dropped this connection on request") }
            let nextNumber = next.flatMap { Int($0.lastEventId) }

            #expect(id != nil)
            #expect(first?.data == "t0")
            #expect(listed.contains("\"client\":\"lab\""))
            #expect(status == 202)
            #expect(noticed)
            #expect(nextNumber == (Int(lastID) ?? -10) + 1)
            #expect(emptied)
        }
    }

    @Test func droppingByIdAndUnknownIds() async throws {
        try await withServer([try scenario("ticking", Self.ticking)]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/ticking")
            let id = try #require(client.header("X-Cuecast-Connection"))
            _ = try await client.nextEvent()
            let dropped = try await post(port: port, "/api/connections/\(id)/drop").status
            let ended = try await client.readToEnd()
            let unknown = try await post(port: port, "/api/connections/999999/drop").status
            let bad = try await post(port: port, "/api/connections/abc/drop").status
            let missing = try await post(port: port, "/api/connections/drop").status
            let noticed = ended.comments.contains { $0.contains("dropped") }
            #expect(dropped == 202)
            #expect(noticed)
            #expect(unknown == 404)
            #expect(bad == 400)
            #expect(missing == 400)
        }
    }
}
