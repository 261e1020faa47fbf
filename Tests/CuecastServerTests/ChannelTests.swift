import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

extension PublishingTests {
    /// Channels: `/subscribeToEvents` and `/channels/{name}` stream what is published to them, with the same headers,
    /// heartbeat, retry, history and resume rules as `/streams`.
    @Suite(.timeLimit(.minutes(1)))
    struct ChannelTests {
        /// Publishes `count` events with data `prefix0`, `prefix1`... to `channel`; returns the ids answered.
        @discardableResult
        static func publishMany(port: Int, channel: String, count: Int, prefix: String = "e") async throws -> [String] {
            var ids: [String] = []
            for index in 0..<count {
                let response = try await publish(port: port, json: #"{"data": "\#(prefix)\#(index)"}"#, channel: channel)
                #expect(response.status == 202, "\(response.body)")
                ids.append(try response.json()["id"] as? String ?? "?")
            }
            return ids
        }

        @Test("SSE headers, then the welcome comment and retry before any event", arguments: ["/subscribeToEvents", "/channels/news"])
        func preamble(path: String) async throws {
            try await withServer([]) { port in
                let client = try await SSEClient.connect(port: port, path: path)
                #expect(client.status == 200)
                #expect(client.header("Content-Type") == "text/event-stream")
                #expect(client.header("Cache-Control") == "no-cache, no-transform")
                #expect(client.header("X-Accel-Buffering") == "no")
                #expect(client.header("Content-Length") == nil)
                let first = try await client.next(timeout: .seconds(2))
                let second = try await client.next(timeout: .seconds(2))
                let welcome =
                    path == "/subscribeToEvents"
                    ? "channel 'default': events published with POST /generateEvent arrive here"
                    : "channel 'news': events published with POST /generateEvent?channel=news arrive here"
                #expect(first == .comment(welcome))
                #expect(second == .retry(3000))
                await client.close()
            }
        }

        @Test("channels are separate: each has its own subscribers and its own ids from 1")
        func separateChannels() async throws {
            try await withServer([]) { port in
                let red = try await SSEClient.connect(port: port, path: "/channels/red")
                let blue = try await SSEClient.connect(port: port, path: "/channels/blue")
                let main = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let redIDs = try await Self.publishMany(port: port, channel: "red", count: 3, prefix: "red")
                let blueIDs = try await Self.publishMany(port: port, channel: "blue", count: 2, prefix: "blue")
                let defaultAnswer = try await post(port: port, "/generateEvent", body: "plain")
                #expect(redIDs == ["1", "2", "3"])
                #expect(blueIDs == ["1", "2"])
                #expect(try defaultAnswer.json()["id"] as? String == "1")
                // Named "default", the default channel is the one /subscribeToEvents streams.
                let named = try await publish(port: port, json: #"{"data": "named default"}"#, channel: "default")
                #expect(try named.json()["id"] as? String == "2")

                let redData = try await red.events(3).map(\.data)
                let blueData = try await blue.events(2).map(\.data)
                let mainData = try await main.events(2).map(\.data)
                #expect(redData == ["red0", "red1", "red2"])
                #expect(blueData == ["blue0", "blue1"])
                #expect(mainData == ["plain", "named default"])
                // Nothing more arrives on any of them: a publish to one channel reaches only that channel.
                _ = try await post(port: port, "/generateEvent?channel=blue", body: "last")
                let blueLast = try await blue.nextEvent()
                #expect(blueLast?.data == "last")
                let redExtra = try? await red.nextEvent(timeout: .milliseconds(200))
                #expect(redExtra == nil)
                for client in [red, blue, main] { await client.close() }
            }
        }

        @Test("channel history: a late joiner gets it; Last-Event-ID and ?lastEventId= resume after an id; ?history= limits it")
        func historyAndResume() async throws {
            try await withServer([]) { port in
                try await Self.publishMany(port: port, channel: "log", count: 5)
                async let all = SSEClient.connect(port: port, path: "/channels/log")
                async let header = SSEClient.connect(port: port, path: "/channels/log", headers: [("Last-Event-ID", "2")])
                async let query = SSEClient.connect(port: port, path: "/channels/log?lastEventId=4")
                async let both = SSEClient.connect(port: port, path: "/channels/log?lastEventId=1", headers: [("Last-Event-ID", "3")])
                async let two = SSEClient.connect(port: port, path: "/channels/log?history=2")
                async let none = SSEClient.connect(port: port, path: "/channels/log?history=none")
                async let latest = SSEClient.connect(port: port, path: "/channels/log", headers: [("Last-Event-ID", "5")])
                let clients = try await (all: all, header: header, query: query, both: both, two: two, none: none, latest: latest)
                // One live event marks the end of each replay.
                _ = try await publish(port: port, json: #"{"data": "live"}"#, channel: "log")

                func idsUntilLive(_ client: SSEClient) async throws -> [String] {
                    let outputs = try await client.read(until: { output in
                        if case .event(let event) = output { return event.data == "live" }
                        return false
                    })
                    // A resume that found its id says nothing about it.
                    let notices = outputs.comments.filter { $0.contains("Last-Event-ID") }
                    #expect(notices.isEmpty, "\(notices)")
                    return outputs.events.map(\.lastEventId)
                }
                #expect(try await idsUntilLive(clients.all) == ["1", "2", "3", "4", "5", "6"])
                #expect(try await idsUntilLive(clients.header) == ["3", "4", "5", "6"])
                #expect(try await idsUntilLive(clients.query) == ["5", "6"])
                // The header wins over the query parameter.
                #expect(try await idsUntilLive(clients.both) == ["4", "5", "6"])
                #expect(try await idsUntilLive(clients.two) == ["4", "5", "6"])
                #expect(try await idsUntilLive(clients.none) == ["6"])
                #expect(try await idsUntilLive(clients.latest) == ["6"])
                for client in [clients.all, clients.header, clients.query, clients.both, clients.two, clients.none, clients.latest] {
                    await client.close()
                }
            }
        }

        @Test("an id older than the history (or unknown): a notice and a cuecast-reset event, then all that is kept")
        func olderThanHistory() async throws {
            try await withServer([], configure: { $0.channelHistoryLimit = 3 }) { port in
                try await Self.publishMany(port: port, channel: "short", count: 6)
                for id in ["1", "nonsense"] {
                    let client = try await SSEClient.connect(port: port, path: "/channels/short", headers: [("Last-Event-ID", id)])
                    let outputs = try await client.read(until: { output in
                        if case .event(let event) = output { return event.lastEventId == "6" }
                        return false
                    })
                    await client.close()
                    let events = outputs.events
                    #expect(events.dropFirst().map(\.lastEventId) == ["4", "5", "6"], "only the last 3 are kept")
                    // Welcome, retry, then the notice and the cuecast-reset event (no id), before the replay.
                    guard outputs.count == 7, case .comment(let notice) = outputs[2], let reset = events.first else {
                        Issue.record("expected welcome, retry, notice, cuecast-reset, three events; got \(outputs)")
                        continue
                    }
                    #expect(notice.contains("Last-Event-ID \(id)"), "\(notice)")
                    #expect(notice.contains("missed"), "\(notice)")
                    #expect(notice.contains(id == "1" ? "at most 3 events" : "never sent"), "\(notice)")
                    #expect(reset.type == ResumeGap.eventType && reset.lastEventId == "")
                    let gap = ResumeGap(type: reset.type, data: reset.data)
                    #expect(gap == ResumeGap(lastEventID: id, reason: id == "1" ? .expired : .unknown, oldestEventID: "4", replay: "history"))
                }
            }
        }

        @Test("a quiet channel sends heartbeat comments; they take no id and stay out of history")
        func heartbeat() async throws {
            try await withServer([], configure: { $0.channelHeartbeat = .milliseconds(200) }) { port in
                let started = ContinuousClock.now
                let client = try await SSEClient.connect(port: port, path: "/channels/quiet")
                var beats = 0
                while beats < 3 {
                    let output = try #require(try await client.next(timeout: .seconds(3)))
                    if output == .comment("heartbeat") { beats += 1 }
                }
                let elapsed = ContinuousClock.now - started
                // Each beat comes after 200 ms of silence: three cannot come sooner than 600 ms.
                #expect(elapsed >= .milliseconds(600), "three heartbeats in \(elapsed)")
                #expect(client.rawText.contains("\n: heartbeat\n\n"))

                // A publish counts as activity: the next heartbeat waits a full interval after it.
                let publishedAt = ContinuousClock.now
                let answer = try await publish(port: port, json: #"{"data": "awake"}"#, channel: "quiet")
                #expect(try answer.json()["id"] as? String == "1", "heartbeats take no id")
                let untilEvent = try await client.read(until: { output in
                    if case .event = output { return true }
                    return false
                })
                let awake = untilEvent.events.map(\.data)
                #expect(awake == ["awake"])
                let untilBeat = try await client.read(until: { $0 == .comment("heartbeat") })
                let gap = ContinuousClock.now - publishedAt
                #expect(untilBeat.count == 1, "only the heartbeat: \(untilBeat)")
                #expect(gap >= .milliseconds(200), "a heartbeat \(gap) after an event")

                // A late joiner's replay holds the event, not the heartbeats.
                let late = try await SSEClient.connect(port: port, path: "/channels/quiet")
                let replay = try await late.read(until: { output in
                    if case .event = output { return true }
                    return false
                })
                #expect(replay.comments == ["channel 'quiet': events published with POST /generateEvent?channel=quiet arrive here"])
                await late.close()
                await client.close()
            }
        }

        @Test("the channel heartbeat ticker does not hold up shutdown, however long its interval")
        func heartbeatStopsAtShutdown() async throws {
            let started = ContinuousClock.now
            var returned = started
            try await withServer([], configure: { $0.channelHeartbeat = .seconds(60) }) { port in
                let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                await client.close()
            }
            returned = ContinuousClock.now
            // Checking every 15 s, a ticker that slept through shutdown would keep the server up that long.
            let took = returned - started
            #expect(took < .seconds(3), "the server took \(took) to start, serve one stream and stop")
        }

        @Test("GET /api/channels lists channels with subscribers and last id")
        func apiChannels() async throws {
            try await withServer([]) { port in
                let first = try await SSEClient.connect(port: port, path: "/channels/alpha")
                let second = try await SSEClient.connect(port: port, path: "/channels/alpha")
                try await Self.publishMany(port: port, channel: "alpha", count: 3)
                try await Self.publishMany(port: port, channel: "beta", count: 1)

                let response = try await fetch(port: port, "/api/channels")
                #expect(response.status == 200)
                #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
                let channels = try #require(try response.json()["channels"] as? [[String: Any]])
                let names = channels.compactMap { $0["name"] as? String }
                #expect(names == ["alpha", "beta", "default"])
                guard channels.count == 3 else { return }
                let alpha = channels[0]
                #expect(alpha["subscribers"] as? Int == 2)
                #expect(alpha["lastEventId"] as? String == "3")
                #expect(alpha["events"] as? Int == 3)
                #expect(alpha["stream"] as? String == "/channels/alpha")
                #expect(alpha["publish"] as? String == "/generateEvent?channel=alpha")
                #expect(alpha["curl"] as? String == "curl -N http://localhost:\(port)/channels/alpha")
                #expect(channels[1]["subscribers"] as? Int == 0)
                #expect(channels[1]["lastEventId"] as? String == "1")
                let defaultChannel = channels[2]
                #expect(defaultChannel["subscribers"] as? Int == 0)
                #expect(defaultChannel["lastEventId"] is NSNull)
                #expect(defaultChannel["events"] as? Int == 0)
                #expect(defaultChannel["publish"] as? String == "/generateEvent")

                // Subscribers that leave are no longer counted.
                await first.close()
                await second.close()
                let gone = try await eventually {
                    let list = try await fetch(port: port, "/api/channels").json()["channels"] as? [[String: Any]] ?? []
                    return list.first?["subscribers"] as? Int == 0
                }
                #expect(gone)
            }
        }

        @Test(
            "a bad channel name to subscribe to: 400 that says what is wrong",
            arguments: ["-dash-first", "has%20space", "\(String(repeating: "x", count: 65))", "caf%C3%A9", "a%2Fb"]
        )
        func badChannelName(name: String) async throws {
            try await withServer([]) { port in
                let response = try await fetch(port: port, "/channels/\(name)")
                #expect(response.status == 400)
                let error = try response.apiError()
                #expect(error["code"] as? String == "bad_channel")
                #expect(error["field"] as? String == "channel")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("letters, digits"), "\(message)")
            }
        }

        @Test(
            "channel streams take the same query parameters as live streams, and refuse the rest",
            arguments: [
                ("/channels/ok?speed=2", "speed_on_live"), ("/subscribeToEvents?seed=1", "seed_on_live"),
                ("/channels/ok?history=lots", "bad_history"), ("/channels/ok?lastEventId=a%0Ab", "bad_last_event_id"),
                ("/subscribeToEvents?channel=ok", "unknown_parameter"),
            ]
        )
        func badStreamParameters(path: String, code: String) async throws {
            try await withServer([]) { port in
                let response = try await fetch(port: port, path)
                #expect(response.status == 400)
                #expect(try response.apiError()["code"] as? String == code)
            }
        }

        @Test("names at the edges of the rules are accepted")
        func goodChannelNames() async throws {
            try await withServer([]) { port in
                for name in ["a", "9lives", "room_1.v2-b", String(repeating: "z", count: 64)] {
                    let response = try await post(port: port, "/generateEvent?channel=\(name)", body: "hi")
                    #expect(response.status == 202, "\(name): \(response.body)")
                }
            }
        }

        @Test("the number of channels is bounded: one too many gets 503 with Retry-After")
        func tooManyChannels() async throws {
            try await withServer([], configure: { $0.maxChannels = 2 }) { port in
                // The default channel is one; one more fits.
                #expect(try await post(port: port, "/generateEvent?channel=one", body: "x").status == 202)
                let refused = try await post(port: port, "/generateEvent?channel=two", body: "x")
                #expect(refused.status == 503)
                #expect(try refused.apiError()["code"] as? String == "too_many_channels")
                #expect(refused.header("Retry-After") != nil)
                let subscribe = try await fetch(port: port, "/channels/three")
                #expect(subscribe.status == 503)
                // Existing channels still work.
                #expect(try await post(port: port, "/generateEvent?channel=one", body: "y").status == 202)
            }
        }
    }
}
