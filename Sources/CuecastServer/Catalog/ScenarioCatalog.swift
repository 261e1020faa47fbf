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
    /// Told how many events a live playback published, for the metrics.
    private let countEvents: (@Sendable (Int) -> Void)?
    /// Every live station, the first ones and those made later (a scenario file added or edited), in the order
    /// they were made, for the service that runs them: one source, so none is run twice or missed.
    private let newStations = AsyncStream<Station>.makeStream()

    public init(scenarios: [Scenario], hubConfiguration: BroadcastHub.Configuration, countEvents: (@Sendable (Int) -> Void)? = nil) {
        self.hubConfiguration = hubConfiguration
        self.countEvents = countEvents
        let entries = scenarios.map { Self.makeEntry($0, hubConfiguration: hubConfiguration, countEvents: countEvents) }
        self.entries = Mutex(entries)
        for station in entries.compactMap(\.station) { newStations.continuation.yield(station) }
    }

    private static func makeEntry(
        _ scenario: Scenario, hubConfiguration: BroadcastHub.Configuration, countEvents: (@Sendable (Int) -> Void)?
    ) -> Entry {
        guard scenario.mode == .live else { return Entry(scenario: scenario, station: nil) }
        return Entry(scenario: scenario, station: Station(scenario: scenario, hub: BroadcastHub(configuration: hubConfiguration), countEvents: countEvents))
    }

    public var all: [Entry] { entries.withLock { $0 } }

    public func entry(named name: String) -> Entry? { entries.withLock { $0.first { $0.scenario.name == name } } }

    /// Live stations to run, as they are made (those of the first scenarios are waiting already).
    var stationsToRun: AsyncStream<Station> { newStations.stream }

    /// Puts `scenario` in place of the one with the same name (or the one loaded from the same file), or adds it.
    /// New connections get the new version at once; a replaced live station stops, telling its listeners to
    /// reconnect, and they join the new one.
    public func install(_ scenario: Scenario) {
        let entry = Self.makeEntry(scenario, hubConfiguration: hubConfiguration, countEvents: countEvents)
        let replaced: [Entry] = entries.withLock { entries in
            let isReplaced = { (existing: Entry) in
                existing.scenario.name == scenario.name || (existing.scenario.sourcePath != nil && existing.scenario.sourcePath == scenario.sourcePath)
            }
            let old = entries.filter(isReplaced)
            entries.removeAll(where: isReplaced)
            entries.append(entry)
            entries.sort { $0.scenario.name < $1.scenario.name }
            return old
        }
        if let station = entry.station { newStations.continuation.yield(station) }
        for old in replaced { old.station?.stop(notice: "this scenario was edited on the server: reconnect to hear the new version") }
    }

    /// Stops serving the scenario loaded from `path` (its file was deleted). Returns its name.
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
