import CuecastCore
import Foundation
import Hummingbird
import HummingbirdCore
import ServiceLifecycle

/// Cuecast's own figures as an event stream, `GET /api/stats/stream`: a `stats` event once a second with the
/// subscribers, events and deliveries per second, resident memory and the streams open now. The teacher's
/// dashboard (`/dashboard.html`) shows the class join.
///
/// It is a stream like any scenario's: a hub with history (the last minute, so a dashboard that joins draws its
/// charts at once), served by the same `StreamRequests`, `StreamConnection` and `LoopFanout`, with the same
/// `Last-Event-ID` resume, heartbeat-free because it never falls silent.
final class StatsFeed: Sendable {
    static let path = "/api/stats/stream"
    /// A minute of figures.
    static let historyLimit = 60

    let hub: BroadcastHub

    init() {
        hub = BroadcastHub(configuration: .init(historyLimit: Self.historyLimit))
    }

    /// What a subscriber gets (`StreamRequests.decide`); a bad option throws the 400 it answers.
    func plan(uri: URI, lastEventIDHeader: String?, retry: Int?) throws -> StreamPlan? {
        let options = try StreamOptions(uri: uri, lastEventIDHeader: lastEventIDHeader, mode: .live)
        let preamble = Frame.preamble(
            welcome: "Cuecast's own figures: a 'stats' event with JSON every second (subscribers, events and deliveries per second, memory, open streams)",
            retry: retry
        )
        return StreamPlan(hub: hub, label: StreamLabel(kind: .stats, name: "stats"), options: options, preamble: preamble) { [hub] id, replayFrom in
            ResumeGap(lastEventID: id, reason: ResumeGap.reason(for: id, newest: hub.sequence), oldestEventID: replayFrom, replay: "history")
                .bytes(comment: "Last-Event-ID \(id) is older than the last minute of figures: here is the minute that is kept")
        }
    }

    /// Publishes one `stats` event; its id is its number, so a reconnecting dashboard resumes after the last it drew.
    func publish(_ stats: ServerStats) {
        let data = stats.json.compactText
        // The type is a constant and the data compact JSON (one line): the event is always valid.
        _ = try? hub.publish { number throws(SSEFieldError) -> Frame in
            Frame(event: try SSEEvent(type: "stats", data: data, id: String(number)))
        }
    }
}

/// Publishes the figures once a second, from start-up until shutdown.
struct StatsService: Service {
    let feed: StatsFeed
    let sampler: StatsSampler
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                feed.publish(sampler.sample())
            }
        }
    }
}
