import Testing

@testable import CuecastCore

/// Named channels: the default one, name rules, creation on first use, and the bound on how many exist.
struct ChannelDirectoryTests {
    @Test func theDefaultChannelExistsFromTheStart() throws {
        let directory = ChannelDirectory()
        #expect(ChannelDirectory.defaultChannel == "default")
        #expect(directory.all.map(\.name) == ["default"])
        let hub = try directory.channel(named: "default")
        #expect(directory.all.first?.hub === hub)
        #expect(directory.all.count == 1)  // asking for it made no second one
    }

    @Test(arguments: ["a", "Z", "0", "news", "room-1", "room_2", "v1.2", "a.b-c_D", String(repeating: "x", count: 64)])
    func validNames(_ name: String) throws {
        #expect(ChannelDirectory.isValidName(name))
        let directory = ChannelDirectory()
        let hub = try directory.channel(named: name)
        #expect(try directory.channel(named: name) === hub)
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "with space", "slash/y", "q?x=1", "a&b", "percent%20", "colon:x", "tab\t", "nl\n", "é", "ü-ber", "日本", "😀", "a+b", "#frag", ".", "..", "-leading-dash", "_under", ".hidden"])
    func invalidNames(_ name: String) {
        #expect(!ChannelDirectory.isValidName(name))
        let directory = ChannelDirectory()
        #expect(throws: ChannelDirectory.Failure.invalidName(name)) { try directory.channel(named: name) }
        #expect(directory.all.map(\.name) == ["default"])  // nothing was made
    }

    @Test func aChannelIsMadeOnFirstUseAndThenTheSameHub() throws {
        let directory = ChannelDirectory()
        let first = try directory.channel(named: "alerts")
        #expect(directory.all.map(\.name) == ["alerts", "default"])
        #expect(try directory.channel(named: "alerts") === first)
        #expect(try directory.channel(named: "Alerts") !== first)  // names are case-sensitive
        #expect(try directory.channel(named: "default") !== first)
        // Events published on one channel are that channel's alone.
        first.publish(HubTest.event(1))
        #expect(first.sequence == 1)
        #expect(try directory.channel(named: "default").sequence == 0)
    }

    @Test func channelsUseTheConfiguredHubSettings() throws {
        let budget = HistoryBudget(limitBytes: 1 << 20)
        let directory = ChannelDirectory(configuration: .init(hub: .init(historyLimit: 7, budget: budget)))
        let hub = try directory.channel(named: "x")
        #expect(hub.configuration.historyLimit == 7)
        #expect(hub.configuration.budget === budget)
        #expect(try directory.channel(named: "default").configuration.historyLimit == 7)
    }

    /// The default channel counts towards the limit; existing channels stay reachable once it is reached.
    @Test func maxChannelsIsEnforced() throws {
        let directory = ChannelDirectory(configuration: .init(maxChannels: 3))
        let a = try directory.channel(named: "a")
        _ = try directory.channel(named: "b")
        #expect(throws: ChannelDirectory.Failure.tooManyChannels(limit: 3)) { try directory.channel(named: "c") }
        #expect(directory.all.map(\.name) == ["a", "b", "default"])
        #expect(try directory.channel(named: "a") === a)
        _ = try directory.channel(named: "default")
        // An invalid name is reported as such, even when the directory is full.
        #expect(throws: ChannelDirectory.Failure.invalidName("no way")) { try directory.channel(named: "no way") }
    }

    @Test func allIsSortedByName() throws {
        let directory = ChannelDirectory()
        for name in ["zeta", "Alpha", "mid", "alpha", "0-first", "default2"] { _ = try directory.channel(named: name) }
        let names = directory.all.map(\.name)
        #expect(names == ["0-first", "Alpha", "alpha", "default", "default2", "mid", "zeta"])
        for (name, hub) in directory.all { #expect(try directory.channel(named: name) === hub) }
    }

    /// Many tasks asking for the same new channel at once all get one hub.
    @Test func concurrentFirstUseMakesOneHub() async throws {
        let directory = ChannelDirectory()
        let hubs = await withTaskGroup(of: ObjectIdentifier?.self) { group in
            for _ in 0..<64 {
                group.addTask { (try? directory.channel(named: "shared")).map(ObjectIdentifier.init) }
            }
            var all: [ObjectIdentifier?] = []
            for await hub in group { all.append(hub) }
            return all
        }
        #expect(hubs.count == 64)
        #expect(!hubs.contains(nil))
        #expect(Set(hubs).count == 1)
        #expect(directory.all.count == 2)
    }
}
