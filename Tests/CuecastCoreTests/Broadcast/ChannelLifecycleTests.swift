import Testing

@testable import CuecastCore

/// Channels come and go: unused ones are removed, and at the limit a new channel takes the place of the one unused
/// longest, so the limit bounds memory without locking anyone out. Time is passed in (`now:`).
struct ChannelLifecycleTests {
    static let start = ContinuousClock.now

    @Test func anUnusedChannelIsRemovedAfterTheIdleTimeButNotBefore() throws {
        let directory = ChannelDirectory(configuration: .init(idleAfter: .seconds(60)))
        _ = try directory.channel(named: "quiet", now: Self.start)
        let busy = try directory.channel(named: "busy", now: Self.start)
        busy.publish(HubTest.event(1))  // a publish counts as use
        #expect(busy.lastUsed > Self.start)
        busy.touch(Self.start + .seconds(30))  // and so does a later use
        #expect(directory.removeIdle(now: Self.start + .seconds(59)).isEmpty)
        #expect(directory.removeIdle(now: Self.start + .seconds(61)) == ["quiet"])
        #expect(directory.all.map(\.name) == ["busy", "default"])
        // The default channel is never removed.
        #expect(directory.removeIdle(now: Self.start + .seconds(91)) == ["busy"])
        #expect(directory.all.map(\.name) == ["default"])
    }

    @Test func aChannelWithSubscribersIsNeverIdleAndItsIdleTimeStartsWhenTheLastLeaves() throws {
        let directory = ChannelDirectory(configuration: .init(idleAfter: .seconds(60)))
        let hub = try directory.channel(named: "room", now: Self.start)
        let listener = HubTest.listen(to: hub)
        #expect(directory.removeIdle(now: Self.start + .seconds(600)).isEmpty)
        listener.leave()
        #expect(directory.removeIdle(now: Self.start + .seconds(659)).isEmpty)  // seen in use at 600
        #expect(directory.removeIdle(now: Self.start + .seconds(660)) == ["room"])
    }

    @Test func atTheLimitANewChannelReplacesTheOneUnusedLongest() throws {
        let directory = ChannelDirectory(configuration: .init(maxChannels: 3, reclaimAfter: .seconds(10)))
        _ = try directory.channel(named: "a", now: Self.start)
        _ = try directory.channel(named: "b", now: Self.start + .seconds(5))
        // Used within `reclaimAfter`: nothing may be taken yet.
        #expect(throws: ChannelDirectory.Failure.tooManyChannels(limit: 3)) {
            try directory.channel(named: "c", now: Self.start + .seconds(9))
        }
        _ = try directory.channel(named: "c", now: Self.start + .seconds(20))
        #expect(directory.all.map(\.name) == ["b", "c", "default"])
    }

    @Test func channelsWithSubscribersHoldTheLimit() throws {
        let directory = ChannelDirectory(configuration: .init(maxChannels: 2, reclaimAfter: .zero))
        _ = HubTest.listen(to: try directory.channel(named: "held", now: Self.start))
        #expect(throws: ChannelDirectory.Failure.tooManyChannels(limit: 2)) { try directory.channel(named: "other", now: Self.start + .seconds(60)) }
    }

    @Test func aRequestThatMayNotCreateOnlyJoins() throws {
        let directory = ChannelDirectory()
        #expect(throws: ChannelDirectory.Failure.unknownChannel("new")) { try directory.channel(named: "new", create: false) }
        let made = try directory.channel(named: "new")
        #expect(try directory.channel(named: "new", create: false) === made)
    }
}
