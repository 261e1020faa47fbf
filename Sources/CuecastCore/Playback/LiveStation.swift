/// The one shared playback of a live scenario and the hub its subscribers listen to.
///
/// It runs whether or not anyone listens, like a radio station; a subscriber joins the hub and gets what the
/// current pass has sent so far, then live events.
public final class LiveStation: Sendable {
    public let scenario: Scenario
    public let hub: BroadcastHub

    public init(scenario: Scenario, hub: BroadcastHub = BroadcastHub()) {
        self.scenario = scenario
        self.hub = hub
    }

    /// Plays the scenario into the hub until it ends or the task is cancelled.
    public func run<C: Clock>(clock: C) async throws where C.Duration == Duration {
        var playback = Playback(timeline: Timeline(scenario: scenario), clock: clock, heartbeat: scenario.heartbeat)
        try await playback.run(into: hub)
    }
}
