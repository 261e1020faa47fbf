import CuecastCore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// `GET /streams/{name}`: a scenario as a Server-Sent Events stream, planned for `StreamRequests.decide`, which
/// opens or answers every stream request itself; the router has no `GET` route here (only the 405s for other methods).
enum StreamRoutes {
    /// What `GET /streams/{name}` gets; `nil` when the client already has everything
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
            clusterKey: .station(station.scenario.name)
        ) { id, replayFrom in
            let reason = station.scenario.hasExplicitIDs || station.scenario.ids != .auto ? ResumeGap.Reason.unknown : ResumeGap.reason(for: id, newest: hub.sequence)
            let gap = ResumeGap(lastEventID: id, reason: reason, oldestEventID: replayFrom, replay: "history")
            return gap.bytes(comment: "Last-Event-ID \(id) is not in this stream's recent history (too old, or from before a restart): replaying the current pass")
        }
    }

    /// Entries a resume search may walk where the request arrived, on the event loop: about 1 ms (0.85 µs an
    /// entry for `dice`, release build; some 25 µs in a debug build). A search that needs more goes on in the
    /// stream's own task.
    static var resumeStepsOnLoop: Int { 1_000 }
    /// Entries the stream's task walks between yields, so many resuming streams share the task pool fairly.
    static var resumeStepsPerSlice: Int { 500 }

    /// A private playback for one client, resumed after `Last-Event-ID` when the timeline has it; `nil` when the
    /// client has seen the end (answer 204). While it plays it is registered with the catalog, so the scenario's
    /// triggers reach it.
    ///
    /// The resume search walks at most ``resumeStepsOnLoop`` entries here; a longer one goes on in the playback's
    /// task, off the event loops, before the first event (see `ResumeSearch`). Only an answer found here can be a
    /// 204: a client whose id is found to end the stream later gets a `cuecast-reset` event and the end.
    static func soloPlan(_ scenario: Scenario, options: StreamOptions, catalog: ScenarioCatalog, configuration: ServerConfiguration) -> StreamPlan? {
        // The sentinel's id coming back means the client already saw the end: 204 stops a browser for good.
        if let lastEventID = options.lastEventID, lastEventID == scenario.sentinelID { return nil }
        let timeline = Timeline(scenario: scenario, seed: options.seed, speed: options.speed)
        var preamble = Frame.preamble(welcome: scenario.welcome, retry: scenario.retry)
        var started: ResumeSearch?
        if let lastEventID = options.lastEventID {
            var search = ResumeSearch(timeline: timeline, after: lastEventID)
            if search.advance(by: resumeStepsOnLoop) == .ended { return nil }
            if search.point == .notFound { preamble += notFoundNotice(lastEventID) }
            started = search
        }
        let hub = BroadcastHub(configuration: .init(historyLimit: 0))
        let metrics = configuration.metrics
        let label = StreamLabel(kind: .scenario, name: scenario.name)
        // A test decides when time moves, so no heartbeat fills the silence: nothing is sent until it says so.
        var silent = scenario
        if options.manualClock { silent.heartbeat = nil }
        let played = silent
        let clock = options.manualClock ? PlaybackClock() : nil
        let resume = started
        let decided = resume?.point
        let resumeFound: Bool? = decided.map { if case .after = $0 { true } else { false } }
        return StreamPlan(soloHub: hub, label: label, options: options, preamble: preamble, resumeFound: resumeFound, clock: clock) {
            var timeline = timeline
            var origin: Duration = .zero
            if var search = resume {
                let point = await Self.finish(&search)
                guard let point else { return }  // the stream ended while searching
                if decided == nil {
                    metrics.resumed(found: point != .notFound && point != .ended)
                    if point == .notFound, let id = options.lastEventID { hub.publish(Frame(kind: .comment, bytes: Self.notFoundNotice(id))) }
                    if point == .ended {
                        hub.publish(Frame(kind: .comment, bytes: Self.endedNotice))
                        hub.finish()
                        return
                    }
                }
                if case .after(let offset) = point {
                    timeline = search.timeline
                    origin = offset
                }
            }
            let station = Station(scenario: played, hub: hub, timeline: timeline, speed: options.speed, origin: origin, countEvents: { events in
                metrics.published(events, from: .scenario)
            })
            await catalog.withSoloStation(station) {
                if let clock { try? await station.run(clock: clock) } else { try? await station.run(clock: ContinuousClock()) }
            }
            clock?.finish()
        }
    }

    /// Walks the rest of a resume search in slices, yielding between them; `nil` if the stream ended meanwhile.
    private static func finish(_ search: inout ResumeSearch) async -> ResumePoint? {
        while true {
            if let point = search.advance(by: resumeStepsPerSlice) { return point }
            await Task.yield()
            if Task.isCancelled { return nil }
        }
    }

    /// A solo stream's `Last-Event-ID` that its timeline never produces: it plays from the start, and says so.
    private static func notFoundNotice(_ id: String) -> [UInt8] {
        ResumeGap(lastEventID: id, reason: .unknown, oldestEventID: nil, replay: "start")
            .bytes(comment: "Last-Event-ID \(id) does not occur in this stream: replaying from the start")
    }

    /// The id a client resumed from was the stream's last (found after the head was sent, too late for a 204).
    private static var endedNotice: [UInt8] {
        var bytes: [UInt8] = []
        EventEncoder.encodeComment("this stream has nothing after that Last-Event-ID: it has ended", into: &bytes)
        return bytes
    }

    static func unknownStream(_ name: String, catalog: ScenarioCatalog) -> APIError {
        APIError(
            .notFound, code: "unknown_stream", message: "no stream named '\(name)'",
            extra: [("streams", .array(catalog.all.map { .string($0.scenario.name) }))]
        )
    }
}
