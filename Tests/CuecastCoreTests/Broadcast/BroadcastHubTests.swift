import Testing

@testable import CuecastCore

/// Fan-out, history, resume and endings, through sinks as the server joins a hub. Frames are compared as their
/// wire text; `e(n)` is the event `id: n / data: en` (see `HubTest`). Cutting off a slow subscriber is the
/// sink's job, so it is tested on the server (`SlowSubscriberTests`, `ChannelSlowSubscriberTests`).
@Suite(.timeLimit(.minutes(1)))
struct BroadcastHubTests {
    private func e(_ id: Int) -> String { HubTest.eventText(id) }

    // MARK: Fan-out

    @Test func everySubscriberGetsTheSameFramesInOrder() {
        let hub = BroadcastHub()
        let listeners = (0..<3).map { _ in HubTest.listen(to: hub, history: .none) }
        #expect(hub.subscriberCount == 3)
        hub.publish(HubTest.event(1))
        hub.publish(.comment("between"))
        hub.publish(HubTest.event(2))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(3))
        hub.finish()
        for listener in listeners {
            #expect(listener.closeReason == .finished)
            #expect(listener.received == [e(1), ": between\n\n", e(2), ": heartbeat\n\n", e(3)])
        }
    }

    /// The server keeps a sink per event loop: each gets every frame, and the counts add their members up.
    @Test func everySinkGetsEveryFrameAndTheCountsAddUp() {
        let hub = BroadcastHub()
        let loops = [HubTest.Loop(), HubTest.Loop()]
        let first = [HubTest.listen(to: hub, on: loops[0]), HubTest.listen(to: hub, on: loops[0])]
        let second = HubTest.listen(to: hub, on: loops[1])
        #expect(hub.subscriberCount == 3)
        #expect(hub.publish(HubTest.event(1)).delivered == 3)
        first[0].leave()
        #expect(hub.subscriberCount == 2)
        #expect(hub.publish(HubTest.event(2)).delivered == 2)
        hub.finish()
        #expect(first[0].received == [e(1)])
        #expect(first[1].received == [e(1), e(2)])
        #expect(second.received == [e(1), e(2)])
        #expect(second.closeReason == .finished)
        #expect(hub.subscriberCount == 0)
    }

    @Test func receiptsCountSequenceAndDeliveries() {
        let hub = BroadcastHub()
        #expect(hub.publish(HubTest.event(1)) == PublishReceipt(sequence: 1, delivered: 0))
        let first = HubTest.listen(to: hub)
        let second = HubTest.listen(to: hub)
        // A heartbeat reaches subscribers but takes no event number.
        #expect(hub.publish(.heartbeat) == PublishReceipt(sequence: 1, delivered: 2))
        second.leave()
        #expect(hub.publish(HubTest.event(2)) == PublishReceipt(sequence: 2, delivered: 1))
        #expect(hub.sequence == 2)
        #expect(first.received == [e(1), ": heartbeat\n\n", e(2)])
    }

    /// The frame maker runs under the hub's lock with the frame's own sequence number.
    @Test func publishMakesTheFrameFromItsSequenceNumber() throws {
        let hub = BroadcastHub()
        for _ in 0..<3 {
            try hub.publish { sequence throws(SSEFieldError) in Frame(event: try SSEEvent(data: "n", id: "seq-\(sequence)")) }
        }
        #expect(hub.lastEventID == "seq-3")
        #expect(hub.hasEvent(id: "seq-1"))
    }

    /// A maker that throws publishes nothing and uses no sequence number.
    @Test func aThrowingMakerPublishesNothing() {
        let hub = BroadcastHub()
        #expect(throws: SSEFieldError.self) {
            try hub.publish { _ throws(SSEFieldError) in Frame(event: try SSEEvent(data: "x", id: "bad\nid")) }
        }
        #expect(hub.sequence == 0)
        #expect(hub.publish(HubTest.event(1)).sequence == 1)
    }

    // MARK: History and late joiners

    @Test func lateJoinerGetsTheHistoryOfTheCurrentPass() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.startPass()
        hub.publish(HubTest.event(3))
        hub.publish(HubTest.event(4))

        let listener = HubTest.listen(to: hub)
        #expect(listener.placement == .fresh)
        #expect(listener.replayed == 2)
        hub.publish(HubTest.event(5))
        hub.finish()
        #expect(listener.received == [e(3), e(4), e(5)])
    }

    @Test func historyRequestNoneAndLastN() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.startPass()
        for id in 2...5 { hub.publish(HubTest.event(id)) }
        #expect(HubTest.history(of: hub, .none) == [])
        #expect(HubTest.history(of: hub, .last(2)) == [e(4), e(5)])
        #expect(HubTest.history(of: hub, .last(0)) == [])
        #expect(HubTest.history(of: hub, .last(99)) == [e(2), e(3), e(4), e(5)])  // never beyond the pass
        #expect(HubTest.history(of: hub, .all) == [e(2), e(3), e(4), e(5)])
    }

    @Test func aNewPassWithNothingYetReplaysNothing() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.startPass()
        #expect(HubTest.listen(to: hub).replayed == 0)
        #expect(hub.lastEventID == "1")
    }

    @Test func resumeAfterAnIDInHistoryReplaysOnlyLaterFrames() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.startPass()
        hub.publish(HubTest.event(3))
        hub.publish(HubTest.event(4))

        // Resuming is not limited to the current pass: the client saw 1 and needs everything after it.
        let resumed = HubTest.listen(to: hub, lastEventID: "1", history: .none)
        #expect(resumed.placement == .resumed)
        #expect(resumed.replayed == 3)
        let atEnd = HubTest.listen(to: hub, lastEventID: "4")
        #expect(atEnd.placement == .resumed)
        #expect(atEnd.replayed == 0)
        hub.finish()
        #expect(resumed.received == [e(2), e(3), e(4)])
        #expect(atEnd.received == [])
    }

    @Test func unknownIDFallsBackToTheRequestedHistory() {
        let hub = BroadcastHub()
        for id in 1...3 { hub.publish(HubTest.event(id)) }
        let fallback = HubTest.listen(to: hub, lastEventID: "99", history: .last(1))
        #expect(fallback.placement == .unknownID)
        #expect(fallback.replayed == 1)
        let none = HubTest.listen(to: hub, lastEventID: "99", history: .none)
        #expect(none.placement == .unknownID)
        #expect(none.replayed == 0)
        hub.finish()
        #expect(fallback.received == [e(3)])
    }

    /// A late joiner hears a scenario's comments (`: verse 2`) in their place; keep-alive beats are not kept.
    @Test func commentsEnterHistoryButHeartbeatsDoNot() {
        let hub = BroadcastHub()
        let live = HubTest.listen(to: hub)
        hub.publish(HubTest.event(1))
        hub.publish(.heartbeat)
        hub.publish(.comment("note"))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(2))
        #expect(HubTest.history(of: hub) == [e(1), ": note\n\n", e(2)])
        #expect(hub.sequence == 2)  // only the events took a number
        #expect(hub.lastEventID == "2")
        hub.publish(.comment("trailing"))
        #expect(hub.lastEventID == "2")  // a comment has no id to resume after
        #expect(HubTest.history(of: hub) == [e(1), ": note\n\n", e(2), ": trailing\n\n"])
        hub.finish()
        #expect(live.received == [e(1), ": heartbeat\n\n", ": note\n\n", ": heartbeat\n\n", e(2), ": trailing\n\n"])
    }

    /// A comment does not take an event number, so ids made from the receipt's sequence run without gaps.
    @Test func commentsTakeNoSequenceNumber() {
        let hub = BroadcastHub()
        #expect(hub.publish(HubTest.event(1)) == PublishReceipt(sequence: 1, delivered: 0))
        #expect(hub.publish(.comment("between")) == PublishReceipt(sequence: 1, delivered: 0))
        var offered: [UInt64] = []
        hub.publish { sequence in
            offered.append(sequence)
            return .comment("made at \(sequence)")
        }
        hub.publish { sequence in
            offered.append(sequence)
            return Frame(event: try! SSEEvent(data: "x", id: "\(sequence)"))
        }
        #expect(offered == [2, 2])  // the comment was offered number 2 but did not use it
        #expect(hub.sequence == 2)
        #expect(hub.lastEventID == "2")
    }

    /// `.last(N)` counts events; the comments between (and after) them come along, the ones before the
    /// first of them do not.
    @Test func lastNCountsEventsAndKeepsTheCommentsBetweenThem() {
        let hub = BroadcastHub()
        hub.publish(.comment("c0"))
        hub.publish(HubTest.event(1))
        hub.publish(.comment("c1"))
        hub.publish(HubTest.event(2))
        hub.publish(.comment("c2a"))
        hub.publish(.comment("c2b"))
        hub.publish(HubTest.event(3))
        hub.publish(.comment("c3"))
        #expect(HubTest.history(of: hub, .last(1)) == [e(3), ": c3\n\n"])
        #expect(HubTest.history(of: hub, .last(2)) == [e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n"])
        #expect(
            HubTest.history(of: hub, .last(3)) == [e(1), ": c1\n\n", e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n"])
        // More events than there are: everything, the leading comment too.
        #expect(
            HubTest.history(of: hub, .last(9)) == [
                ": c0\n\n", e(1), ": c1\n\n", e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n",
            ])
        #expect(HubTest.history(of: hub, .last(0)) == [])
        #expect(HubTest.listen(to: hub, history: .last(2)).replayed == 5)
    }

    /// `.last(N)` stays within the current pass, whose history starts with the pass's own comments.
    @Test func lastNWithCommentsStaysInTheCurrentPass() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(.comment("old"))
        hub.startPass()
        hub.publish(.comment("verse 2"))
        hub.publish(HubTest.event(2))
        #expect(HubTest.history(of: hub, .last(5)) == [": verse 2\n\n", e(2)])
        #expect(HubTest.history(of: hub, .all) == [": verse 2\n\n", e(2)])
        #expect(HubTest.history(of: hub, .last(1)) == [e(2)])  // the comment is before, not between
    }

    /// Resuming after an id replays the comments that followed it, not those before it.
    @Test func resumeReplaysTheCommentsAfterTheID() {
        let hub = BroadcastHub()
        hub.publish(.comment("a"))
        hub.publish(HubTest.event(1))
        hub.publish(.comment("b"))
        hub.publish(HubTest.event(2))
        let resumed = HubTest.listen(to: hub, lastEventID: "1", history: .none)
        #expect(resumed.placement == .resumed)
        #expect(resumed.replayed == 2)
        hub.finish()
        #expect(resumed.received == [": b\n\n", e(2)])
    }

    @Test func historyIsBoundedByTheLimit() {
        let hub = BroadcastHub(configuration: .init(historyLimit: 3))
        for id in 1...5 { hub.publish(HubTest.event(id)) }
        #expect(HubTest.history(of: hub) == [e(3), e(4), e(5)])
        #expect(!hub.hasEvent(id: "2"))
        #expect(hub.hasEvent(id: "3"))
        #expect(HubTest.listen(to: hub, lastEventID: "2").placement == .unknownID)
        #expect(HubTest.listen(to: hub, lastEventID: "3").replayed == 2)
    }

    /// When the start of the pass has scrolled out of history, `.all` gives what is kept.
    @Test func passStartOlderThanTheHistory() {
        let hub = BroadcastHub(configuration: .init(historyLimit: 2))
        hub.publish(HubTest.event(1))
        hub.startPass()
        for id in 2...6 { hub.publish(HubTest.event(id)) }
        #expect(HubTest.history(of: hub) == [e(5), e(6)])
    }

    // MARK: Idle heartbeats

    /// A heartbeat goes out only once `interval` has passed since anything was sent, and the silence then
    /// counts from the heartbeat. It reaches current subscribers but never history or the event count.
    @Test func heartbeatIfIdleWaitsForAWholeIntervalOfSilence() {
        let hub = BroadcastHub()
        let live = HubTest.listen(to: hub)
        let before = ContinuousClock.now
        hub.publish(HubTest.event(1))
        let after = ContinuousClock.now
        #expect(!hub.heartbeatIfIdle(for: .seconds(10), now: before + .seconds(9)))
        #expect(hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(10)))
        #expect(!hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(19)))  // 9 s since the beat
        #expect(hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(20)))
        #expect(hub.sequence == 1)
        #expect(HubTest.history(of: hub) == [e(1)])
        hub.finish()
        #expect(live.received == [e(1), ": heartbeat\n\n", ": heartbeat\n\n"])
    }

    /// Comments are traffic too: one resets the silence.
    @Test func aCommentResetsTheIdleTime() {
        let hub = BroadcastHub()
        let before = ContinuousClock.now
        #expect(hub.heartbeatIfIdle(for: .seconds(5), now: before + .seconds(60)))  // idle since it was made
        hub.publish(.comment("still here"))
        let after = ContinuousClock.now
        #expect(!hub.heartbeatIfIdle(for: .seconds(5), now: after + .seconds(4)))
        #expect(hub.heartbeatIfIdle(for: .seconds(5), now: after + .seconds(5)))
    }

    @Test func noIdleHeartbeatAfterFinish() {
        let hub = BroadcastHub()
        let live = HubTest.listen(to: hub)
        hub.publish(HubTest.event(1))
        hub.finish()
        #expect(!hub.heartbeatIfIdle(for: .seconds(1), now: .now + .seconds(3600)))
        #expect(live.received == [e(1)])
    }

    // MARK: Endings

    @Test func finishEndsEveryMemberAfterWhatWasPublished() {
        let hub = BroadcastHub()
        let first = HubTest.listen(to: hub)
        let second = HubTest.listen(to: hub)
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.finish()
        #expect(hub.isFinished)
        #expect(first.closeReason == .finished)
        #expect(first.received == [e(1), e(2)])
        #expect(second.received == [e(1), e(2)])
        #expect(hub.subscriberCount == 0)
    }

    @Test func aSubscriberAfterFinishGetsTheHistoryThenEnds() {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(.comment("kept"))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(2))
        hub.finish()
        let late = HubTest.listen(to: hub)
        #expect(late.replayed == 3)
        #expect(late.closeReason == .finished)
        #expect(late.received == [e(1), ": kept\n\n", e(2)])
        let none = HubTest.listen(to: hub, history: .none)
        #expect(none.closeReason == .finished)
        #expect(none.received == [])
        #expect(hub.subscriberCount == 0)
    }

    /// Every member is closed after the final frame; the hub stays open, and a member that joins afterwards
    /// hears what is published next (a `disconnect` cue's clients come back this way).
    @Test func closeAllClosesEveryMemberButNotTheHub() {
        let hub = BroadcastHub()
        let listeners = (0..<3).map { _ in HubTest.listen(to: hub) }
        hub.publish(HubTest.event(1))
        hub.closeAll(reason: .shutdown, finalFrame: .comment("server going away"))
        for listener in listeners {
            #expect(listener.closeReason == .shutdown)
            #expect(listener.received == [e(1), ": server going away\n\n"])
        }
        #expect(!hub.isFinished)
        #expect(hub.subscriberCount == 0)
        let back = HubTest.listen(to: hub, lastEventID: "1")
        #expect(back.placement == .resumed)
        #expect(hub.publish(HubTest.event(2)).delivered == 1)
        #expect(back.received == [e(2)])
        #expect(listeners[0].received == [e(1), ": server going away\n\n"])
    }

    // MARK: Concurrency

    /// Many tasks publish at once while subscribers read: each subscriber sees every frame, in one order shared
    /// by all, which is also the sequence order.
    @Test func concurrentPublishersGiveEverySubscriberTheSameTotalOrder() async throws {
        let publishers = 8
        let perPublisher = 250
        let total = publishers * perPublisher
        let hub = BroadcastHub(configuration: .init(historyLimit: 10))
        let loops = [HubTest.Loop(), HubTest.Loop()]
        let listeners = (0..<4).map { index in HubTest.listen(to: hub, on: loops[index % 2]) }
        await withTaskGroup(of: Void.self) { group in
            for publisher in 0..<publishers {
                group.addTask {
                    for index in 0..<perPublisher {
                        hub.publish { sequence in Frame(event: try! SSEEvent(data: "\(publisher)/\(index)", id: "\(sequence)")) }
                        if index % 16 == 0 { await Task.yield() }
                    }
                }
            }
        }
        hub.finish()

        var orders: [[String]] = []
        for listener in listeners { orders.append(await listener.readToEnd()) }
        let first = try #require(orders.first)
        #expect(first.count == total)
        for order in orders.dropFirst() { #expect(order == first) }
        // Ids are the sequence numbers, so the shared order is the publish order under the lock.
        #expect(first.map { $0.split(separator: "\n")[0] } == (1...total).map { "id: \($0)" })
        // Each publisher's frames arrive in the order it published them.
        for publisher in 0..<publishers {
            let own = first.compactMap { text -> Int? in
                let data = text.split(separator: "\n")[1].dropFirst("data: ".count)
                let parts = data.split(separator: "/")
                return Int(parts[0]) == publisher ? Int(parts[1]) : nil
            }
            #expect(own == Array(0..<perPublisher))
        }
    }
}
