import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Server-wide limits, through HTTP on a live port: the history memory budget, the `cuecast-reset` answer to a
/// `Last-Event-ID` that is gone, channels that come and go, and the hostile run's smaller findings (NUL in a path,
/// two `Host`s, the connection list beyond loopback).
@Suite(.timeLimit(.minutes(1)))
struct ServerLimitsTests {
    /// A server where one client may publish as fast as a test needs.
    static let open = PublishingTests.PublishTests.unlimited

    // MARK: History budget

    @Test("history past the memory budget: the oldest goes first, /healthz and /metrics show it, a resume there gets cuecast-reset")
    func historyBudget() async throws {
        let event = String(repeating: "x", count: 30_000)
        try await withServer([], configure: {
            Self.open(&$0)
            $0.historyBudget = HistoryBudget(limitBytes: 400_000)
        }) { port in
            for channel in ["first", "second", "third"] {
                for _ in 0..<10 { #expect(try await publish(port: port, json: #"{"data": "\#(event)"}"#, channel: channel).status == 202) }
            }
            let health = try await fetch(port: port, "/healthz").json()
            let history = try #require(health["history"] as? [String: Any])
            let used = try #require(history["bytes"] as? Int)
            #expect(history["limitBytes"] as? Int == 400_000)
            #expect(used <= 400_000 && used > 300_000, "\(history)")
            #expect((history["evicted"] as? Int ?? 0) >= 17)
            let metrics = try PrometheusExposition(parsing: try await fetch(port: port, "/metrics").body)
            #expect(metrics.value("cuecast_history_bytes") == Double(used))
            #expect(metrics.value("cuecast_history_limit_bytes") == 400_000)
            #expect((metrics.value("cuecast_history_evicted_total") ?? 0) >= 17)

            // The first channel lost everything; the last one kept all ten.
            let first = try await SSEClient.connect(port: port, path: "/channels/first", headers: [("Last-Event-ID", "3")])
            let gap = try #require(try await first.nextEvent())
            #expect(gap.type == ResumeGap.eventType)
            #expect(gap.lastEventId == "")  // it carries no id: the client's last id is untouched
            let data = try #require(try JSONSerialization.jsonObject(with: Data(gap.data.utf8)) as? [String: Any])
            #expect(data["lastEventId"] as? String == "3")
            #expect(data["reason"] as? String == "expired")
            await first.close()
            let third = try await SSEClient.connect(port: port, path: "/channels/third", headers: [("Last-Event-ID", "1")])
            let resumed = try #require(try await third.nextEvent())
            #expect(resumed.lastEventId == "2")
            await third.close()
        }
    }

    @Test("a Last-Event-ID never sent gets cuecast-reset with reason unknown, then the history kept")
    func unknownID() async throws {
        try await withServer([], configure: { Self.open(&$0); $0.channelHistoryLimit = 2 }) { port in
            try await PublishingTests.ChannelTests.publishMany(port: port, channel: "log", count: 5)
            let client = try await SSEClient.connect(port: port, path: "/channels/log", headers: [("Last-Event-ID", "99")])
            let events = try await client.events(3)
            #expect(events.map(\.type) == [ResumeGap.eventType, "message", "message"])
            #expect(events.dropFirst().map(\.lastEventId) == ["4", "5"])
            let data = try #require(try JSONSerialization.jsonObject(with: Data(events[0].data.utf8)) as? [String: Any])
            #expect(data["reason"] as? String == "unknown")
            #expect(data["oldestId"] as? String == "4")
            await client.close()
        }
    }

    // MARK: Solo resume

    /// Endless rolls, 20 ms apart, ids 1, 2, 3...
    static let endless = """
        { "title": "Endless", "heartbeat": false, "seed": 5, "values": { "face": { "int": [1, 1000000] } },
          "cues": [{ "at": 20, "repeat": { "every": 20 }, "event": "roll", "data": "{{face}}" }] }
        """

    /// The event with id `id`, as an uninterrupted playback sends it.
    static func expected(_ scenario: Scenario, id: String) -> SSEEvent? {
        var timeline = Timeline(scenario: scenario)
        while let entry = timeline.next() {
            if case .event(let event) = entry.item, event.id == id { return event }
        }
        return nil
    }

    @Test("a solo resume continues with the same events, whether found on the event loop (id 10) or in the stream's task (id 5000)", arguments: [10, 5000])
    func soloResume(id: Int) async throws {
        let endless = try scenario("endless", Self.endless)
        try await withServer([endless]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/endless", headers: [("Last-Event-ID", String(id))])
            let next = try #require(try await client.nextEvent())
            let expected = try #require(Self.expected(endless, id: String(id + 1)))
            #expect(next.lastEventId == String(id + 1))
            #expect(next.data == expected.data)
            #expect(!client.rawText.contains(ResumeGap.eventType))
            await client.close()
            let metrics = try PrometheusExposition(parsing: try await fetch(port: port, "/metrics").body)
            #expect(metrics.value("cuecast_resumes_total", ["result": "found"]) == 1)
        }
    }

    @Test("a solo stream told an id it never sends starts over, after a cuecast-reset event saying so")
    func soloUnknown() async throws {
        try await withServer([try scenario("endless", Self.endless)]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/endless", headers: [("Last-Event-ID", "9999999")])
            let events = try await client.events(2)
            #expect(events.map(\.type) == [ResumeGap.eventType, "roll"])
            #expect(events.last?.lastEventId == "1")
            let data = try #require(try JSONSerialization.jsonObject(with: Data(events[0].data.utf8)) as? [String: Any])
            #expect(data["replay"] as? String == "start")
            await client.close()
        }
    }

    // MARK: Channels

    @Test("at the channel limit a new channel replaces one nobody uses; channels that all have subscribers hold it")
    func channelsComeAndGo() async throws {
        try await withServer([], configure: {
            Self.open(&$0)
            $0.maxChannels = 3
            $0.channelReclaimAfter = .zero
        }) { port in
            // Made by publishing, nobody listening: the first two hold no one out.
            for channel in ["a", "b", "c", "d"] {
                #expect(try await publish(port: port, json: #"{"data": "hi"}"#, channel: channel).status == 202)
            }
            let listed = try await fetch(port: port, "/api/channels").json()["channels"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["name"] as? String } == ["c", "d", "default"])
            // With subscribers on both, the limit holds, and says how to get room.
            let c = try await SSEClient.connect(port: port, path: "/channels/c")
            let d = try await SSEClient.connect(port: port, path: "/channels/d")
            _ = try await c.next()
            _ = try await d.next()
            let refused = try await publish(port: port, json: #"{"data": "hi"}"#, channel: "e")
            #expect(refused.status == 503)
            #expect(try refused.apiError()["code"] as? String == "too_many_channels")
            await c.close()
            await d.close()
        }
    }

    @Test("a page on another site may join a channel but not create one")
    func crossSiteSubscriberCannotCreate() async throws {
        try await withServer([], configure: { Self.open(&$0) }) { port in
            let headers = [("Origin", "https://elsewhere.example")]
            let refused = try await send(port: port, .GET, "/channels/junk1", headers: headers)
            #expect(refused.status == 404)
            #expect(try refused.apiError()["code"] as? String == "unknown_channel")
            let listed = try await fetch(port: port, "/api/channels").json()["channels"] as? [[String: Any]]
            #expect(listed?.count == 1)
            #expect(try await publish(port: port, json: #"{"data": "hi"}"#, channel: "class").status == 202)
            let joined = try await SSEClient.connect(port: port, path: "/channels/class", headers: headers)
            #expect(joined.status == 200)
            #expect(try await joined.nextEvent()?.data == "hi")
            await joined.close()
            // A program (no Origin) still creates a channel by subscribing.
            let program = try await SSEClient.connect(port: port, path: "/channels/made-by-curl")
            #expect(program.status == 200)
            await program.close()
        }
    }

    // MARK: The smaller findings

    @Test("a NUL byte in a path is refused with 400, never served as the file named before it")
    func nulInPath() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("public/index.html", "<h1>home</h1>")
        try folder.write("public/memes/if-it-streams.svg", "<svg/>")
        let publicPath = folder.path("public")
        try await withServer([], configure: { $0.publicDirectory = publicPath }) { port in
            #expect(try await fetch(port: port, "/memes/if-it-streams.svg").status == 200)
            for path in ["/memes/if-it-streams.svg%00.html", "/index.html%00.js", "/streams/x%00", "/%00"] {
                let response = try await fetch(port: port, path)
                #expect(response.status == 400, "\(path) answered \(response.status) \(response.header("Content-Type") ?? "")")
                #expect(try response.apiError()["code"] as? String == "bad_path")
                #expect(!response.body.contains("<svg") && !response.body.contains("home"))
            }
        }
    }

    // Serialized: `rawRequest` blocks its thread, and the cooperative pool has as few threads as cores.
    @Test(
        "a request with two Host headers is refused with 400, on the router and on the stream door", .serialized,
        arguments: ["/healthz", "/channels/x", "/streams/none"]
    )
    func twoHosts(path: String) async throws {
        try await withServer([]) { port in
            let answer = try rawRequest(
                port: port, from: "127.0.0.1", "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
            )
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains("ambiguous_host"))
            let one = try rawRequest(port: port, from: "127.0.0.1", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(one.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("beyond loopback the connection list and the drops need the publish token; on loopback the list needs none")
    func connectionsArePrivileged() async throws {
        try await withServer([], configure: { $0.host = "0.0.0.0"; $0.publishToken = "t" }) { port in
            let stream = try await SSEClient.connect(port: port, path: "/channels/room?client=alice", host: "127.0.0.1")
            let without = try await send(port: port, .GET, "/api/connections", host: "127.0.0.1")
            #expect(without.status == 401)
            #expect(!without.body.contains("alice"))
            let with = try await send(port: port, .GET, "/api/connections", headers: [("Authorization", "Bearer t")], host: "127.0.0.1")
            #expect(with.status == 200 && with.body.contains("alice"))
            #expect(try await post(port: port, "/api/connections/drop?client=alice", host: "127.0.0.1").status == 401)
            await stream.close()
        }
        try await withServer([], configure: { $0.publishToken = "t" }) { port in
            let listed = try await fetch(port: port, "/api/connections")
            #expect(listed.status == 200)
        }
    }
}
