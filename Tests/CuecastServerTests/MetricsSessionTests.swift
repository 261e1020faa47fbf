import AsyncHTTPClient
import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `GET /metrics` counts what happened, checked through a scripted session on a live server: streams that end,
/// resume (found and not), get 204 and 503, are dropped, cut off and closed by their client; publishing with every
/// answer; a trigger; reloads good and broken. The exposition is read with a strict Prometheus text-format parser
/// (`PrometheusExposition`), and each figure is compared with what the session did.
extension PublishingTests {
    @Suite(.timeLimit(.minutes(2)))
    struct MetricsSessionTests {
        static let token = "s3cret"
        static let auth = [("Authorization", "Bearer \(token)")]

        /// A solo scenario: events 1, 2, 3, then the sentinel `-1` (four events in all).
        static let count = #"{"title": "Count", "heartbeat": false, "cues": [{"at": 0, "repeat": {"every": 10, "count": 3}, "event": "n", "data": "x"}], "end": {"delay": 10}}"#
        /// A live scenario with one event now, a trigger, and its next pass far away.
        static let board = #"{"title": "Board", "mode": "live", "heartbeat": false, "loop": {"delay": 600000}, "cues": [{"at": 0, "data": "ready"}], "triggers": {"ping": {"event": "ping", "data": "pong"}}}"#

        @Test("a scripted session, counted by /metrics and read with a Prometheus text-format parser")
        func scriptedSession() async throws {
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            try folder.write("count.json", Self.count)
            try folder.write("board.json", Self.board)
            let loaded = ScenarioDirectory.load(folder.url.path)
            try #require(loaded.problems.isEmpty)
            let configure: (inout ServerConfiguration) -> Void = {
                $0.scenariosDirectory = folder.url.path
                $0.reloadInterval = .milliseconds(50)
                $0.publishToken = Self.token
                $0.publishRate = 1
                $0.publishBurst = 60
                $0.maxBodyBytes = 2 * 1024 * 1024
                $0.subscriberBufferBytes = 64 * 1024
                $0.maxSubscribers = 4
                $0.closeGracePeriod = .milliseconds(200)
            }
            try await withServer(loaded.scenarios, configure: configure) { port in
                try await withHTTPClient { client in
                    try await Self.session(port: port, folder: folder, client: client)
                }
            }
        }

        static func session(port: Int, folder: TemporaryFolder, client: HTTPClient) async throws {
            // Solo streams: one to its end, one resumed after id 2, one with an id it does not have, one after the end.
            let solo = [
                try await SSEClient.connect(port: port, path: "/streams/count", client: client),
                try await SSEClient.connect(port: port, path: "/streams/count", headers: [("Last-Event-ID", "2")], client: client),
                try await SSEClient.connect(port: port, path: "/streams/count", headers: [("Last-Event-ID", "99")], client: client),
            ]
            let whole = try await solo[0].readToEnd()
            let resumed = try await solo[1].readToEnd()
            let unknown = try await solo[2].readToEnd()
            let ended = try await send(port: port, .GET, "/streams/count", headers: [("Last-Event-ID", "-1")], client: client)
            #expect(whole.events.map(\.lastEventId) == ["1", "2", "3", "-1"])
            #expect(resumed.events.map(\.lastEventId) == ["3", "-1"])
            // A cuecast-reset event (no id) says the id is unknown, then the stream from its start.
            #expect(unknown.events.first?.type == ResumeGap.eventType)
            #expect(unknown.events.map(\.lastEventId) == ["", "1", "2", "3", "-1"])
            #expect(ended.status == 204)

            // A channel: a listener, three publishes, then a resume found in history and one not found.
            let listener = try await SSEClient.connect(port: port, path: "/channels/room", client: client)
            for n in 1...3 {
                let answer = try await publish(port: port, json: #"{"data": "m\#(n)"}"#, channel: "room", headers: auth, client: client)
                try #require(answer.status == 202, "\(answer.body)")
            }
            let heard = try await listener.events(3)
            let found = try await SSEClient.connect(port: port, path: "/channels/room", headers: [("Last-Event-ID", "2")], client: client)
            let lost = try await SSEClient.connect(port: port, path: "/channels/room", headers: [("Last-Event-ID", "zzz")], client: client)
            let foundEvents = try await found.events(1)
            let lostEvents = try await lost.events(4).dropFirst()
            #expect(heard.map(\.data) == ["m1", "m2", "m3"])
            #expect(foundEvents.map(\.lastEventId) == ["3"])
            #expect(lostEvents.map(\.lastEventId) == ["1", "2", "3"])

            // Three streams are open (the solo ones have let go of their slots): one more on the default channel fills
            // the cap of four, and the next is refused.
            let threeOpen = await eventually {
                (try? await send(port: port, .GET, "/healthz", client: client).json()["subscribers"] as? Int) == 3
            }
            try #require(threeOpen)
            let fourth = try await SSEClient.connect(port: port, path: "/subscribeToEvents", client: client)
            let refused = try await send(port: port, .GET, "/subscribeToEvents", client: client)
            #expect(refused.status == 503)

            // The server drops the fourth on request; the client closes two of its own.
            let id = try #require(fourth.header("X-Cuecast-Connection"))
            let drop = try await post(port: port, "/api/connections/\(id)/drop", headers: auth, client: client)
            #expect(drop.status == 202)
            _ = try await fourth.readToEnd()
            await found.close()
            await lost.close()

            // Every exact figure so far, before the cut-off below adds deliveries of its own.
            let streamBytes = (solo + [listener, found, lost]).reduce(0) { $0 + $1.raw.count }
            let early = try await settledScrape(port: port, client: client) { metrics in
                metrics.value("cuecast_streams_open", ["kind": "channel", "stream": "room"]) == 1
                    && metrics.value("cuecast_connections_closed_total", ["reason": "client_gone"]) == 2
            }
            #expect(early.value("cuecast_deliveries_total") == 17)  // 4 + 2 + 4 solo; 3 + 1 + 3 on the channel
            let bytes = try #require(early.value("cuecast_written_bytes_total"))
            #expect(bytes > 0 && bytes <= Double(streamBytes), "the frames written are part of the bodies received")

            // Publishing refused: malformed JSON (400), no token (401), a body declared over the limit (413).
            let malformed = try await publish(port: port, json: #"{"data": "#, channel: "room", headers: auth, client: client)
            let anonymous = try await publish(port: port, json: #"{"data": "x"}"#, channel: "room", client: client)
            let oversized = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try oversized.send(
                "POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\nContent-Type: text/plain\r\nContent-Length: 3000000\r\n\r\n"
            )
            let tooLarge = await oversized.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") }.text
            oversized.close()
            #expect(malformed.status == 400)
            #expect(anonymous.status == 401)
            #expect(tooLarge.hasPrefix("HTTP/1.1 413"), "\(tooLarge.debugDescription)")

            // A subscriber that stops reading, fed 1 MiB events until it is cut off.
            let stalled = try RawSocket(port: port, receiveBuffer: 4096)
            try stalled.send("GET /channels/flood?history=none HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
            let joined = await eventually { (try? await channelSubscribers(port: port, "flood", client: client)) == 1 }
            try #require(joined)
            let big = #"{"data": "\#(String(repeating: "z", count: 1024 * 1024))"}"#
            var floodPublished = 0
            var cutOff = false
            while floodPublished < 40, !cutOff {
                let answer = try await publish(port: port, json: big, channel: "flood", headers: auth, client: client)
                try #require(answer.status == 202, "\(answer.body)")
                floodPublished += 1
                cutOff = try answer.json()["delivered"] as? Int == 0
            }
            try #require(cutOff, "the stalled subscriber was not cut off after \(floodPublished) events of 1 MiB")
            stalled.close()

            // A trigger, then publishes until the rate limit answers 429.
            let fired = try await post(port: port, "/streams/board/triggers/ping", headers: auth, client: client)
            #expect(fired.status == 202)
            var spam202 = 0
            var limited = false
            while spam202 < 200, !limited {
                let answer = try await publish(port: port, json: #"{"data": "spam"}"#, channel: "spam", headers: auth, client: client)
                if answer.status == 429 { limited = true } else { spam202 += 1 }
            }
            try #require(limited)

            // Reloads: a good edit of count.json, then a broken one.
            try folder.write("count.json", count.replacingOccurrences(of: #""x""#, with: #""y""#))
            try bumpModificationTime(folder.url.appendingPathComponent("count.json"))
            let good = try await settledScrape(port: port, client: client) { $0.value("cuecast_scenario_reloads_total", ["result": "good"]) == 1 }
            try folder.write("count.json", #"{"title": "#)
            try bumpModificationTime(folder.url.appendingPathComponent("count.json"))
            let metrics = try await settledScrape(port: port, client: client) { metrics in
                metrics.value("cuecast_scenario_reloads_total", ["result": "broken"]) == 1
                    && metrics.value("cuecast_connections_closed_total", ["reason": "cut_off"]) == 1
            }
            #expect(good.value("cuecast_scenario_reloads_total", ["result": "broken"]) == 0)

            // The whole session, figure by figure.
            #expect(metrics.types["cuecast_streams_open"] == .gauge)
            #expect(metrics.types["cuecast_deliveries_total"] == .counter)
            #expect(metrics.value("cuecast_connections_opened_total", ["kind": "scenario"]) == 3)
            #expect(metrics.value("cuecast_connections_opened_total", ["kind": "channel"]) == 5)
            #expect(metrics.value("cuecast_connections_closed_total", ["reason": "sentinel"]) == 3)
            #expect(metrics.value("cuecast_connections_closed_total", ["reason": "dropped"]) == 1)
            #expect(metrics.value("cuecast_connections_closed_total", ["reason": "client_gone"]) == 2)
            #expect(metrics.value("cuecast_connections_closed_total", ["reason": "cut_off"]) == 1)
            #expect(metrics.value("cuecast_connections_closed_total", ["reason": "shutdown"]) == 0)
            #expect(metrics.value("cuecast_streams_open", ["kind": "scenario", "stream": "count"]) == 0)
            #expect(metrics.value("cuecast_streams_open", ["kind": "channel", "stream": "room"]) == 1)
            #expect(metrics.value("cuecast_streams_open", ["kind": "channel", "stream": "default"]) == 0)
            #expect(metrics.value("cuecast_streams_open", ["kind": "channel", "stream": "flood"]) == 0)
            #expect(metrics.value("cuecast_resumes_total", ["result": "found"]) == 2)
            #expect(metrics.value("cuecast_resumes_total", ["result": "not_found"]) == 2)
            #expect(metrics.value("cuecast_no_content_total") == 1)
            #expect(metrics.value("cuecast_subscriber_refusals_total") == 1)
            // Scenario events: 4 + 2 + 4 from the solo playbacks, 1 from the live board.
            #expect(metrics.value("cuecast_events_published_total", ["source": "scenario"]) == 11)
            let publishes = Double(3 + floodPublished + spam202)
            #expect(metrics.value("cuecast_events_published_total", ["source": "publish"]) == publishes)
            #expect(metrics.value("cuecast_events_published_total", ["source": "trigger"]) == 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "202"]) == publishes + 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "400"]) == 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "401"]) == 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "413"]) == 1)
            #expect(metrics.value("cuecast_publish_responses_total", ["status": "429"]) == 1)
            #expect(metrics.value("cuecast_scenario_reloads_total", ["result": "good"]) == 1)
            #expect(metrics.value("cuecast_scenario_reloads_total", ["result": "broken"]) == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/streams/{name}", "status": "200"]) == 3)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/streams/{name}", "status": "204"]) == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/channels/{name}", "status": "200"]) == 4)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/subscribeToEvents", "status": "200"]) == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/subscribeToEvents", "status": "503"]) == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/generateEvent", "status": "429"]) == 1)
            let deliveries = try #require(metrics.value("cuecast_deliveries_total"))
            #expect(deliveries >= 17 + 1)  // at least one flood event reached the stalled subscriber before it stalled
            await listener.close()
        }

        /// Scrapes until `ready` holds (the server counts a close when the connection is gone, a moment after the
        /// client sees the end); fails with the last exposition otherwise.
        static func settledScrape(
            port: Int, client: HTTPClient, _ ready: (PrometheusExposition) -> Bool
        ) async throws -> PrometheusExposition {
            var last: PrometheusExposition?
            let settled = try await eventually {
                let metrics = try await scrape(port: port, client: client)
                last = metrics
                return ready(metrics)
            }
            let metrics = try #require(last)
            try #require(settled, "the metrics never settled:\n\(metrics.samples.filter { $0.name.hasPrefix("cuecast_") })")
            return metrics
        }

        static func bumpModificationTime(_ url: URL) throws {
            let later = Date().addingTimeInterval(Double.random(in: 1...1000))
            try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: url.path)
        }

        static func channelSubscribers(port: Int, _ name: String, client: HTTPClient) async throws -> Int? {
            let list = try await send(port: port, .GET, "/api/channels", client: client).json()
            let channels = list["channels"] as? [[String: Any]] ?? []
            return channels.first { $0["name"] as? String == name }?["subscribers"] as? Int
        }
    }
}

/// `GET /metrics`, parsed strictly.
func scrape(port: Int, headers: [(String, String)] = [], client: HTTPClient = .shared) async throws -> PrometheusExposition {
    let response = try await send(port: port, .GET, "/metrics", headers: headers, client: client)
    try #require(response.status == 200, "GET /metrics answered \(response.status): \(response.body)")
    #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
    return try PrometheusExposition(parsing: response.body)
}
