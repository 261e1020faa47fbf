import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

extension PublishingTests {
    /// `POST /streams/{name}/triggers/{trigger}`: a scenario's named event, fired into the live playback (continuing
    /// its ids, entering its history) or into every open solo playback.
    @Suite(.timeLimit(.minutes(1)))
    struct TriggerTests {
        /// A tick every 100 ms, forever, carrying a price that only a trigger moves (the walk's step is 0).
        static let market = """
            {
              "title": "Market", "mode": "live", "heartbeat": false, "welcome": false,
              "values": { "price": { "walk": { "start": 100, "step": 0, "decimals": 0 } } },
              "cues": [{ "at": 0, "repeat": { "every": 100 }, "event": "tick", "data": "{{price}}" }],
              "triggers": {
                "crash": { "adjust": { "percent": -50 }, "event": "market", "data": "crash {{$index}}" },
                "bell": { "event": "bell", "data": "ding" }
              }
            }
            """

        /// A solo stream: one event at once, the next 5 s later; in between, triggers are all that happens.
        static let solo = """
            {
              "title": "Solo", "heartbeat": false, "welcome": false,
              "cues": [{ "at": 0, "data": "first" }, { "after": 5000, "data": "second" }],
              "triggers": { "poke": { "event": "poke", "data": "poke {{$index}}" } }
            }
            """

        /// A live stream that is over within 20 ms of the start.
        static let over = """
            {
              "title": "Over", "mode": "live", "heartbeat": false,
              "cues": [{ "at": 0, "data": "only" }],
              "triggers": { "late": { "data": "too late" } }
            }
            """

        static let plain = """
            { "title": "Plain", "mode": "live", "heartbeat": false, "loop": true, "cues": [{ "at": 0, "repeat": { "every": 100, "count": 3 }, "data": "x" }] }
            """

        static func scenarios() throws -> [Scenario] {
            [try scenario("market", market), try scenario("solo", solo), try scenario("over", over), try scenario("plain", plain)]
        }

        static func unlimited(_ configuration: inout ServerConfiguration) {
            configuration.publishRate = 1_000_000
            configuration.publishBurst = 1_000_000
        }

        static func fire(port: Int, _ stream: String, _ trigger: String) async throws -> FetchedResponse {
            try await post(port: port, "/streams/\(stream)/triggers/\(trigger)")
        }

        /// Reads until the first event of type `type`; returns every event up to and including it.
        static func events(until type: String, from client: SSEClient) async throws -> [ParsedEvent] {
            try await client.read(until: { output in
                if case .event(let event) = output { return event.type == type }
                return false
            }).events
        }

        @Test("a live trigger reaches every subscriber with the stream's next id, moves the walk, and enters history")
        func liveTrigger() async throws {
            try await withServer(Self.scenarios(), configure: Self.unlimited) { port in
                let watcher = try await SSEClient.connect(port: port, path: "/streams/market?history=none")
                let other = try await SSEClient.connect(port: port, path: "/streams/market?history=none")
                let firstTick = try #require(try await watcher.nextEvent())
                #expect(firstTick == ParsedEvent(type: "tick", data: "100", lastEventId: firstTick.lastEventId))

                let response = try await Self.fire(port: port, "market", "crash")
                #expect(response.status == 202, "\(response.body)")
                let answer = try response.json()
                #expect(answer["stream"] as? String == "market")
                #expect(answer["trigger"] as? String == "crash")
                #expect(answer["delivered"] as? Int == 2)
                let firedID = try #require(answer["id"] as? String)

                // The watcher's ids run on without a gap through the trigger's event.
                let before = try await Self.events(until: "market", from: watcher)
                let crash = try #require(before.last)
                #expect(crash == ParsedEvent(type: "market", data: "crash 0", lastEventId: firedID))
                let ids = ([firstTick] + before).compactMap(\.number)
                #expect(ids == Array(ids[0]..<(ids[0] + ids.count)), "ids: \(ids)")
                let otherCrash = try await Self.events(until: "market", from: other).last
                #expect(otherCrash == crash)
                // The price carries on from the new level.
                let afterCrash = try #require(try await watcher.nextEvent())
                #expect(afterCrash.type == "tick")
                #expect(afterCrash.data == "50")
                let crashNumber = try #require(crash.number)
                #expect(afterCrash.number == crashNumber + 1)

                // Resuming after the trigger's id gives what followed it; after the id before it, the trigger itself.
                let afterTrigger = try await SSEClient.connect(port: port, path: "/streams/market", headers: [("Last-Event-ID", firedID)])
                let resumedFirst = try #require(try await afterTrigger.nextEvent())
                #expect(resumedFirst == afterCrash)
                let beforeTrigger = try await SSEClient.connect(port: port, path: "/streams/market?lastEventId=\(crashNumber - 1)")
                let replayedCrash = try #require(try await beforeTrigger.nextEvent())
                #expect(replayedCrash == crash)
                // A newcomer's history holds it too.
                let newcomer = try await SSEClient.connect(port: port, path: "/streams/market")
                let history = try await Self.events(until: "market", from: newcomer)
                #expect(history.last == crash)

                // Fired again: the trigger's own index counts, and the price halves again.
                let again = try await Self.fire(port: port, "market", "crash")
                let againID = try again.json()["id"] as? String
                let second = try await Self.events(until: "market", from: watcher).last
                #expect(second?.data == "crash 1")
                #expect(second?.lastEventId == againID)
                let tick = try await watcher.nextEvent()
                #expect(tick?.data == "25")

                for client in [watcher, other, afterTrigger, beforeTrigger, newcomer] { await client.close() }
            }
        }

        @Test("concurrent triggers and playback: ids stay unique and in order for every subscriber")
        func concurrentTriggers() async throws {
            try await withServer(Self.scenarios(), configure: Self.unlimited) { port in
                let watcher = try await SSEClient.connect(port: port, path: "/streams/market?history=none")
                let fired = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            var ids: [String] = []
                            for _ in 0..<10 {
                                let response = try await Self.fire(port: port, "market", "bell")
                                ids.append(try response.json()["id"] as? String ?? "?")
                            }
                            return ids
                        }
                    }
                    var all: [String] = []
                    for try await ids in group { all += ids }
                    return all
                }
                #expect(Set(fired).count == 40, "every firing got an id of its own")
                var bells: [ParsedEvent] = []
                var seen: [ParsedEvent] = []
                while bells.count < 40 {
                    let event = try #require(try await watcher.nextEvent())
                    seen.append(event)
                    if event.type == "bell" { bells.append(event) }
                }
                let ids = seen.compactMap(\.number)
                #expect(ids == Array(ids[0]..<(ids[0] + ids.count)), "ticks and bells share one gapless sequence")
                let bellIDs = Set(bells.map(\.lastEventId))
                #expect(bellIDs == Set(fired))
                await watcher.close()
            }
        }

        @Test("a solo trigger reaches every open playback, each with its own next id")
        func soloTrigger() async throws {
            try await withServer(Self.scenarios(), configure: Self.unlimited) { port in
                let first = try await SSEClient.connect(port: port, path: "/streams/solo")
                let second = try await SSEClient.connect(port: port, path: "/streams/solo")
                // Their first events prove both playbacks are running.
                let firstEvent = try await first.nextEvent()
                let secondEvent = try await second.nextEvent()
                #expect(firstEvent == ParsedEvent(data: "first", lastEventId: "1"))
                #expect(secondEvent == ParsedEvent(data: "first", lastEventId: "1"))

                let response = try await Self.fire(port: port, "solo", "poke")
                #expect(response.status == 202, "\(response.body)")
                let answer = try response.json()
                #expect(answer["playbacks"] as? Int == 2)
                #expect(answer["delivered"] as? Int == 2)
                #expect(answer["ids"] as? [String] == ["2", "2"])
                for client in [first, second] {
                    let poke = try await client.nextEvent(timeout: .seconds(2))
                    #expect(poke == ParsedEvent(type: "poke", data: "poke 0", lastEventId: "2"))
                }

                // Once the connections are gone, a trigger reaches no one (and says so).
                await first.close()
                await second.close()
                let none = try await eventually {
                    let answer = try await Self.fire(port: port, "solo", "poke").json()
                    return answer["playbacks"] as? Int == 0
                }
                #expect(none)
                let empty = try await Self.fire(port: port, "solo", "poke")
                #expect(empty.status == 202)
                let emptyAnswer = try empty.json()
                #expect(emptyAnswer["delivered"] as? Int == 0)
                #expect(emptyAnswer["ids"] as? [String] == [])
            }
        }

        @Test("an unknown stream or trigger is a 404 that lists what there is")
        func unknown() async throws {
            try await withServer(Self.scenarios()) { port in
                let noStream = try await Self.fire(port: port, "nowhere", "crash")
                #expect(noStream.status == 404)
                let streamError = try noStream.apiError()
                #expect(streamError["code"] as? String == "unknown_stream")
                let streams = Set(streamError["streams"] as? [String] ?? [])
                #expect(streams == ["market", "over", "plain", "solo"])

                let noTrigger = try await Self.fire(port: port, "market", "boom")
                #expect(noTrigger.status == 404)
                let triggerError = try noTrigger.apiError()
                #expect(triggerError["code"] as? String == "unknown_trigger")
                let known = Set(triggerError["triggers"] as? [String] ?? [])
                #expect(known == ["crash", "bell"])
                let message = triggerError["message"] as? String ?? ""
                #expect(message.contains("boom"))

                let noTriggers = try await Self.fire(port: port, "plain", "crash")
                #expect(noTriggers.status == 404)
                let noTriggersError = try noTriggers.apiError()
                #expect(noTriggersError["code"] as? String == "unknown_trigger")
                #expect(noTriggersError["triggers"] as? [String] == [])
            }
        }

        @Test("a trigger on a live stream that has ended: 409")
        func endedStream() async throws {
            try await withServer(Self.scenarios()) { port in
                let finished = try await eventually { try await catalogEntry(port: port, "over")["finished"] as? Bool == true }
                try #require(finished)
                let response = try await Self.fire(port: port, "over", "late")
                #expect(response.status == 409)
                #expect(try response.apiError()["code"] as? String == "stream_ended")
            }
        }
    }
}
