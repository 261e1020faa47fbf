import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

extension PublishingTests {
    /// A channel subscriber that stops reading is cut off once it is `subscriberBufferBytes` behind, with a comment
    /// saying so, while the others go on receiving everything; it resumes with `Last-Event-ID`.
    @Suite(.timeLimit(.minutes(1)))
    struct ChannelSlowSubscriberTests {
        static let request = "GET /channels/busy?history=none HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"

        @Test("a stalled channel subscriber is cut off with a notice, the reader gets every event, and Last-Event-ID resumes")
        func stalledChannelSubscriber() async throws {
            let configure: (inout ServerConfiguration) -> Void = {
                $0.subscriberBufferBytes = 128 * 1024
                // Long enough for the test to come back and read the notice.
                $0.closeGracePeriod = .seconds(20)
                // Enough history to resume the stalled subscriber from wherever it was cut off.
                $0.channelHistoryLimit = 1000
                $0.publishRate = 1_000_000
                $0.publishBurst = 1_000_000
            }
            try await withServer([], configure: configure) { port in
                let stalled = try RawSocket(port: port, receiveBuffer: 4096)
                try stalled.send(Self.request)
                let reader = try await SSEClient.connect(port: port, path: "/channels/busy?history=none")
                let bothJoined = try await eventually { try await Self.subscribers(port: port) == 2 }
                try #require(bothJoined)

                // Publish 16 KB events, each read by the reader before the next (it keeps up), until one no longer
                // reaches the stalled subscriber: it has been cut off.
                let payload = String(repeating: "x", count: 16 * 1024)
                var readerEvents: [ParsedEvent] = []
                var published = 0
                var cutOff = false
                while published < 900 {
                    let response = try await publish(port: port, json: #"{"data": "\#(published + 1) \#(payload)"}"#, channel: "busy")
                    published += 1
                    let delivered = try response.json()["delivered"] as? Int
                    readerEvents += try await reader.events(1)
                    if delivered == 1 {
                        cutOff = true
                        break
                    }
                    try #require(delivered == 2, "publish \(published) reached \(String(describing: delivered)) subscribers")
                }
                try #require(cutOff, "the stalled subscriber was never cut off after \(published) events")

                // Reading again lets the server finish its stuck write and send its last words: the notice.
                guard let (outputs, notice) = try await readCutOffStream(stalled, timeout: .seconds(10)) else { return }
                #expect(notice.contains("Last-Event-ID"))
                let stalledIDs = outputs.events.compactMap(\.number)
                let last = try #require(stalledIDs.last, "the stalled subscriber got no event at all")
                #expect(stalledIDs == Array(1...last), "the stalled subscriber's events ran 1, 2, 3... until it was cut off")
                #expect(last < published)

                // The reader was never cut off and got every event, in order.
                let readerIDs = readerEvents.compactMap(\.number)
                #expect(readerIDs == Array(1...published))
                var readerParser = EventStreamParser()
                let readerComments = readerParser.feed(reader.raw).comments
                let readerCutOff = readerComments.contains { $0.hasPrefix("cut off") }
                #expect(!readerCutOff)
                #expect(reader.end == nil)

                // Reconnecting with the last id it got resumes exactly after it, with nothing missed.
                let resumed = try await SSEClient.connect(port: port, path: "/channels/busy", headers: [("Last-Event-ID", String(last))])
                let replayOutputs = try await resumed.read(until: { output in
                    if case .event(let event) = output { return event.number == published }
                    return false
                }, timeout: .seconds(10))
                let replayIDs = replayOutputs.events.compactMap(\.number)
                #expect(replayIDs == Array((last + 1)...published))
                let missed = replayOutputs.comments.filter { $0.contains("missed") }
                #expect(missed.isEmpty)

                // The stalled connection is gone; the reader and the resumed subscriber both get what comes next.
                let settled = try await eventually { try await Self.subscribers(port: port) == 2 }
                #expect(settled)
                let next = try await publish(port: port, json: #"{"data": "after"}"#, channel: "busy")
                #expect(try next.json()["delivered"] as? Int == 2)
                let readerNext = try await reader.nextEvent()
                let resumedNext = try await resumed.nextEvent()
                #expect(readerNext?.number == published + 1)
                #expect(resumedNext?.number == published + 1)
                await reader.close()
                await resumed.close()
            }
        }

        /// Subscribers of the `busy` channel, as `/api/channels` reports them.
        static func subscribers(port: Int) async throws -> Int? {
            let channels = try await fetch(port: port, "/api/channels").json()["channels"] as? [[String: Any]] ?? []
            let busy = channels.first { $0["name"] as? String == "busy" }
            return busy?["subscribers"] as? Int
        }
    }
}
