import Synchronization
import Testing

@testable import CuecastCore

/// Fan-out, history, resume, slow subscribers and endings. Frames are compared as their wire text; `e(n)` is
/// the event `id: n / data: en` (see `HubTest`).
@Suite(.timeLimit(.minutes(1)))
struct BroadcastHubTests {
    private func e(_ id: Int) -> String { HubTest.eventText(id) }

    // MARK: Fan-out

    @Test func everySubscriberGetsTheSameFramesInOrder() async {
        let hub = BroadcastHub()
        let subscriptions = (0..<3).map { _ in hub.subscribe(history: .none).subscription }
        #expect(hub.subscriberCount == 3)
        hub.publish(HubTest.event(1))
        hub.publish(.comment("between"))
        hub.publish(HubTest.event(2))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(3))
        hub.finish()
        for subscription in subscriptions {
            #expect(await HubTest.read(subscription) == [e(1), ": between\n\n", e(2), ": heartbeat\n\n", e(3)])
        }
    }

    /// A waiting reader is woken by the next publish.
    @Test func aWaitingSubscriberIsWokenByPublish() async {
        let hub = BroadcastHub()
        let subscription = hub.subscribe().subscription
        async let batch = subscription.next()
        while !hub.hasWaiter(subscription) { await Task.yield() }
        hub.publish(HubTest.event(1))
        #expect(await batch.map(HubTest.texts) == [e(1)])
    }

    @Test func receiptsCountSequenceAndDeliveries() {
        let hub = BroadcastHub()
        #expect(hub.publish(HubTest.event(1)) == PublishReceipt(sequence: 1, delivered: 0))
        let first = hub.subscribe().subscription
        let second = hub.subscribe().subscription
        withExtendedLifetime(first) {
            // A heartbeat reaches subscribers but takes no event number.
            #expect(hub.publish(.heartbeat) == PublishReceipt(sequence: 1, delivered: 2))
            second.close(.clientGone)
            #expect(hub.publish(HubTest.event(2)) == PublishReceipt(sequence: 2, delivered: 1))
        }
        #expect(hub.sequence == 2)
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

    @Test func lateJoinerGetsTheHistoryOfTheCurrentPass() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.startPass()
        hub.publish(HubTest.event(3))
        hub.publish(HubTest.event(4))

        let outcome = hub.subscribe()
        #expect(outcome.placement == .fresh)
        #expect(outcome.replayed == 2)
        hub.publish(HubTest.event(5))
        hub.finish()
        #expect(await HubTest.read(outcome.subscription) == [e(3), e(4), e(5)])
    }

    @Test func historyRequestNoneAndLastN() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.startPass()
        for id in 2...5 { hub.publish(HubTest.event(id)) }
        #expect(await HubTest.history(of: hub, .none) == [])
        #expect(await HubTest.history(of: hub, .last(2)) == [e(4), e(5)])
        #expect(await HubTest.history(of: hub, .last(0)) == [])
        #expect(await HubTest.history(of: hub, .last(99)) == [e(2), e(3), e(4), e(5)])  // never beyond the pass
        #expect(await HubTest.history(of: hub, .all) == [e(2), e(3), e(4), e(5)])
    }

    @Test func aNewPassWithNothingYetReplaysNothing() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.startPass()
        #expect(hub.subscribe().replayed == 0)
        #expect(hub.lastEventID == "1")
    }

    @Test func resumeAfterAnIDInHistoryReplaysOnlyLaterFrames() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.startPass()
        hub.publish(HubTest.event(3))
        hub.publish(HubTest.event(4))

        // Resuming is not limited to the current pass: the client saw 1 and needs everything after it.
        let outcome = hub.subscribe(lastEventID: "1", history: .none)
        #expect(outcome.placement == .resumed)
        #expect(outcome.replayed == 3)
        let atEnd = hub.subscribe(lastEventID: "4")
        #expect(atEnd.placement == .resumed)
        #expect(atEnd.replayed == 0)
        hub.finish()
        #expect(await HubTest.read(outcome.subscription) == [e(2), e(3), e(4)])
        #expect(await HubTest.read(atEnd.subscription) == [])
    }

    @Test func unknownIDFallsBackToTheRequestedHistory() async {
        let hub = BroadcastHub()
        for id in 1...3 { hub.publish(HubTest.event(id)) }
        let outcome = hub.subscribe(lastEventID: "99", history: .last(1))
        #expect(outcome.placement == .unknownID)
        #expect(outcome.replayed == 1)
        let none = hub.subscribe(lastEventID: "99", history: .none)
        #expect(none.placement == .unknownID)
        #expect(none.replayed == 0)
        hub.finish()
        #expect(await HubTest.read(outcome.subscription) == [e(3)])
    }

    /// A late joiner hears a scenario's comments (`: verse 2`) in their place; keep-alive beats are not kept.
    @Test func commentsEnterHistoryButHeartbeatsDoNot() async {
        let hub = BroadcastHub()
        let live = hub.subscribe().subscription
        hub.publish(HubTest.event(1))
        hub.publish(.heartbeat)
        hub.publish(.comment("note"))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(2))
        #expect(await HubTest.history(of: hub) == [e(1), ": note\n\n", e(2)])
        #expect(hub.sequence == 2)  // only the events took a number
        #expect(hub.lastEventID == "2")
        hub.publish(.comment("trailing"))
        #expect(hub.lastEventID == "2")  // a comment has no id to resume after
        #expect(await HubTest.history(of: hub) == [e(1), ": note\n\n", e(2), ": trailing\n\n"])
        hub.finish()
        #expect(
            await HubTest.read(live) == [e(1), ": heartbeat\n\n", ": note\n\n", ": heartbeat\n\n", e(2), ": trailing\n\n"])
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
    @Test func lastNCountsEventsAndKeepsTheCommentsBetweenThem() async {
        let hub = BroadcastHub()
        hub.publish(.comment("c0"))
        hub.publish(HubTest.event(1))
        hub.publish(.comment("c1"))
        hub.publish(HubTest.event(2))
        hub.publish(.comment("c2a"))
        hub.publish(.comment("c2b"))
        hub.publish(HubTest.event(3))
        hub.publish(.comment("c3"))
        #expect(await HubTest.history(of: hub, .last(1)) == [e(3), ": c3\n\n"])
        #expect(await HubTest.history(of: hub, .last(2)) == [e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n"])
        #expect(
            await HubTest.history(of: hub, .last(3)) == [e(1), ": c1\n\n", e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n"])
        // More events than there are: everything, the leading comment too.
        #expect(
            await HubTest.history(of: hub, .last(9)) == [
                ": c0\n\n", e(1), ": c1\n\n", e(2), ": c2a\n\n", ": c2b\n\n", e(3), ": c3\n\n",
            ])
        #expect(await HubTest.history(of: hub, .last(0)) == [])
        #expect(hub.subscribe(history: .last(2)).replayed == 5)
    }

    /// `.last(N)` stays within the current pass, whose history starts with the pass's own comments.
    @Test func lastNWithCommentsStaysInTheCurrentPass() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(.comment("old"))
        hub.startPass()
        hub.publish(.comment("verse 2"))
        hub.publish(HubTest.event(2))
        #expect(await HubTest.history(of: hub, .last(5)) == [": verse 2\n\n", e(2)])
        #expect(await HubTest.history(of: hub, .all) == [": verse 2\n\n", e(2)])
        #expect(await HubTest.history(of: hub, .last(1)) == [e(2)])  // the comment is before, not between
    }

    /// Resuming after an id replays the comments that followed it, not those before it.
    @Test func resumeReplaysTheCommentsAfterTheID() async {
        let hub = BroadcastHub()
        hub.publish(.comment("a"))
        hub.publish(HubTest.event(1))
        hub.publish(.comment("b"))
        hub.publish(HubTest.event(2))
        let outcome = hub.subscribe(lastEventID: "1", history: .none)
        #expect(outcome.placement == .resumed)
        #expect(outcome.replayed == 2)
        hub.finish()
        #expect(await HubTest.read(outcome.subscription) == [": b\n\n", e(2)])
    }

    @Test func historyIsBoundedByTheLimit() async {
        let hub = BroadcastHub(configuration: .init(historyLimit: 3))
        for id in 1...5 { hub.publish(HubTest.event(id)) }
        #expect(await HubTest.history(of: hub) == [e(3), e(4), e(5)])
        #expect(!hub.hasEvent(id: "2"))
        #expect(hub.hasEvent(id: "3"))
        #expect(hub.subscribe(lastEventID: "2").placement == .unknownID)
        #expect(hub.subscribe(lastEventID: "3").replayed == 2)
    }

    /// When the start of the pass has scrolled out of history, `.all` gives what is kept.
    @Test func passStartOlderThanTheHistory() async {
        let hub = BroadcastHub(configuration: .init(historyLimit: 2))
        hub.publish(HubTest.event(1))
        hub.startPass()
        for id in 2...6 { hub.publish(HubTest.event(id)) }
        #expect(await HubTest.history(of: hub) == [e(5), e(6)])
    }

    // MARK: Idle heartbeats

    /// A heartbeat goes out only once `interval` has passed since anything was sent, and the silence then
    /// counts from the heartbeat. It reaches current subscribers but never history or the event count.
    @Test func heartbeatIfIdleWaitsForAWholeIntervalOfSilence() async {
        let hub = BroadcastHub()
        let live = hub.subscribe().subscription
        let before = ContinuousClock.now
        hub.publish(HubTest.event(1))
        let after = ContinuousClock.now
        #expect(!hub.heartbeatIfIdle(for: .seconds(10), now: before + .seconds(9)))
        #expect(hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(10)))
        #expect(!hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(19)))  // 9 s since the beat
        #expect(hub.heartbeatIfIdle(for: .seconds(10), now: after + .seconds(20)))
        #expect(hub.sequence == 1)
        #expect(await HubTest.history(of: hub) == [e(1)])
        hub.finish()
        #expect(await HubTest.read(live) == [e(1), ": heartbeat\n\n", ": heartbeat\n\n"])
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

    @Test func noIdleHeartbeatAfterFinish() async {
        let hub = BroadcastHub()
        let live = hub.subscribe().subscription
        hub.publish(HubTest.event(1))
        hub.finish()
        #expect(!hub.heartbeatIfIdle(for: .seconds(1), now: .now + .seconds(3600)))
        #expect(await HubTest.read(live) == [e(1)])
    }

    // MARK: Slow subscribers

    /// A subscriber that stops reading is cut off once its queue would pass the limit, while one that keeps
    /// reading gets every frame.
    @Test func aSlowSubscriberIsCutOffAndTheOthersAreNot() async {
        let hub = BroadcastHub(configuration: .init(subscriberBufferBytes: 60))
        let slow = hub.subscribe().subscription
        let reader = hub.subscribe().subscription
        var received: [String] = []
        var deliveries: [Int] = []
        for id in 1...10 {
            deliveries.append(hub.publish(HubTest.event(id)).delivered)  // 16 bytes each up to id 9
            received += await reader.next().map(HubTest.texts) ?? []
        }
        hub.finish()  // does not override an earlier close reason; keeps `closed()` from waiting if there was none
        // The slow one holds 3 frames (48 bytes); the 4th would make 64 > 60.
        #expect(deliveries == [2, 2, 2, 1, 1, 1, 1, 1, 1, 1])
        #expect(received == (1...10).map(e))
        #expect(await slow.closed() == .overflow)
        #expect(
            await HubTest.read(slow) == [
                ": cut off: this connection fell too far behind the stream; reconnect with Last-Event-ID to resume\n\n"
            ])
        #expect(await reader.closed() == .finished)
    }

    /// A frame bigger than the whole buffer cuts a subscriber off even with an empty queue.
    @Test func aFrameLargerThanTheBufferCutsOff() async {
        let hub = BroadcastHub(configuration: .init(subscriberBufferBytes: 10))
        let subscription = hub.subscribe().subscription
        #expect(hub.publish(HubTest.event(1, data: "far too long for ten bytes")).delivered == 0)
        hub.finish()
        #expect(await subscription.closed() == .overflow)
        #expect(await HubTest.read(subscription).count == 1)
    }

    /// The replayed history does not count against the buffer, but only until it has been read: afterwards
    /// the subscriber may fall behind by `subscriberBufferBytes`, like everyone else.
    @Test func replayAllowanceEndsOnceTheReplayIsRead() async {
        let hub = BroadcastHub(configuration: .init(historyLimit: 100, subscriberBufferBytes: 60))
        for id in 1...10 { hub.publish(HubTest.event(id)) }  // 162 bytes of history, more than the buffer
        let late = hub.subscribe()
        #expect(late.replayed == 10)
        #expect(await late.subscription.next()?.count == 10)
        var delivered: [Int] = []
        for id in 11...20 { delivered.append(hub.publish(HubTest.event(id)).delivered) }  // 18 bytes each
        hub.finish()
        #expect(delivered == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0])  // 3 × 18 = 54 fit in 60, a 4th does not
        #expect(await late.subscription.closed() == .overflow)
    }

    // MARK: Endings

    @Test func finishDrainsThenEndsEverySubscription() async {
        let hub = BroadcastHub()
        let first = hub.subscribe().subscription
        let second = hub.subscribe().subscription
        hub.publish(HubTest.event(1))
        hub.publish(HubTest.event(2))
        hub.finish()
        #expect(hub.isFinished)
        #expect(await first.closed() == .finished)
        #expect(await HubTest.read(first) == [e(1), e(2)])
        #expect(await HubTest.read(second) == [e(1), e(2)])
        #expect(await first.next() == nil)  // stays ended
    }

    @Test func aSubscriberAfterFinishGetsTheHistoryThenEnds() async {
        let hub = BroadcastHub()
        hub.publish(HubTest.event(1))
        hub.publish(.comment("kept"))
        hub.publish(.heartbeat)
        hub.publish(HubTest.event(2))
        hub.finish()
        let outcome = hub.subscribe()
        #expect(outcome.replayed == 3)
        #expect(await outcome.subscription.closed() == .finished)
        #expect(await HubTest.read(outcome.subscription) == [e(1), ": kept\n\n", e(2)])
        #expect(await HubTest.read(hub.subscribe(history: .none).subscription) == [])
    }

    @Test func closeReasonsThatDrainKeepTheQueueAndAddTheFinalFrame() async {
        let hub = BroadcastHub()
        let dropped = hub.subscribe().subscription
        let gone = hub.subscribe().subscription
        hub.publish(HubTest.event(1))
        dropped.close(.dropped, finalFrame: .comment("bye"))
        gone.close(.clientGone, finalFrame: .comment("unseen"))
        #expect(await dropped.closed() == .dropped)
        #expect(await gone.closed() == .clientGone)
        #expect(await HubTest.read(dropped) == [e(1), ": bye\n\n"])
        #expect(await HubTest.read(gone) == [])
    }

    @Test func closeAllClosesEverySubscriptionButNotTheHub() async {
        let hub = BroadcastHub()
        let subscriptions = (0..<3).map { _ in hub.subscribe().subscription }
        hub.publish(HubTest.event(1))
        hub.closeAll(reason: .shutdown, finalFrame: .comment("server going away"))
        for subscription in subscriptions {
            #expect(await subscription.closed() == .shutdown)
            #expect(await HubTest.read(subscription) == [e(1), ": server going away\n\n"])
        }
        #expect(!hub.isFinished)
    }

    /// A reader waiting in `next()` whose task is cancelled ends, and the subscription is closed as cancelled.
    @Test func cancellingAWaitingReaderClosesTheSubscription() async {
        let hub = BroadcastHub()
        let subscription = hub.subscribe().subscription
        let reader = Task { await subscription.next() }
        while !hub.hasWaiter(subscription) { await Task.yield() }
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(await subscription.closed() == .cancelled)
        #expect(hub.publish(HubTest.event(1)).delivered == 0)
    }

    @Test func droppingASubscriptionRemovesIt() async {
        let hub = BroadcastHub()
        let kept = hub.subscribe().subscription
        var dropped: Subscription? = hub.subscribe().subscription
        withExtendedLifetime(kept) {
            #expect(hub.subscriberCount == 2)
            #expect(dropped != nil)
            dropped = nil
            #expect(hub.subscriberCount == 1)
            withExtendedLifetime(hub.subscribe()) { _ in
                #expect(hub.subscriberCount == 2)
            }
            #expect(hub.subscriberCount == 1)
            #expect(hub.publish(HubTest.event(1)).delivered == 1)
        }
    }

    // MARK: Concurrency

    /// Many tasks publish at once while subscribers read: each subscriber sees every frame, in one order shared
    /// by all, which is also the sequence order.
    @Test func concurrentPublishersGiveEverySubscriberTheSameTotalOrder() async throws {
        let publishers = 8
        let perPublisher = 250
        let total = publishers * perPublisher
        let hub = BroadcastHub(configuration: .init(historyLimit: 10, subscriberBufferBytes: 1 << 20))
        let readers = (0..<4).map { _ in
            let subscription = hub.subscribe().subscription
            return Task { await HubTest.read(subscription) }
        }
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
        for reader in readers { orders.append(await reader.value) }
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

extension BroadcastHub {
    /// Whether the subscription is parked in `next()`, waiting for a frame.
    fileprivate func hasWaiter(_ subscription: Subscription) -> Bool {
        state.withLock { $0.subscribers[subscription.id]?.waiter != nil }
    }
}
