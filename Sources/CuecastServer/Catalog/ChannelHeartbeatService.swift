import CuecastCore
import ServiceLifecycle

/// Keeps idle channels alive: channels have no playback to send heartbeats, so one ticker checks them all.
struct ChannelHeartbeatService: Service {
    let channels: ChannelDirectory
    let interval: Duration

    func run() async throws {
        // Check a few times per interval so a silence is never much longer than the interval itself.
        let tick = max(.milliseconds(50), interval / 4)
        while !Task.isCancelled, !isShuttingDown {
            try? await Task.sleep(for: tick)
            for (_, hub) in channels.all { hub.heartbeatIfIdle(for: interval) }
        }
    }

    private var isShuttingDown: Bool { Task.isShuttingDownGracefully }
}
