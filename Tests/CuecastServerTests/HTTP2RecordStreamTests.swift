import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// An HTTP/2 event stream is a record on its connection, not a stream channel (`HTTP2StreamDoor`); every other
/// request on the same connection gets a stream channel for Hummingbird. These play both on one real connection.
@Suite("HTTP/2 event streams as records on their connection", .timeLimit(.minutes(1)))
struct HTTP2RecordStreamTests {
    @Test("an event stream and pages on one HTTP/2 connection: pages and a refused stream are answered, the stream keeps streaming")
    func streamBesidePages() async throws {
        try await withServer([]) { port in
            let client = try await HTTP2TestClient(port: port)
            let stream = try await client.get("/channels/mixed?history=none")
            let joined = try await eventually { try await subscriberCount(channel: "mixed", port: port) == 1 }
            try #require(joined)

            let health = try await client.get("/healthz")
            let healthEnded = await eventually { health.ended }
            #expect(healthEnded && health.status == 200 && health.text.contains("\"status\":\"ok\""), "\(health.text.debugDescription)")
            let bad = try await client.get("/subscribeToEvents?histroy=1")
            let badEnded = await eventually { bad.ended }
            #expect(badEnded && bad.status == 400 && bad.text.contains("unknown_parameter"), "\(bad.text.debugDescription)")

            _ = try await publish(port: port, json: #"{"data": "after the pages"}"#, channel: "mixed")
            let delivered = await eventually { stream.text.contains("data: after the pages\n\n") }
            #expect(delivered, "\(stream.text.debugDescription)")
            #expect(stream.status == 200 && !stream.ended)
            await client.close()
        }
    }

    @Test("a client's RST_STREAM on an event stream gives back its slot at once; the connection's next stream is served")
    func resetFreesTheSlot() async throws {
        try await withServer([], configure: { $0.maxSubscribers = 1 }) { port in
            let client = try await HTTP2TestClient(port: port)
            let first = try await client.get("/channels/reset?history=none")
            let joined = try await eventually { try await subscriberCount(channel: "reset", port: port) == 1 }
            try #require(joined)
            await first.reset()
            let left = try await eventually { try await subscriberCount(channel: "reset", port: port) == 0 }
            #expect(left, "the reset stream still holds its slot")

            let second = try await client.get("/channels/reset?history=none")
            let rejoined = try await eventually { try await subscriberCount(channel: "reset", port: port) == 1 }
            #expect(rejoined && second.status == 200, "the next stream got \(second.status): \(second.text.debugDescription)")
            await client.close()
        }
    }

    @Test("a drop requested over the API ends an HTTP/2 event stream with its notice and END_STREAM; the connection stays open")
    func dropOverTheAPI() async throws {
        try await withServer([]) { port in
            let client = try await HTTP2TestClient(port: port)
            let dropped = try await client.get("/channels/drop?history=none&client=h2lab")
            let kept = try await client.get("/channels/drop?history=none")
            let joined = try await eventually { try await subscriberCount(channel: "drop", port: port) == 2 }
            try #require(joined)
            let status = try await post(port: port, "/api/connections/drop?client=h2lab").status
            #expect(status == 202)
            let ended = await eventually { dropped.ended }
            #expect(ended && dropped.text.contains(": the server dropped this connection on request"), "\(dropped.text.debugDescription)")
            let one = try await eventually { try await subscriberCount(channel: "drop", port: port) == 1 }
            #expect(one)
            _ = try await publish(port: port, json: #"{"data": "still here"}"#, channel: "drop")
            let delivered = await eventually { kept.text.contains("data: still here\n\n") }
            #expect(delivered && !kept.ended, "\(kept.text.debugDescription)")
            await client.close()
        }
    }

    @Test("200 event streams on one connection: each gets the event once; closing the connection gives back every slot")
    func manyStreamsOnOneConnection() async throws {
        try await withServer([]) { port in
            let client = try await HTTP2TestClient(port: port)
            var streams: [HTTP2TestClient.Stream] = []
            for _ in 0..<200 { streams.append(try await client.get("/channels/many?history=none")) }
            let joined = try await eventually(timeout: .seconds(10)) { try await subscriberCount(channel: "many", port: port) == 200 }
            try #require(joined)

            _ = try await publish(port: port, json: #"{"data": "to all"}"#, channel: "many")
            let everyone = await eventually(timeout: .seconds(10)) { streams.allSatisfy { $0.text.contains("data: to all\n\n") } }
            #expect(everyone, "\(streams.filter { !$0.text.contains("data: to all") }.count) streams did not get the event")
            #expect(streams.allSatisfy { $0.text.components(separatedBy: "data: to all").count == 2 && $0.status == 200 })

            await client.close()
            let gone = try await eventually(timeout: .seconds(10)) { try await subscriberCount(channel: "many", port: port) == 0 }
            #expect(gone, "streams of a closed connection still hold their slots")
        }
    }
}
