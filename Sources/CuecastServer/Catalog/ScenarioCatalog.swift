import CuecastCore
import Synchronization

/// The scenarios being served and, for live ones, their stations. Looked up on every stream request.
public final class ScenarioCatalog: Sendable {
    public struct Entry: Sendable {
        public let scenario: Scenario
        /// Present for live scenarios.
        public let station: Station?
    }

    private let entries: Mutex<[Entry]>
    /// Open solo playbacks by scenario name, so a trigger reaches each of them.
    private let solo = Mutex<[String: [ObjectIdentifier: Station]]>([:])
    private let hubConfiguration: BroadcastHub.Configuration
    /// Stations made after start-up (a scenario file added or edited), for the service that runs them.
    private let newStations = AsyncStream<Station>.makeStream()

    public init(scenarios: [Scenario], hubConfiguration: BroadcastHub.Configuration) {
        self.hubConfiguration = hubConfiguration
        self.entries = Mutex([])
        self.entries.withLock { entries in entries = scenarios.map(makeEntry) }
    }

    private func makeEntry(_ scenario: Scenario) -> Entry {
        Entry(scenario: scenario, station: scenario.mode == .live ? Station(scenario: scenario, hub: BroadcastHub(configuration: hubConfiguration)) : nil)
    }

    public var all: [Entry] { entries.withLock { $0 } }

    public func entry(named name: String) -> Entry? { entries.withLock { $0.first { $0.scenario.name == name } } }

    public var stations: [Station] { all.compactMap(\.station) }

    /// Live stations created after start-up, to be run as they come.
    var stationsAdded: AsyncStream<Station> { newStations.stream }

    /// Puts `scenario` in place of the one with the same name (or the one loaded from the same file), or adds it.
    /// New connections get the new version at once; a replaced live station stops, telling its listeners to
    /// reconnect, and they join the new one.
    public func install(_ scenario: Scenario) {
        let entry = makeEntry(scenario)
        let replaced: [Entry] = entries.withLock { entries in
            let old = entries.filter { $0.scenario.name == scenario.name || ($0.scenario.sourcePath != nil && $0.scenario.sourcePath == scenario.sourcePath) }
            entries.removeAll { existing in old.contains { $0.scenario.name == existing.scenario.name } }
            entries.append(entry)
            entries.sort { $0.scenario.name < $1.scenario.name }
            return old
        }
        if let station = entry.station { newStations.continuation.yield(station) }
        for old in replaced { old.station?.stop(notice: "this scenario was edited on the server: reconnect to hear the new version") }
    }

    /// Stops serving the scenario loaded from `path` (its file was deleted). Returns its name.
    @discardableResult
    public func remove(loadedFrom path: String) -> String? {
        let removed: Entry? = entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.scenario.sourcePath == path }) else { return nil }
            return entries.remove(at: index)
        }
        removed?.station?.stop(notice: "this scenario was removed from the server")
        return removed?.scenario.name
    }

    /// The scenario loaded from `path`, if any.
    public func scenario(loadedFrom path: String) -> Scenario? {
        entries.withLock { $0.first { $0.scenario.sourcePath == path }?.scenario }
    }

    /// The solo playbacks of a scenario that are open now.
    public func soloStations(of name: String) -> [Station] {
        solo.withLock { $0[name].map { Array($0.values) } ?? [] }
    }

    /// Runs `body` with `station` registered as an open solo playback of its scenario.
    func withSoloStation<T>(_ station: Station, _ body: () async throws -> T) async rethrows -> T {
        let name = station.scenario.name
        let key = ObjectIdentifier(station)
        solo.withLock { $0[name, default: [:]][key] = station }
        defer { solo.withLock { $0[name]?[key] = nil } }
        return try await body()
    }
}
