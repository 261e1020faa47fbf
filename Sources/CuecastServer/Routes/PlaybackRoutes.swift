import CuecastCore
import Hummingbird

/// `/api/playbacks`: the solo streams opened with `?clock=manual`, and the steps a test takes with them.
///
/// - `GET /api/playbacks`: each one's id (its `X-Cuecast-Playback` header), label (`?client=`), path and clock.
/// - `POST /api/playbacks/{id}/advance?by=2s`: moves its time forward (`500ms`, `2s`, `1.5s`, or milliseconds).
/// - `POST /api/playbacks/{id}/next`: moves its time to its next cue.
/// - `POST /api/playbacks/{id}/pause`, `…/resume`: stops time, or lets it run in real time from where it is.
///
/// `{id}` is the number, or the stream's `?client=` label (a page's `EventSource` cannot read headers). Each step
/// answers once the playback has caught up (what came due is sent), with the clock's state. Control needs the same
/// access as publishing (`--publish-token`), without its rate limit: a test steps as fast as it likes.
struct PlaybackRoutes: Sendable {
    let connections: ConnectionRegistry
    let gate: PublishGate

    func add(to router: Router<CuecastRequestContext>) {
        router.get("/api/playbacks") { _, _ in
            let list = connections.all.compactMap { connection -> JSONValue? in
                guard let clock = connection.clock else { return nil }
                return Self.describe(connection, clock)
            }
            return Response.json(.object([("playbacks", .array(list))]))
        }
        router.post("/api/playbacks/:id/:action") { request, context in
            try gate.access.check(request)
            let (connection, clock) = try find(context.parameters.require("id"))
            switch try context.parameters.require("action") {
            case "advance":
                clock.advance(by: try Self.duration(request.uri.queryParameters["by"].map(String.init)))
            case "next":
                await clock.settled()
                guard clock.advanceToNextDeadline() else {
                    throw APIError(.conflict, code: "playback_finished", message: "playback \(connection.id) has no cue left: its stream has ended")
                }
            case "pause": clock.pause()
            case "resume": clock.resume()
            case let action:
                throw APIError(.notFound, code: "unknown_action", message: "no action '\(action)': use advance?by=, next, pause or resume")
            }
            await clock.settled()
            return Response.json(Self.describe(connection, clock))
        }
    }

    private func find(_ key: String) throws(APIError) -> (ConnectionRegistry.Connection, PlaybackClock) {
        let playbacks = connections.all.filter { $0.clock != nil }
        let match = playbacks.first { String($0.id) == key } ?? playbacks.first { $0.label == key }
        guard let match, let clock = match.clock else {
            throw APIError(
                .notFound, code: "unknown_playback",
                message: "no open playback '\(key)': open a solo stream with ?clock=manual, "
                    + "and use its X-Cuecast-Playback header or its ?client= label",
                extra: [("playbacks", .array(playbacks.map { .integer(Int64($0.id)) }))]
            )
        }
        return (match, clock)
    }

    static func describe(_ connection: ConnectionRegistry.Connection, _ clock: PlaybackClock) -> JSONValue {
        .object([
            ("id", .integer(Int64(connection.id))), ("client", connection.label.map(JSONValue.string) ?? .null),
            ("path", .string(connection.path)), ("elapsedMs", .integer(clock.now.offset.milliseconds)),
            ("paused", .bool(clock.isPaused)), ("finished", .bool(clock.isFinished)),
            ("nextCueInMs", clock.isFinished ? .null : clock.untilNextDeadline.map { .integer($0.milliseconds) } ?? .null),
        ])
    }

    /// `2s`, `1.5s`, `500ms` or a bare number of milliseconds, up to a day.
    static func duration(_ text: String?) throws(APIError) -> Duration {
        guard let text, !text.isEmpty else {
            throw APIError(.badRequest, code: "missing_by", message: "say how far with ?by=, e.g. ?by=2s or ?by=500ms")
        }
        let milliseconds: Double?
        if text.hasSuffix("ms") {
            milliseconds = Double(text.dropLast(2))
        } else if text.hasSuffix("s") {
            milliseconds = Double(text.dropLast()).map { $0 * 1000 }
        } else {
            milliseconds = Double(text)
        }
        guard let milliseconds, milliseconds.isFinite, (0...86_400_000).contains(milliseconds) else {
            throw APIError(.badRequest, code: "bad_by", message: "by must be a duration like 2s, 1.5s or 500ms (up to a day), got '\(text)'")
        }
        return .milliseconds(Int64(milliseconds.rounded()))
    }
}
