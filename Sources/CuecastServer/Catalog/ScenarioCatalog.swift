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

    public init(scenarios: [Scenario], hubConfiguration: BroadcastHub.Configuration) {
        self.entries = Mutex(
            scenarios.map { scenario in
                Entry(scenario: scenario, station: scenario.mode == .live ? Station(scenario: scenario, hub: BroadcastHub(configuration: hubConfiguration)) : nil)
            }
        )
    }

    public var all: [Entry] { entries.withLock { $0 } }

    public func entry(named name: String) -> Entry? { entries.withLock { $0.first { $0.scenario.name == name } } }

    public var stations: [Station] { all.compactMap(\.station) }

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
