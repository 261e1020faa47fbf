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
        guard let entry = catalog.entry(named: name) else { throw Self.unknownStream(name, catalog: catalog) }
        if let station = entry.station {
            // Joins the shared playback: history (or what follows `Last-Event-ID`), then live events.
            let plan = try Self.livePlan(station, uri: request.uri, lastEventIDHeader: request.headers[.lastEventID], configuration: configuration)
            return try LiveStreamPlan.response(plan, for: request, connections: connections, closeGracePeriod: configuration.closeGracePeriod)
        }
        let scenario = entry.scenario
        let options = try StreamOptions(request: request, mode: scenario.mode)
        // The sentinel's id coming back means the client already saw the end: 204 stops a browser for good.
        if let lastEventID = options.lastEventID, lastEventID == scenario.sentinelID {
            return Response(status: .noContent)
        }
        // A place among the subscribers before any playback exists: when full, a 503 costs nothing.
        let slot = try connections.admit()
        guard let stream = solo(scenario, options: options) else { return Response(status: .noContent) }
        return stream.response(for: request, connections: connections, slot: slot, label: options.client)
    }

    /// What a live stream's subscriber gets (shared with `DirectStreams`); `nil` when the client already has
    /// everything there will ever be (answer 204).
    static func livePlan(_ station: Station, uri: URI, lastEventIDHeader: String?, configuration: ServerConfiguration) throws -> LiveStreamPlan? {
        var options = try StreamOptions(uri: uri, lastEventIDHeader: lastEventIDHeader, mode: .live)
        let hub = station.hub
        if let lastEventID = options.lastEventID, lastEventID == station.scenario.sentinelID { return nil }
        // A finished stream's last word is its sentinel: a subscriber that asked for no history still gets it, or an
        // EventSource would reconnect forever to a stream that will never send again (the sentinel's id gets 204).
        if hub.isFinished, case .event? = station.scenario.end?.sentinel, options.history == .none || options.history == .last(0) {
            options.history = .last(1)
        }
        return LiveStreamPlan(hub: hub, options: options, preamble: Frame.preamble(welcome: station.scenario.welcome, retry: station.scenario.retry)) { id in
            "Last-Event-ID \(id) is not in this stream's recent history (too old, or from before a restart): replaying the current pass"
        }
    }

    /// Starts a private playback for this connection, resumed after `Last-Event-ID` when the timeline has it.
    /// While it plays it is registered with the catalog, so the scenario's triggers reach it.
    private func solo(_ scenario: Scenario, options: StreamOptions) -> EventStreamResponse? {
        var timeline = Timeline(scenario: scenario, seed: options.seed, speed: options.speed)
        var origin: Duration = .zero
        var preamble = Frame.preamble(welcome: scenario.welcome, retry: scenario.retry)
        if let lastEventID = options.lastEventID {
            switch timeline.resume(after: lastEventID) {
            case .after(let offset): origin = offset
            case .ended: return nil
            case .notFound:
                EventEncoder.encodeComment("Last-Event-ID \(lastEventID) does not occur in this stream: replaying from the start", into: &preamble)
            }
        }
        let hub = BroadcastHub(configuration: .init(historyLimit: 0, subscriberBufferBytes: configuration.subscriberBufferBytes))
        let subscription = hub.subscribe(history: .none).subscription
        let station = Station(scenario: scenario, hub: hub, timeline: timeline, speed: options.speed, origin: origin)
        let catalog = self.catalog
        return EventStreamResponse(
            preamble: preamble, subscription: subscription,
            producer: {
                await catalog.withSoloStation(station) {
                    try? await station.run(clock: ContinuousClock())
                }
            },
            closeGracePeriod: configuration.closeGracePeriod
        )
    }

    static func unknownStream(_ name: String, catalog: ScenarioCatalog) -> APIError {
        APIError(
            .notFound, code: "unknown_stream", message: "no stream named '\(name)'",
            extra: [("streams", .array(catalog.all.map { .string($0.scenario.name) }))]
        )
    }
}
