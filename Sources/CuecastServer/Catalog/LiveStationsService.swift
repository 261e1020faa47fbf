import CuecastCore
import Logging
import ServiceLifecycle

/// Runs every live station for as long as the server runs, so live streams play whether or not anyone listens.
struct LiveStationsService: Service {
    let catalog: ScenarioCatalog
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // The first scenarios' stations, then those made later (a file added or edited while serving).
                for await station in catalog.stationsToRun {
                    group.addTask { await play(station) }
                }
            }
        }
        // A service that returns stops the whole server (ServiceGroup treats it as a failure). With no live
        // scenario, or once every non-looping one has ended, there is nothing left to play but solo streams and
        // finished live ones are still served: stay until shutdown.
        try? await gracefulShutdown()
    }

    private func play(_ station: Station) async {
        do {
            try await station.run(clock: ContinuousClock())
            logger.info("live stream ended", metadata: ["scenario": "\(station.scenario.name)"])
        } catch {
            // Stopped (the file was edited) or cancelled at shutdown: nothing to report.
        }
    }
}
