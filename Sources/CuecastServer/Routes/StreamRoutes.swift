import CuecastCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// `GET /streams/{name}`: a scenario as a Server-Sent Events stream.
struct StreamRoutes<Context: RequestContext>: Sendable {
    let catalog: ScenarioCatalog
    let configuration: ServerConfiguration
    let connections: ConnectionRegistry

    func add(to router: Router<Context>) {
        router.get("/streams/:name") { request, context in
            try stream(request: request, name: context.parameters.require("name"))
        }
    }

    func stream(request: Request, name: String) throws -> Response {
        let plan = try Self.plan(
            name: name, uri: request.uri, lastEventIDHeader: request.headers[.lastEventID], catalog: catalog, configuration: configuration
        )
        return try StreamPlan.routerAnswer(plan, connections: connections, metrics: configuration.metrics)
    }

    /// What `GET /streams/{name}` gets (shared with `StreamRequests`); `nil` when the client already has everything
    /// there will ever be (answer 204).
    static func plan(
        name: String, uri: URI, lastEventIDHeader: String?, catalog: ScenarioCatalog, configuration: ServerConfiguration
    ) throws -> StreamPlan? {
        guard let entry = catalog.entry(named: name) else { throw unknownStream(name, catalog: catalog) }
        if let station = entry.station {
            // Joins the shared playback: history (or what follows `Last-Event-ID`), then live events.
            return try livePlan(station, uri: uri, lastEventIDHeader: lastEventIDHeader)
        }
        let options = try StreamOptions(uri: uri, lastEventIDHeader: lastEventIDHeader, mode: entry.scenario.mode)
        return soloPlan(entry.scenario, options: options, catalog: catalog, configuration: configuration)
    }

    /// A live stream's plan; `nil` when the client already has everything there will ever be (answer 204).
    static func livePlan(_ station: Station, uri: URI, lastEventIDHeader: String?) throws -> StreamPlan? {
        var options = try StreamOptions(uri: uri, lastEventIDHeader: lastEventIDHeader, mode: .live)
        let hub = station.hub
        if let lastEventID = options.lastEventID, lastEventID == station.scenario.sentinelID { return nil }
        // A finished stream's last word is its sentinel: a subscriber that asked for no history still gets it, or an
        // EventSource would reconnect forever to a stream that will never send again (the sentinel's id gets 204).
        if hub.isFinished, case .event? = station.scenario.end?.sentinel, options.history == .none || options.history == .last(0) {
            options.history = .last(1)
        }
        let label = StreamLabel(kind: .scenario, name: station.scenario.name)
        return StreamPlan(
            hub: hub, label: label, options: options, preamble: Frame.preamble(welcome: station.scenario.welcome, retry: station.scenario.retry),
            clusterKey: ClusterStreams.stationKey(station.scenario.name)
        ) { id in
            "Last-Event-ID \(id) is not in this stream's recent history (too old, or from before a restart): replaying the current pass"
        }
    }

    /// A private playback for one client, resumed after `Last-Event-ID` when the timeline has it; `nil` when the
    /// client has seen the end (answer 204). While it plays it is registered with the catalog, so the scenario's
    /// triggers reach it.
    static func soloPlan(_ scenario: Scenario, options: StreamOptions, catalog: ScenarioCatalog, configuration: ServerConfiguration) -> StreamPlan? {
        // The sentinel's id coming back means the client already saw the end: 204 stops a browser for good.
        if let lastEventID = options.lastEventID, lastEventID == scenario.sentinelID { return nil }
        var timeline = Timeline(scenario: scenario, seed: options.seed, speed: options.speed)
        var origin: Duration = .zero
        var preamble = Frame.preamble(welcome: scenario.welcome, retry: scenario.retry)
        var resumeFound: Bool?
        if let lastEventID = options.lastEventID {
            switch timeline.resume(after: lastEventID) {
            case .after(let offset):
                origin = offset
                resumeFound = true
            case .ended: return nil
            case .notFound:
                EventEncoder.encodeComment("Last-Event-ID \(lastEventID) does not occur in this stream: replaying from the start", into: &preamble)
                resumeFound = false
            }
        }
        let hub = BroadcastHub(configuration: .init(historyLimit: 0, subscriberBufferBytes: configuration.subscriberBufferBytes))
        let metrics = configuration.metrics
        let label = StreamLabel(kind: .scenario, name: scenario.name)
        guard options.manualClock else {
            let station = Station(scenario: scenario, hub: hub, timeline: timeline, speed: options.speed, origin: origin, countEvents: { events in
                metrics.published(events, from: .scenario)
            })
            return StreamPlan(soloHub: hub, label: label, options: options, preamble: preamble, resumeFound: resumeFound) {
                await catalog.withSoloStation(station) {
                    try? await station.run(clock: ContinuousClock())
                }
            }
        }
        // A test decides when time moves, so no heartbeat fills the silence: nothing is sent until it says so.
        var silent = scenario
        silent.heartbeat = nil
        let station = Station(scenario: silent, hub: hub, timeline: timeline, speed: options.speed, origin: origin, countEvents: { events in
            metrics.published(events, from: .scenario)
        })
        let clock = PlaybackClock()
        return StreamPlan(soloHub: hub, label: label, options: options, preamble: preamble, resumeFound: resumeFound, clock: clock) {
            await catalog.withSoloStation(station) {
                try? await station.run(clock: clock)
            }
            clock.finish()
        }
    }

    static func unknownStream(_ name: String, catalog: ScenarioCatalog) -> APIError {
        APIError(
            .notFound, code: "unknown_stream", message: "no stream named '\(name)'",
            extra: [("streams", .array(catalog.all.map { .string($0.scenario.name) }))]
        )
    }
}
