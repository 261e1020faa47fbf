import CuecastCore
import Synchronization

/// The scenarios being served and, for live ones, their stations. Looked up on every stream request.
public final class ScenarioCatalog: Sendable {
    public struct Entry: Sendable {
        public let scenario: Scenario
        /// Present for live scenarios.
        public let station: LiveStation?
    }

    private let entries: Mutex<[Entry]>

    public init(scenarios: [Scenario], hubConfiguration: BroadcastHub.Configuration) {
        self.entries = Mutex(
            scenarios.map { scenario in
                Entry(scenario: scenario, station: scenario.mode == .live ? LiveStation(scenario: scenario, hub: BroadcastHub(configuration: hubConfiguration)) : nil)
            }
        )
    }

    public var all: [Entry] { entries.withLock { $0 } }

    public func entry(named name: String) -> Entry? { entries.withLock { $0.first { $0.scenario.name == name } } }

    public var stations: [LiveStation] { all.compactMap(\.station) }
}
