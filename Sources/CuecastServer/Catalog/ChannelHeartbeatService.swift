import CuecastCore
import ServiceLifecycle

/// Keeps idle channels alive: channels have no playback to send heartbeats, so one ticker checks them all.
struct ChannelHeartbeatService: Service {
    let channels: ChannelDirectory
    let interval: Duration

    func run() async throws {
        // Check a few times per interval so a silence is never much longer than the interval itself.
        let tick = max(.milliseconds(50), interval / 4)
        let channels = self.channels
        let interval = self.interval
        // Shutdown cuts the sleep short: with the default 15 s interval a tick is almost 4 s, and a service still
        // sleeping holds the whole process that long after SIGTERM.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                for (_, hub) in channels.all { hub.heartbeatIfIdle(for: interval) }
            }
        }
    }
}
