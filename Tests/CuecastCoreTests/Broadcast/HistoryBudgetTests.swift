import Testing

@testable import CuecastCore

/// One memory budget over every hub's history: the total stays under it, and the oldest frames of all hubs go first.
struct HistoryBudgetTests {
    static func big(_ id: Int, bytes: Int = 1000) -> Frame {
        HubTest.event(id, data: String(repeating: "x", count: bytes))
    }

    @Test func theTotalStaysUnderTheLimitAndTheOldestGoFirstAcrossHubs() {
        let cost = HistoryBudget.cost(of: Self.big(1))
        let budget = HistoryBudget(limitBytes: cost * 5)
        let configuration = BroadcastHub.Configuration(historyLimit: 100, budget: budget)
        let older = BroadcastHub(configuration: configuration)
        let newer = BroadcastHub(configuration: configuration)
        for id in 1...4 { older.publish(Self.big(id)) }
        for id in 1...4 { newer.publish(Self.big(id)) }
        #expect(budget.usedBytes <= budget.limitBytes)
        #expect(budget.usedBytes == cost * 5)
        #expect(budget.evictedFrames == 3)
        // The three oldest frames were the first hub's: it keeps one, the second hub keeps all four.
        #expect(older.oldestEventID == "4")
        #expect(newer.oldestEventID == "1")
        // A resume after an evicted id is not placed; after a kept one it is.
        #expect(HubTest.listen(to: older, lastEventID: "2").placement == .unknownID)
        #expect(HubTest.listen(to: newer, lastEventID: "2").placement == .resumed)
    }

    @Test func theCountLimitStillAppliesAndGivesItsBytesBack() {
        let budget = HistoryBudget(limitBytes: 1 << 30)
        let hub = BroadcastHub(configuration: .init(historyLimit: 3, budget: budget))
        for id in 1...10 { hub.publish(Self.big(id)) }
        #expect(budget.usedBytes == (8...10).reduce(0) { $0 + HistoryBudget.cost(of: Self.big($1)) })
        #expect(hub.historyBytes == budget.usedBytes)
        #expect(budget.evictedFrames == 0)
    }

    @Test func aHubThatGoesAwayNoLongerCounts() {
        let budget = HistoryBudget(limitBytes: 1 << 30)
        var hub: BroadcastHub? = BroadcastHub(configuration: .init(historyLimit: 10, budget: budget))
        for id in 1...5 { hub?.publish(Self.big(id)) }
        #expect(budget.usedBytes > 0)
        hub = nil
        #expect(budget.usedBytes == 0)
    }

    @Test func aZeroBudgetKeepsNothingButStillDelivers() {
        let budget = HistoryBudget(limitBytes: 0)
        let hub = BroadcastHub(configuration: .init(historyLimit: 10, budget: budget))
        let listener = HubTest.listen(to: hub)
        #expect(hub.publish(Self.big(1)).delivered == 1)
        #expect(budget.usedBytes == 0)
        #expect(hub.oldestEventID == nil)
        #expect(listener.received == [HubTest.text(Self.big(1))])
    }
}
