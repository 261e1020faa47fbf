import CuecastCore
import Logging
import ServiceLifecycle

/// Runs every live station for as long as the server runs, so live streams play whether or not anyone listens.
struct LiveStationsService: Service {
    let catalog: ScenarioCatalog
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for station in catalog.stations {
                    group.addTask {
                        do {
                            try await station.run(clock: ContinuousClock())
                            logger.info("live stream ended", metadata: ["scenario": "\(station.scenario.name)"])
                        } catch {
                            // Cancelled at shutdown: nothing to report.
                        }
                    }
                }
            }
        }
    }
}
