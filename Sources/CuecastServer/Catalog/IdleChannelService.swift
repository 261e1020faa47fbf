import CuecastCore
import Logging
import ServiceLifecycle

/// Removes channels nobody uses (`ChannelDirectory.removeIdle`), so that channels made once and forgotten do not
/// hold the channel limit or their history's memory until a restart.
struct IdleChannelService: Service {
    let channels: ChannelDirectory
    let logger: Logger

    func run() async throws {
        // A few checks per idle period: a channel goes at most a quarter period after its time, and a channel with
        // subscribers is seen often enough that its idle time starts close to when the last one left.
        let tick = max(.milliseconds(100), channels.configuration.idleAfter / 4)
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                let removed = channels.removeIdle()
                if !removed.isEmpty { logger.info("removed \(removed.count) idle channel(s)", metadata: ["channels": "\(removed.prefix(10))"]) }
            }
        }
    }
}
